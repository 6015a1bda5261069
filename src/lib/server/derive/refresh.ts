import { runQuery, type Database } from '../db/connection.js';
import type { Config } from '../config/config.js';
import { factBuilds } from '../facts/registry.js';

/** How long rebuilding one derived table took. */
export interface RefreshTiming {
	name: string;
	rows: number;
	seconds: number;
}

/**
 * Rebuilds every derived table from the current data and config, each in its own transaction with its
 * `derived_meta` row, so a failure leaves the old table (marked stale by the newer load) in place.
 */
export async function refreshDerived(db: Database, config: Config): Promise<RefreshTiming[]> {
	const conn = await db.connect();
	const timings: RefreshTiming[] = [];
	try {
		const [{ latest }] = await runQuery<{ latest: number | null }>(conn, `SELECT max(load_id) AS latest FROM loads WHERE outcome = 'ok'`);
		for (const { table: d, query } of factBuilds(config)) {
			const t0 = performance.now();
			const compiled = query.compile(db.kysely);
			await conn.run('BEGIN TRANSACTION');
			try {
				await conn.run(`CREATE OR REPLACE TABLE ${d.name} AS ${compiled.sql}`, compiled.parameters as never);
				const [{ n }] = await runQuery<{ n: number }>(conn, `SELECT count(*) AS n FROM ${d.name}`);
				const seconds = (performance.now() - t0) / 1000;
				await conn.run('DELETE FROM derived_meta WHERE name = $1', [d.name]);
				await conn.run('INSERT INTO derived_meta VALUES ($1, $2, $3, $4, $5, now())', [d.name, d.signature(config), latest, n, seconds]);
				await conn.run('COMMIT');
				timings.push({ name: d.name, rows: n, seconds });
			} catch (err) {
				await conn.run('ROLLBACK');
				throw err;
			}
		}
	} finally {
		conn.closeSync();
	}
	return timings;
}
