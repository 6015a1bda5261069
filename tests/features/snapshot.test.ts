import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/lib/server/config/config.js';
import type { Database } from '../../src/lib/server/db/connection.js';
import { refreshDerived } from '../../src/lib/server/derive/refresh.js';
import { featureColumns, snapshotSql } from '../../src/lib/server/features/snapshot.js';
import { readSnapshots, saveSnapshots } from '../../src/lib/server/features/store.js';
import { freshDerived } from '../../src/lib/server/derive/derived.js';
import { memoryDb } from '../helpers.js';
import { loadFixture } from '../metrics/fixture.js';

let db: Database;
const config = parseConfig({});
const T = '2024-03-15T00:00:00.000Z';
const END = '2024-04-11T00:00:00.000Z';

async function snapshot(asOf: string) {
	const { rows } = await sql<
		Record<string, unknown>
	>`${snapshotSql(db.kysely, config, [asOf], END, await freshDerived(db.kysely, config))}`.execute(db.kysely);
	return rows;
}
const withoutLabel = (rows: Record<string, unknown>[]) => rows.map(({ label_churned: _, ...r }) => r);

beforeAll(async () => {
	db = await memoryDb();
	await loadFixture(db);
	await db.query(`INSERT INTO loads (file, table_name, started_at, outcome) VALUES ('fixture', 'events', now(), 'ok')`);
	await refreshDerived(db, config);
});
afterAll(() => db.close());

describe('feature snapshots', () => {
	it('computes each feature from rows before the as-of date (A1 on 15 March, worked out by hand)', async () => {
		const rows = await snapshot(T);
		// Live on 15 March: A1 (1 Jan), A2 (10 Jan), A3 (1 Mar); A4 and A5 sign up later.
		expect(rows.map((r) => r.account_id)).toEqual(['A1', 'A2', 'A3']);
		const a1 = rows[0];
		expect(a1).toMatchObject({
			tenure_days: 74, // 1 Jan → 15 Mar 2024: 31 + 29 + 14
			seats: 2, // u1, u2
			events_90d: 9, // f1–f4 (January), e1 (1 Mar), r1–r4 (10 Mar)
			events_30d: 5, // e1, r1–r4 (after 14 Feb)
			events_7d: 4, // r1–r4 (after 8 Mar)
			tickets_90d: 1, // T1
			first_reply_hours_90d: 2, // T1: 10:30 → 12:30
			searches_90d: 2, // s1, s2
			zero_result_searches_90d: 1, // s2
			failed_searches_90d: 1, // s2; s1 had results and a click
			first_value_reached: 1, // Integration Connected on 6 Jan
			first_value_within_30d: 1,
			days_to_first_value: 5,
			milestone_level: 1, // level 1 (invited, integration) held; level 2 lacks dashboard and report
			milestones_held: 3,
			label_churned: null // 15 March + 90 days is after the end of the data
		});
		// ln((5 + 1) / (0 + 1)): five events in the last 30 days, none in the 30 before.
		expect(a1.usage_trend).toBeCloseTo(Math.log(6), 10);
		expect(Object.keys(a1)).toEqual(expect.arrayContaining(featureColumns(config)));
	});

	it('leaks nothing: rows dated on or after the as-of date change no feature', async () => {
		// A ticket open at T, not yet replied to: its reply, when it comes, must not reach back.
		await db.query(
			`INSERT INTO tickets (ticket_id, account_id, requester_id, created_at, subject) VALUES ('X0', 'A2', 'u3', '2024-03-14 09:00:00', 'Invite fails')`
		);
		await db.query(`INSERT INTO loads (file, table_name, started_at, outcome) VALUES ('x0', 'tickets', now(), 'ok')`);
		await refreshDerived(db, config);
		const before = withoutLabel(await snapshot(T));
		// Activity of every kind after T: events (first value, milestones, a confusion burst), tickets with
		// replies, searches, surveys, and a churn.
		await db.query(`INSERT INTO events (event_id, user_id, account_id, event, timestamp, page) VALUES
			('x1', 'u3', 'A2', 'Integration Connected', '2024-03-15 00:00:00', NULL),
			('x2', 'u1', 'A1', 'Dashboard Created', '2024-03-16 00:00:00', NULL),
			('x3', 'u1', 'A1', 'Page Viewed', '2024-03-16 10:00:00', '/settings/sso'),
			('x4', 'u1', 'A1', 'Page Viewed', '2024-03-16 10:00:20', '/settings/sso'),
			('x5', 'u1', 'A1', 'Page Viewed', '2024-03-16 10:00:40', '/settings/sso'),
			('x6', 'u5', 'A3', 'Integration Version Outdated', '2024-03-16 00:00:00', NULL)`);
		await db.query(`INSERT INTO tickets (ticket_id, account_id, requester_id, created_at, first_reply_at, subject, messages, reopened) VALUES
			('X1', 'A1', 'u1', '2024-03-20 10:00:00', '2024-03-20 11:00:00', 'Billing question', 3, true)`);
		await db.query(`UPDATE tickets SET first_reply_at = '2024-03-16 00:00:00', solved_at = '2024-03-17 00:00:00' WHERE ticket_id = 'X0'`);
		await db.query(
			`INSERT INTO kb_searches (search_id, user_id, account_id, query, timestamp, results) VALUES ('xs', 'u1', 'A1', 'sso', '2024-03-15 00:00:00', 0)`
		);
		await db.query(
			`INSERT INTO surveys (response_id, account_id, kind, score, timestamp) VALUES ('xv', 'A1', 'csat', 1, '2024-03-15 00:00:01')`
		);
		await db.query(`INSERT INTO users (user_id, account_id, created_at) VALUES ('u7', 'A1', '2024-03-20 00:00:00')`);
		await db.query(`INSERT INTO loads (file, table_name, started_at, outcome) VALUES ('later', 'events', now(), 'ok')`);
		await refreshDerived(db, config);
		expect(withoutLabel(await snapshot(T))).toEqual(before);
		// The same rows do show up in a later snapshot, so the comparison above could fail.
		const later = (await snapshot('2024-04-01T00:00:00.000Z')).find((r) => r.account_id === 'A1')!;
		expect(later).toMatchObject({ tickets_90d: 2, csat_responses: 3, seats: 3, confusion_bursts_90d: 1 }); // csat: the fixture's two + xv
		expect((await snapshot('2024-04-01T00:00:00.000Z')).find((r) => r.account_id === 'A2')).toMatchObject({
			first_reply_hours_90d: 39,
			first_value_reached: 1
		});
	});

	it('stores snapshots in account_features and reads them back as columns', async () => {
		const n = await saveSnapshots(db, config, [T, '2024-04-01T00:00:00.000Z'], END);
		expect(n).toBe(3 + 4); // A1–A3 on 15 March; A1–A4 on 1 April (A5 signs up at that very moment: not yet live)
		// Saving a date again replaces its rows instead of adding to them.
		expect(await saveSnapshots(db, config, [T], END)).toBe(3);
		const frame = await readSnapshots(db, config, [T]);
		expect(frame.account_id).toEqual(['A1', 'A2', 'A3']);
		expect(frame.categorical.plan).toEqual(['pro', 'starter', 'enterprise']);
		expect(frame.numeric.events_7d[0]).toBe(4);
		expect(frame.label).toEqual([null, null, null]);
	});
});
