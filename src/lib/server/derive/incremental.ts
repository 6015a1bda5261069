/**
 * Keeps the stored fact tables current inside a load's transaction: for each table fresh before the load
 * (built from this config, up to the previous load), the rows of the keys the load touched (see
 * `facts/touched.ts`) are deleted and rebuilt from the data as the load leaves it, and the table is marked
 * fresh up to this load. So no reader ever sees new rows without their facts, and a small load costs a
 * few small queries instead of a full rebuild. A stale table is left stale: `derive/refresh.ts` rebuilds
 * it whole after the load.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { sql, type Kysely } from 'kysely';
import type { Config } from '../config/config.js';
import { runQuery } from '../db/connection.js';
import type { Schema } from '../db/schema.js';
import type { TouchScope } from '../facts/fact.js';
import { FACTS } from '../facts/registry.js';
import { freshDerived } from './derived.js';

/** What one table's incremental update did. */
export interface FactUpdate {
	name: string;
	/** Rows deleted and inserted for the touched keys. */
	deleted: number;
	inserted: number;
	seconds: number;
}

const SCOPE_TABLE: Record<TouchScope, string> = { users: '__touched_users', accounts: '__touched_accounts', days: '__touched_days' };

async function one(conn: DuckDBConnection, sqlText: string, params: unknown[] = []): Promise<number> {
	const rows = await runQuery<Record<string, number>>(conn, sqlText, params);
	return Number(Object.values(rows[0] ?? { n: 0 })[0] ?? 0);
}

/**
 * Updates the fact tables for load `loadId` on the load's connection, before it commits. `kysely` only
 * compiles the SQL. Returns what was updated; the tables not listed were stale (or the load touched
 * everything in a table, e.g. its first load) and stay stale.
 */
export async function updateFacts(conn: DuckDBConnection, kysely: Kysely<Schema>, config: Config, loadId: number): Promise<FactUpdate[]> {
	if ((await one(conn, 'SELECT count(*) FROM __touched_everything')) > 0) return [];
	// Read on another connection, so as committed before this load: the tables fresh up to the previous load.
	const fresh = await freshDerived(kysely, config);
	const touchedScopes = new Set<TouchScope>();
	for (const scope of Object.keys(SCOPE_TABLE) as TouchScope[]) {
		if ((await one(conn, `SELECT count(*) FROM (SELECT 1 FROM ${SCOPE_TABLE[scope]} LIMIT 1)`)) > 0) touchedScopes.add(scope);
	}
	const updates: FactUpdate[] = [];
	// Tables later in the build order read the fresh ones before them, already updated here.
	const built = new Set<string>();
	for (const table of FACTS) {
		if (!fresh.has(table.name)) continue;
		const t0 = performance.now();
		let deleted = 0;
		let inserted = 0;
		if (touchedScopes.has(table.scope)) {
			const del = sql`DELETE FROM ${sql.table(table.name)} WHERE ${table.touchedRows}`.compile(kysely);
			deleted = await one(conn, del.sql, del.parameters as unknown[]);
			const ins = sql`INSERT INTO ${sql.table(table.name)} ${table.build(config, built, true)}`.compile(kysely);
			inserted = await one(conn, ins.sql, ins.parameters as unknown[]);
		}
		await conn.run(`UPDATE derived_meta SET load_id = $1, rows = rows - $2 + $3, refreshed_at = now() WHERE name = $4`, [
			loadId,
			deleted,
			inserted,
			table.name
		]);
		built.add(table.name);
		updates.push({ name: table.name, deleted, inserted, seconds: (performance.now() - t0) / 1000 });
	}
	return updates;
}
