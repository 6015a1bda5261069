import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/lib/server/db/connection.js';
import { loadFiles } from '../../src/lib/server/ingest/load.js';
import { fixture, memoryDb } from '../helpers.js';

let db: Database;
beforeEach(async () => {
	db = await memoryDb();
});
afterEach(() => db.close());

const snapshot = async () => ({
	accounts: await db.query('SELECT * FROM accounts ORDER BY account_id'),
	tickets: await db.query('SELECT * FROM tickets ORDER BY ticket_id'),
	rejected: await db.query('SELECT count(*) AS n FROM rejected_rows')
});

describe('CSV loading', () => {
	it('loads accounts, converting offsets to UTC and keeping ids exact', async () => {
		const [r] = await loadFiles(db, [fixture('ingest', 'accounts.csv')]);
		expect(r).toMatchObject({ ok: true, table: 'accounts', format: 'csv', accepted: 3, updated: 0, skipped: 0, rejected: 0 });
		expect(r.ignored_columns).toEqual(['favourite_colour']);
		const rows = await db.query('SELECT account_id, created_at, renewal_date, arr, churned_at FROM accounts ORDER BY account_id');
		expect(rows).toEqual([
			{ account_id: '007', created_at: '2024-03-01T00:00:00.000Z', renewal_date: '2025-03-01', arr: 50000, churned_at: null },
			{ account_id: 'A1', created_at: '2024-01-05T10:00:00.000Z', renewal_date: '2025-01-05', arr: 120000, churned_at: null },
			// 08:30 at +02:00 is 06:30 UTC.
			{ account_id: 'A2', created_at: '2024-02-01T06:30:00.000Z', renewal_date: null, arr: 9000, churned_at: '2024-09-01T00:00:00.000Z' }
		]);
	});

	it('rejects each kind of bad row with its line, field and the rule it broke, and loads the good ones', async () => {
		const [, r] = await loadFiles(db, [fixture('ingest', 'accounts.csv'), fixture('ingest', 'tickets.csv')]);
		expect(r).toMatchObject({ ok: true, accepted: 2, rejected: 9 });
		expect(r.rejects).toEqual([
			{ line: 4, field: 'created_at', reason: "type: 'not-a-date' is not a valid ISO 8601 timestamp" },
			{ line: 5, field: 'account_id', reason: "reference: unknown account 'A9' (not in accounts)" },
			{ line: 6, field: 'status', reason: "value set: 'weird' is not one of new, open, pending, hold, solved, closed" },
			{ line: 7, field: 'channel', reason: "value set: 'fax' is not one of web, email, chat, bot, api, phone, other" },
			{ line: 8, field: 'ticket_id', reason: 'required: value missing' },
			{ line: 9, field: 'ticket_id', reason: "duplicate: ticket_id 'T1' appears earlier in this file, at line 2" },
			{ line: 10, field: 'messages', reason: "type: 'many' is not an integer" },
			{ line: 11, field: 'reopened', reason: "type: 'maybe' is not a boolean (true/false, yes/no, 1/0)" },
			{ line: 12, field: null, reason: 'malformed: Expected Number of Columns: 12 Found: 13' }
		]);
		const kept = await db.query<{ load_id: number; file: string; raw: string }>(
			'SELECT load_id, file, raw FROM rejected_rows WHERE line = 4'
		);
		expect(kept).toHaveLength(1);
		expect(kept[0].load_id).toBe(r.load_id);
		expect(kept[0].file).toBe(fixture('ingest', 'tickets.csv'));
		expect(JSON.parse(kept[0].raw)).toMatchObject({ ticket_id: 'T2', created_at: 'not-a-date' });
		const tickets = await db.query(
			'SELECT ticket_id, account_id, subject, tags, messages, reopened, bot_handoff FROM tickets ORDER BY ticket_id'
		);
		expect(tickets).toEqual([
			{
				ticket_id: 'T1',
				account_id: 'A1',
				subject: 'SSO login\nfails',
				tags: ['sso', 'login'],
				messages: 3,
				reopened: false,
				bot_handoff: false
			},
			{ ticket_id: 'T11', account_id: null, subject: 'ok', tags: null, messages: 2, reopened: true, bot_handoff: true }
		]);
	});

	it('checks survey scores against the range of their kind and lower-cases fixed values', async () => {
		await loadFiles(db, [fixture('ingest', 'accounts.csv')]);
		const [r] = await loadFiles(db, [fixture('ingest', 'surveys.csv')]);
		expect(r.rejects).toEqual([
			{ line: 4, field: 'score', reason: 'range: score 7 is outside 1–5 for csat' },
			{ line: 5, field: 'score', reason: 'range: score 0 is outside 1–7 for ces' },
			{ line: 6, field: 'kind', reason: "value set: 'survey' is not one of csat, ces, nps" },
			{ line: 8, field: 'score', reason: "type: 'x' is not a number" }
		]);
		expect(await db.query("SELECT kind, score, context FROM surveys WHERE response_id = 'r6'")).toEqual([
			{ kind: 'ces', score: 6, context: 'self_service' }
		]);
	});

	it('loads several files in dependency order whatever order they are given in', async () => {
		const results = await loadFiles(db, [fixture('ingest', 'users.csv'), fixture('ingest', 'accounts.csv')]);
		expect(results.map((r) => r.table)).toEqual(['accounts', 'users']);
		const users = results[1];
		expect(users).toMatchObject({ accepted: 3, rejected: 1 });
		expect(users.rejects).toEqual([{ line: 5, field: 'account_id', reason: "reference: unknown account 'A404' (not in accounts)" }]);
	});

	it('changes nothing when the same file is loaded again', async () => {
		await loadFiles(db, [fixture('ingest', 'accounts.csv'), fixture('ingest', 'tickets.csv')]);
		const before = await snapshot();
		const again = await loadFiles(db, [fixture('ingest', 'accounts.csv'), fixture('ingest', 'tickets.csv')]);
		expect(again.map((r) => [r.accepted, r.updated, r.skipped, r.rejected])).toEqual([
			[0, 0, 3, 0],
			[0, 0, 2, 9]
		]);
		const after = await snapshot();
		expect(after.accounts).toEqual(before.accounts);
		expect(after.tickets).toEqual(before.tickets);
	});

	it('updates only the columns a newer file supplies, counting changed rows as updated', async () => {
		await loadFiles(db, [fixture('ingest', 'accounts.csv')]);
		const [r] = await loadFiles(db, [fixture('ingest', 'accounts-update.csv')]);
		expect(r).toMatchObject({ table: 'accounts', accepted: 0, updated: 1, skipped: 2, rejected: 0 });
		expect(await db.query("SELECT name, plan, domain, arr FROM accounts WHERE account_id = 'A1'")).toEqual([
			{ name: 'Acme', plan: 'enterprise', domain: 'acme.com', arr: 120000 }
		]);
	});

	it('does not let an older version of a ticket overwrite a newer one', async () => {
		await loadFiles(db, [fixture('ingest', 'accounts.csv'), fixture('ingest', 'tickets.csv')]);
		const older = fixture('ingest', 'tickets-older.csv');
		const [r] = await loadFiles(db, [older]);
		expect(r).toMatchObject({ accepted: 0, updated: 0, skipped: 1 });
		expect(await db.query("SELECT status FROM tickets WHERE ticket_id = 'T1'")).toEqual([{ status: 'open' }]);
	});
});

