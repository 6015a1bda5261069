import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/lib/server/db/connection.js';
import { loadFiles } from '../../src/lib/server/ingest/load.js';
import { fixture, memoryDb, tempDir } from '../helpers.js';

let db: Database;
beforeEach(async () => {
	db = await memoryDb();
	await loadFiles(db, [fixture('ingest', 'accounts.csv')]);
});
afterEach(() => db.close());

describe('JSON Lines', () => {
	it('loads events with their properties and rejects bad lines by line number', async () => {
		const [r] = await loadFiles(db, [fixture('ingest', 'events.jsonl')]);
		expect(r).toMatchObject({ ok: true, table: 'events', format: 'jsonl', accepted: 3, rejected: 3 });
		expect(r.ignored_columns).toEqual(['extra']);
		expect(r.rejects).toEqual([
			{ line: 3, field: 'timestamp', reason: "type: 'yesterday' is not a valid ISO 8601 timestamp" },
			{ line: 4, field: null, reason: 'malformed: not valid JSON, or an object with none of the table’s columns' },
			{ line: 5, field: 'properties', reason: `type: '"not an object"' is not a JSON object` }
		]);
		const rows = await db.query<{ event_id: string; timestamp: string; properties: string | null; account_id: string | null }>(
			'SELECT event_id, timestamp, properties, account_id FROM events ORDER BY timestamp'
		);
		expect(rows.map((e) => [e.event_id, e.timestamp, e.account_id])).toEqual([
			['e1', '2024-03-01T09:00:00.000Z', 'A1'],
			['e2', '2024-03-02T12:00:00.000Z', 'A1'],
			// A 13-digit numeric id keeps its exact digits; an empty account is allowed.
			['1234567890123', '2024-03-04T00:00:00.000Z', null]
		]);
		expect(JSON.parse(rows[0].properties!)).toEqual({ provider: 'salesforce', version: 2 });
	});
});

describe('Parquet', () => {
	it('loads typed columns and reports bad rows by row number', async () => {
		const dir = tempDir();
		const file = path.join(dir, 'events.parquet');
		await db.query(`COPY (
			SELECT 'p' || i AS event_id, 'u1' AS user_id,
			       CASE WHEN i = 3 THEN 'A9' ELSE 'A1' END AS account_id,
			       CASE WHEN i = 4 THEN NULL ELSE 'Workflow Triggered' END AS event,
			       TIMESTAMP '2024-05-01 00:00:00' + INTERVAL (i) HOUR AS timestamp,
			       {'plan': 'pro', 'n': i} AS properties
			FROM range(1, 6) t(i)) TO '${file}' (FORMAT parquet)`);
		const [r] = await loadFiles(db, [file]);
		expect(r).toMatchObject({ ok: true, format: 'parquet', accepted: 3, rejected: 2 });
		expect(r.rejects).toEqual([
			{ line: 3, field: 'account_id', reason: "reference: unknown account 'A9' (not in accounts)" },
			{ line: 4, field: 'event', reason: 'required: value missing' }
		]);
		const rows = await db.query<{ event_id: string; timestamp: string; properties: string }>(
			"SELECT event_id, timestamp, properties FROM events WHERE event_id = 'p5'"
		);
		expect(rows[0].timestamp).toBe('2024-05-01T05:00:00.000Z');
		expect(JSON.parse(rows[0].properties)).toEqual({ plan: 'pro', n: 5 });
	});

	it('fails on a file that claims to be Parquet but is not', async () => {
		const [r] = await loadFiles(db, [fixture('ingest', 'accounts.csv')], { format: 'parquet' });
		expect(r.ok).toBe(false);
		expect(r.error).toMatch(/accounts\.csv: not a Parquet file/);
	});
});
