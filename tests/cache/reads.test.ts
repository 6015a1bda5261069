/**
 * The read cache (`cache/reads.ts`): a read on unchanged data is not recomputed, identical reads that miss
 * together compute once, and the first read after a committed load or scoring run recomputes: never a
 * stale result after a write. Also through an endpoint, with a real load in between.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachedRead, clearReadCache } from '../../src/lib/server/cache/reads.js';
import { openDatabase, type Database } from '../../src/lib/server/db/connection.js';
import { loadFiles } from '../../src/lib/server/ingest/load.js';
import { GET } from '../../src/routes/api/metrics/+server.js';
import { fixture, memoryDb, tempDir } from '../helpers.js';

describe('cachedRead', () => {
	let db: Database;
	beforeAll(async () => {
		db = await memoryDb();
		clearReadCache();
	});
	afterAll(() => db.close());

	it('computes once per data version, once for identical reads that miss together, and again after a write', async () => {
		let computed = 0;
		const read = () =>
			cachedRead(db, ['count', { plan: 'pro' }], async () => {
				computed++;
				await new Promise((r) => setTimeout(r, 20));
				return { n: computed };
			});
		const together = await Promise.all([read(), read(), read(), read()]);
		expect(computed).toBe(1);
		expect(together.map((r) => r.n)).toEqual([1, 1, 1, 1]);
		expect(await read()).toEqual({ n: 1 });
		expect(computed).toBe(1);
		// Another key is another read.
		await cachedRead(db, ['count', { plan: 'starter' }], async () => ({ n: -1 }));
		expect(computed).toBe(1);
		// A committed load (even one that failed) advances the data version.
		await db.query(`INSERT INTO loads (load_id, file, started_at, outcome) VALUES (nextval('load_id_seq'), 'x.csv', now(), 'failed')`);
		expect(await read()).toEqual({ n: 2 });
		// So does a scoring run.
		await db.query(`INSERT INTO account_scores VALUES ('A1', '2024-04-01', 'churn', 'v1', 0.5, 0.5, 'high', 50, 0.5, NULL, NULL, now())`);
		expect(await read()).toEqual({ n: 3 });
		expect(computed).toBe(3);
	});

	it('does not keep a failed computation', async () => {
		let calls = 0;
		const failing = () =>
			cachedRead(db, ['flaky'], async () => {
				calls++;
				if (calls === 1) throw new Error('boom');
				return 'ok';
			});
		await expect(failing()).rejects.toThrow('boom');
		await expect(failing()).resolves.toBe('ok');
	});
});

describe('GET /api/metrics through the cache', () => {
	const dir = tempDir('adoption-cache-');
	const file = path.join(dir, 'cache.duckdb');
	const saved = process.env.ADOPTION_DB;
	afterAll(() => {
		if (saved === undefined) delete process.env.ADOPTION_DB;
		else process.env.ADOPTION_DB = saved;
		fs.rmSync(dir, { recursive: true, force: true });
	});
	const volume = async () => {
		const res = await (GET as unknown as (e: { url: URL }) => Promise<Response>)({
			url: new URL('http://localhost/api/metrics?metrics=ticket_volume')
		});
		return (await res.json()).ticket_volume as number;
	};

	it('answers the new numbers right after a load commits', async () => {
		const db = await openDatabase(file, { threads: 1 });
		await loadFiles(db, [fixture('ingest', 'accounts.csv'), fixture('ingest', 'tickets.csv')]);
		const before = (await db.query<{ n: number }>(`SELECT count(*) AS n FROM tickets`))[0].n;
		db.close();
		process.env.ADOPTION_DB = file;
		expect(await volume()).toBe(before);
		expect(await volume()).toBe(before);

		const more = path.join(dir, 'tickets-more.csv');
		fs.writeFileSync(more, 'ticket_id,account_id,created_at\nNEW1,A1,2024-03-20T10:00:00Z\nNEW2,A1,2024-03-21T10:00:00Z\n');
		const writer = await openDatabase(file, { threads: 1 });
		await loadFiles(writer, [more]);
		writer.close();
		expect(await volume()).toBe(before + 2);
	});
});
