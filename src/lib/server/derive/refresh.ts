import { runQuery, type Database } from '../db/connection.js';
import type { Config } from '../config/config.js';
import { FACTS } from '../facts/registry.js';
import { freshDerived } from './derived.js';

/** How long rebuilding one fact table took. */
export interface RefreshTiming {
	name: string;
	rows: number;
	seconds: number;
}

/**
 * Rebuilds the stale fact tables (all of them with `all`) whole from the current data and config, each in
 * its own transaction with its `derived_meta` row, so a failure leaves the old table (marked stale by the
 * newer load) in place. Loads keep fresh tables current themselves (see `derive/incremental.ts`), so after
 * a load this rebuilds only what a load could not: a table's first data, or a changed config.
 */
export async function refreshDerived(db: Database, config: Config, options: { all?: boolean } = {}): Promise<RefreshTiming[]> {
	const fresh = options.all ? new Set<string>() : await freshDerived(db.kysely, config);
	const conn = await db.connect();
	const timings: RefreshTiming[] = [];
	try {
		const [{ latest }] = await runQuery<{ latest: number | null }>(conn, `SELECT max(load_id) AS latest FROM loads WHERE outcome = 'ok'`);
		// A table reads the fresh ones and those rebuilt before it (first value and the funnel read the key events).
		const usable = new Set(fresh);
		for (const d of FACTS) {
			if (fresh.has(d.name)) continue;
			const t0 = performance.now();
			const compiled = d.build(config, new Set(usable)).compile(db.kysely);
			await conn.run('BEGIN TRANSACTION');
			try {
				await conn.run(`CREATE OR REPLACE TABLE ${d.name} AS ${compiled.sql}`, compiled.parameters as never);
				const [{ n }] = await runQuery<{ n: number }>(conn, `SELECT count(*) AS n FROM ${d.name}`);
				const seconds = (performance.now() - t0) / 1000;
				await conn.run('DELETE FROM derived_meta WHERE name = $1', [d.name]);
				await conn.run('INSERT INTO derived_meta VALUES ($1, $2, $3, $4, $5, now())', [d.name, d.signature(config), latest, n, seconds]);
				await conn.run('COMMIT');
				timings.push({ name: d.name, rows: n, seconds });
				usable.add(d.name);
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
