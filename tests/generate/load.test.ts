import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate } from '../../src/lib/server/generate/generate.js';
import { loadFiles } from '../../src/lib/server/ingest/load.js';
import { memoryDb, tempDir } from '../helpers.js';

describe('a generated data set', () => {
	it('loads file by file with zero rejected rows, in every format the generator writes', async () => {
		const dir = tempDir();
		await generate({ out: dir, accounts: 500, seed: 3, threads: 1 });
		const files = fs
			.readdirSync(dir)
			.filter((f) => f !== 'README.md')
			.map((f) => path.join(dir, f));
		const db = await memoryDb();
		const results = await loadFiles(db, files);
		for (const r of results) {
			expect(r.ok, `${r.file}: ${r.error}`).toBe(true);
			expect(r.rejected, `${r.file}: ${JSON.stringify(r.rejects.slice(0, 3))}`).toBe(0);
			for (const [table, c] of Object.entries(r.derived)) expect(c.rejected, `${r.file} → ${table}`).toBe(0);
		}
		expect(new Set(results.map((r) => r.format))).toEqual(new Set(['csv', 'jsonl', 'parquet', 'segment', 'zendesk']));
		// The Parquet and JSON Lines events are the same records: the second file changes nothing.
		const [first, second] = results.filter((r) => /events\.(jsonl|parquet)$/.test(r.file));
		expect(second).toMatchObject({ accepted: 0, updated: 0, skipped: first.accepted });
		// Zendesk requesters and organizations resolve through the identity map to product users and accounts.
		const [zd] = await db.query<{ n: number; resolved: number; with_account: number }>(
			`SELECT count(*) AS n, count(*) FILTER (WHERE requester_id IN (SELECT user_id FROM users)) AS resolved,
			        count(account_id) AS with_account FROM tickets WHERE channel_raw IS NOT NULL`
		);
		expect(zd.n).toBeGreaterThan(100);
		expect(zd.resolved).toBe(zd.n);
		expect(zd.with_account).toBe(zd.n);
		const [truth] = await db.query<{ n: number }>('SELECT count(*) AS n FROM truth');
		expect(truth.n).toBe(500);
		db.close();
	});
});
