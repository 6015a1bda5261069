import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseConfig } from '../../src/lib/server/config/config.js';
import { openDatabase, type Database } from '../../src/lib/server/db/connection.js';
import { endOfData, ticketFeaturesSql, type TicketFeatureRow } from '../../src/lib/server/models/satisfaction/features.js';
import { predictRows, readSatisfactionModel, saveSatisfactionModel } from '../../src/lib/server/models/satisfaction/model.js';
import { predictTickets } from '../../src/lib/server/models/satisfaction/predict.js';
import { accountSentiment } from '../../src/lib/server/models/satisfaction/sentiment.js';
import { fitSatisfaction, trainSatisfaction } from '../../src/lib/server/models/satisfaction/train.js';
import { latestEvaluation, satisfactionEvaluationSchema, type SatisfactionEvaluation } from '../../src/lib/server/models/evaluations.js';
import { memoryDb, tempDir } from '../helpers.js';

const config = parseConfig({});
const DAY_MS = 86_400_000;

async function features(db: Database, asOf: string, where = sql`true`): Promise<TicketFeatureRow[]> {
	const { rows } = await sql<TicketFeatureRow>`SELECT * FROM (${ticketFeaturesSql(config, asOf)}) f WHERE ${where} ORDER BY ticket_id`.execute(db.kysely);
	return rows;
}

describe('satisfaction models on the 20,000-account sample', () => {
	const file = inject('largeSampleDb');
	const root = tempDir('adoption-satisfaction-models-');
	let db: Database;
	const trained: Partial<Record<'csat' | 'ces', { version: string; evaluation: SatisfactionEvaluation }>> = {};

	beforeAll(async () => {
		db = await openDatabase(file, { readOnly: true, threads: 2 });
		for (const kind of ['csat', 'ces'] as const) trained[kind] = await trainSatisfaction(db, kind, { root, config });
	}, 600_000);
	afterAll(() => {
		db?.close();
		fs.rmSync(root, { recursive: true, force: true });
	});

	it('tests on the last 90 days, trained only on tickets answered before them', async () => {
		for (const kind of ['csat', 'ces'] as const) {
			const e = trained[kind]!.evaluation;
			expect(e.as_of).toBe(await endOfData(db));
			expect(Date.parse(e.as_of) - Date.parse(e.test_from)).toBe(90 * DAY_MS);
			expect(e.n_train).toBeGreaterThan(5000);
			expect(e.n_test).toBeGreaterThan(5000);
			expect(e.features).toContain('reopened');
			expect(e.features.some((f) => f.startsWith('topic='))).toBe(true);
			expect(e.improvement).toBeCloseTo(1 - e.mae! / e.baseline_mae!, 12);
			expect(e.rmse).toBeLessThan(e.baseline_rmse!);
			// What the models page reads back, through the schema the trainer's type comes from.
			expect(latestEvaluation(kind, satisfactionEvaluationSchema, root)).toMatchObject({ state: 'ok', evaluation: e });
		}
	});

	it('CSAT: held-out MAE at least 15 % below the mean baseline', () => {
		// Measured 0.916 vs 1.079 (15.2 %, the small network, chosen on validation; least squares gives 13.1 %).
		// The margin is thin: half the answers are noise (sd 0.65) and a third are good/bad ratings stored as 5/1.
		expect(trained.csat!.evaluation.improvement).toBeGreaterThanOrEqual(0.15);
	});

	it('CES: held-out MAE at least 15 % below the mean baseline', () => {
		// Measured 0.733 vs 0.911 (19.5 %, least squares). Before the generator planted CES's topic, channel and
		// bot-handoff effects (which issue 4 asks for), CES depended on reopen, reply time and messages only, and
		// no expected-score model could pass 11 %.
		expect(trained.ces!.evaluation.improvement).toBeGreaterThanOrEqual(0.15);
	});

	it('save → load gives identical predictions, for least squares and for the network', async () => {
		const rows = (await features(db, await endOfData(db), sql`actual_csat IS NOT NULL AND actual_ces IS NOT NULL`)).slice(0, 3000);
		const saveRoot = tempDir('adoption-satisfaction-roundtrip-');
		try {
			for (const [kind, type] of [['ces', 'linear'], ['csat', 'mlp']] as const) {
				const model = await fitSatisfaction(kind, rows, type, 7);
				const { version } = saveSatisfactionModel(model, { metadata: {}, evaluation: {} }, saveRoot);
				const loaded = readSatisfactionModel(kind, version, saveRoot);
				expect(loaded.type).toBe(type);
				expect(predictRows(loaded, rows)).toEqual(predictRows(model, rows));
			}
		} finally {
			fs.rmSync(saveRoot, { recursive: true, force: true });
		}
	}, 120_000);

	it('predictTickets scores every non-deleted ticket in SQL, as the saved models do in JS', async () => {
		const dir = tempDir('adoption-satisfaction-db-');
		const copy = path.join(dir, 'copy.duckdb');
		fs.copyFileSync(file, copy);
		const w = await openDatabase(copy, { threads: 2 });
		try {
			const r = await predictTickets(w, { root, config });
			const [{ n }] = await w.query<{ n: number }>('SELECT count(*) AS n FROM tickets WHERE NOT coalesce(deleted, false)');
			expect(r.tickets).toBe(n);
			expect(r.csat_version).toBe(trained.csat!.version);
			expect(r.ces_version).toBe(trained.ces!.version);
			expect(r.answered_csat).toBeGreaterThan(10_000);

			const rows = await features(w, r.as_of);
			const written = await w.query<{ ticket_id: string; predicted_csat: number; predicted_ces: number; actual_csat: number | null }>(
				'SELECT ticket_id, predicted_csat, predicted_ces, actual_csat FROM ticket_predictions ORDER BY ticket_id'
			);
			expect(written.map((x) => x.ticket_id)).toEqual(rows.map((x) => x.ticket_id));
			const csat = predictRows(readSatisfactionModel('csat', 'latest', root), rows);
			const ces = predictRows(readSatisfactionModel('ces', 'latest', root), rows);
			let worst = 0;
			let labelsDiffer = 0;
			written.forEach((x, i) => {
				worst = Math.max(worst, Math.abs(x.predicted_csat - csat[i]), Math.abs(x.predicted_ces - ces[i]));
				if (x.actual_csat !== rows[i].actual_csat) labelsDiffer++;
			});
			expect(worst).toBeLessThan(1e-9);
			expect(labelsDiffer).toBe(0);
			expect(csat.every((v) => v >= 1 && v <= 5) && ces.every((v) => v >= 1 && v <= 7)).toBe(true);

			const sentiment = await accountSentiment(w);
			const [{ accounts }] = await w.query<{ accounts: number }>('SELECT count(*) AS accounts FROM accounts WHERE created_at < $1::TIMESTAMP', [r.as_of.slice(0, 19)]);
			expect(sentiment).toHaveLength(accounts);
			for (const s of sentiment) {
				if (s.tickets === 0) expect(s.sentiment).toBeNull();
				else expect(Math.abs(s.sentiment!)).toBeLessThanOrEqual(100);
			}
		} finally {
			w.close();
			fs.rmSync(dir, { recursive: true, force: true });
		}
	}, 180_000);
});