describe('files that cannot be loaded', () => {
	const cases: [string, string[], string, RegExp][] = [
		['a binary file', [fixture('ingest', 'binary.csv')], '', /binary\.csv: not a CSV, JSON Lines or Parquet file \(binary content\)$/],
		['a header-only file', [fixture('ingest', 'header-only.csv')], 'accounts', /header-only\.csv: no records to load \(only a header\)$/],
		[
			'a file without a required column',
			[fixture('ingest', 'missing-column.csv')],
			'accounts',
			/missing-column\.csv: missing required column created_at for table accounts$/
		],
		['a file not named after a table', [fixture('ingest', 'missing-column.csv')], '', /cannot tell which table this file is for/],
		['a missing file', [fixture('ingest', 'nope.csv')], 'accounts', /nope\.csv: no such file$/]
	];
	for (const [what, files, table, message] of cases) {
		it(`fails on ${what}, changing nothing but a failed row in loads`, async () => {
			await loadFiles(db, [fixture('ingest', 'accounts.csv')]);
			const before = await snapshot();
			const [r] = await loadFiles(db, files, { table: table || undefined });
			expect(r.ok).toBe(false);
			expect(r.error).toMatch(message);
			expect(r.error).not.toContain('\n');
			expect(await snapshot()).toEqual(before);
			const loads = await db.query<{ outcome: string; message: string }>('SELECT outcome, message FROM loads ORDER BY load_id');
			expect(loads.map((l) => l.outcome)).toEqual(['ok', 'failed']);
			expect(loads[1].message).toBe(r.error);
		});
	}
});