describe('ticket features are point in time', () => {
	let db: Database;
	beforeAll(async () => {
		db = await memoryDb();
		await db.query(`INSERT INTO accounts (account_id, plan, arr, created_at) VALUES ('A1', 'Pro', 30000, '2025-06-01 00:00:00')`);
		await db.query(`INSERT INTO users (user_id, account_id, created_at) VALUES ('u1', 'A1', '2025-06-01 00:00:00'), ('u2', 'A1', '2026-02-01 00:00:00')`);
		await db.query(`INSERT INTO tickets (ticket_id, account_id, requester_id, created_at, first_reply_at, solved_at, channel, priority, subject, messages, reopened, bot_handoff) VALUES
			('T0', 'A1', 'u1', '2025-12-01 09:00:00', '2025-12-01 10:00:00', '2025-12-02 09:00:00', 'email', 'normal', 'Invoice is wrong', 2, false, false),
			('T1', 'A1', 'u1', '2026-01-01 10:00:00', '2026-01-03 10:00:00', '2026-01-04 10:00:00', 'chat', 'high', 'SSO login loops', 3, false, false)`);
		await db.query(`INSERT INTO surveys (response_id, account_id, ticket_id, kind, score, context, timestamp) VALUES
			('r0', 'A1', 'T0', 'csat', 2, 'agent', '2025-12-03 00:00:00'),
			('r1', 'A1', 'T1', 'csat', 4, 'agent', '2026-01-05 00:00:00'),
			('r2', 'A1', 'T1', 'csat', 5, 'agent', '2026-01-06 00:00:00')`);
	});
	afterAll(() => db?.close());

	const t1 = (asOf: string) => features(db, asOf, sql`ticket_id = 'T1'`).then((r) => r[0]);

	it('a reply after as-of does not change the ticket’s features', async () => {
		const before = await t1('2026-01-02T00:00:00.000Z');
		// Not yet replied at as-of: the 14 hours waited so far stand in for the reply time.
		expect(before.reply_log).toBeCloseTo(Math.log(1 + 14), 12);
		expect(before).toMatchObject({ channel: 'chat', topic: 'SSO', priority: 'high', plan: 'pro', messages: 3, reopened: 0 });
		// One earlier ticket in the 90 days before, one user by then (u2 joined later).
		expect(before.log_prior_tickets_90d).toBeCloseTo(Math.log(2), 12);
		expect(before.log_users).toBeCloseTo(Math.log(2), 12);
		await db.query(`UPDATE tickets SET first_reply_at = '2026-01-07 10:00:00' WHERE ticket_id = 'T1'`);
		try {
			expect(await t1('2026-01-02T00:00:00.000Z')).toEqual(before);
			// Once as-of is past the reply, the reply time is the real one.
			expect((await t1('2026-01-10T00:00:00.000Z')).reply_log).toBeCloseTo(Math.log(1 + 144), 12);
		} finally {
			await db.query(`UPDATE tickets SET first_reply_at = '2026-01-03 10:00:00' WHERE ticket_id = 'T1'`);
		}
	});

	it('answers count only once given: the label is the latest before as-of, history never holds the ticket’s own', async () => {
		expect((await t1('2026-01-04T12:00:00.000Z')).actual_csat).toBeNull();
		expect((await t1('2026-01-05T12:00:00.000Z')).actual_csat).toBe(4);
		const later = await t1('2026-01-10T00:00:00.000Z');
		expect(later.actual_csat).toBe(5);
		// The account's other answer (T0: 2) against the mean of all three (11/3), shrunk with k = 10.
		expect(later.prior_csat_dev).toBeCloseTo((2 - 11 / 3) / (1 + 10), 12);
		expect(later.prior_ces_dev).toBe(0);
	});
});

describe('account sentiment', () => {
	let db: Database;
	beforeAll(async () => {
		db = await memoryDb();
		await db.query(`INSERT INTO accounts (account_id, created_at) VALUES
			('A', '2025-01-01 00:00:00'), ('B', '2025-01-01 00:00:00'), ('C', '2025-01-01 00:00:00'), ('D', '2026-05-01 00:00:00')`);
		await db.query(`CREATE TABLE ticket_predictions (ticket_id VARCHAR, account_id VARCHAR, created_at TIMESTAMP, predicted_csat DOUBLE,
			predicted_ces DOUBLE, actual_csat DOUBLE, actual_ces DOUBLE, csat_version VARCHAR, ces_version VARCHAR, as_of TIMESTAMP)`);
		await db.query(`INSERT INTO ticket_predictions VALUES
			('t1', 'A', '2026-03-20 00:00:00', 4.0, 5.5, 5, NULL, 'v', 'v', '2026-04-01 00:00:00'),
			('t2', 'A', '2026-02-15 00:00:00', 2.0, 2.5, NULL, NULL, 'v', 'v', '2026-04-01 00:00:00'),
			('t3', 'A', '2025-12-01 00:00:00', 1.0, 1.0, NULL, NULL, 'v', 'v', '2026-04-01 00:00:00'),
			('t4', 'C', '2026-03-31 00:00:00', 4.5, 6.0, 1, 1, 'v', 'v', '2026-04-01 00:00:00'),
			('t5', NULL, '2026-03-31 00:00:00', 1.0, 1.0, NULL, NULL, 'v', 'v', '2026-04-01 00:00:00')`);
	});
	afterAll(() => db?.close());

	it('averages the tickets of the last 90 days, actual answers before predictions', async () => {
		// A: t1 = (CSAT 5 actual → 100, CES 5.5 predicted → 50) / 2 = 75; t2 = (2 → −50, 2.5 → −50) / 2 = −50;
		// t3 is older than 90 days. Mean (75 − 50) / 2 = 12.5. B has no tickets. C: (1 → −100, 1 → −100) / 2 = −100.
		// D signed up after as-of; t5 has no account.
		expect(await accountSentiment(db)).toEqual([
			{ account_id: 'A', sentiment: 12.5, tickets: 2, answered: 1 },
			{ account_id: 'B', sentiment: null, tickets: 0, answered: 0 },
			{ account_id: 'C', sentiment: -100, tickets: 1, answered: 1 }
		]);
	});

	it('takes another as-of on request', async () => {
		const rows = await accountSentiment(db, { asOf: '2026-03-01' });
		// The window [1 Dec, 1 Mar) now holds t2 (−50) and t3 (1 and 1 predicted → −100), not t1.
		expect(rows.find((r) => r.account_id === 'A')).toEqual({ account_id: 'A', sentiment: -75, tickets: 2, answered: 0 });
		await expect(accountSentiment(db, { asOf: '1 March' })).rejects.toThrow('as-of must be a date YYYY-MM-DD, got "1 March"');
	});
});
