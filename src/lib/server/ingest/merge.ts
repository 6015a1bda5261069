import type { DuckDBConnection } from '@duckdb/node-api';
import { runQuery } from '../db/connection.js';
import { touchEverything, touchRows } from '../facts/touched.js';
import type { TableSpec } from './contract.js';
import { ident } from './sql.js';

/** What merging a file's good rows did to its table. */
export interface MergeCounts {
	/** New rows. */
	accepted: number;
	/** Existing rows (same id) whose supplied columns changed. */
	updated: number;
	/** Existing rows left as they were: unchanged re-sends, or older than the stored version. */
	skipped: number;
}

async function count(conn: DuckDBConnection, sql: string): Promise<number> {
	const rows = await runQuery<Record<string, number>>(conn, sql);
	return Number(Object.values(rows[0] ?? { n: 0 })[0] ?? 0);
}

/**
 * Merges the rows of `goodRows` (a SELECT of the supplied `columns`) into `spec`'s table, matching by id:
 * new ids are inserted; an existing row gets the supplied columns only, and only when one differs (so
 * re-loading a file changes nothing, and a file with fewer columns erases none). When the file supplies
 * the table's version column, a row older than the stored one is skipped. Into an empty table the rows go
 * straight from the reader, with no staging table and no anti-join. The keys of the rows changed (their
 * old and new versions) are recorded for the fact tables (see `facts/touched.ts`).
 */
export async function mergeRows(
	conn: DuckDBConnection,
	spec: TableSpec,
	columns: string[],
	goodRows: string,
	options: { updateOnly?: boolean } = {}
): Promise<MergeCounts> {
	const table = ident(spec.name);
	const key = ident(spec.key);
	const cols = columns.map(ident).join(', ');
	const empty = (await count(conn, `SELECT count(*) FROM (SELECT 1 FROM ${table} LIMIT 1)`)) === 0;
	if (empty && !options.updateOnly) {
		await touchEverything(conn, spec.name);
		const accepted = await count(conn, `INSERT INTO ${table} (${cols}) SELECT ${cols} FROM (${goodRows})`);
		return { accepted, updated: 0, skipped: 0 };
	}
	await conn.run(`CREATE OR REPLACE TEMP TABLE __stage AS SELECT ${cols} FROM (${goodRows})`);
	const staged = await count(conn, 'SELECT count(*) FROM __stage');
	// The stored versions of the staged ids, found in one scan of the table (the staged ids are the small,
	// hashed side): they are what the change touches before, and which ids are new.
	const versions = `SELECT * FROM ${table} WHERE ${key} IN (SELECT ${key} FROM __stage)`;
	await conn.run(`CREATE OR REPLACE TEMP TABLE __before AS ${versions}`);
	await touchRows(conn, spec.name, 'SELECT * FROM __before');
	const changed = columns.filter((c) => c !== spec.key);
	const existing = await count(conn, 'SELECT count(*) FROM __before');
	let updated = 0;
	// Without stored versions there is nothing to update, and no reason to scan the table again.
	if (changed.length && existing > 0) {
		const differs = changed.map((c) => `t.${ident(c)} IS DISTINCT FROM s.${ident(c)}`).join(' OR ');
		const v = spec.versionColumn && columns.includes(spec.versionColumn) ? ident(spec.versionColumn) : undefined;
		const newer = v ? ` AND (s.${v} IS NULL OR t.${v} IS NULL OR s.${v} >= t.${v})` : '';
		updated = await count(
			conn,
			`UPDATE ${table} AS t SET ${changed.map((c) => `${ident(c)} = s.${ident(c)}`).join(', ')}
			 FROM __stage AS s WHERE t.${key} = s.${key} AND (${differs})${newer}`
		);
	}
	const accepted = options.updateOnly
		? 0
		: await count(
				conn,
				`INSERT INTO ${table} (${cols}) SELECT ${cols} FROM __stage AS s WHERE s.${key} NOT IN (SELECT ${key} FROM __before)`
			);
	if (accepted + updated > 0) {
		await conn.run(`CREATE OR REPLACE TEMP TABLE __after AS ${versions}`);
		await touchRows(conn, spec.name, 'SELECT * FROM __after');
		await conn.run('DROP TABLE __after');
	}
	await conn.run('DROP TABLE __stage');
	await conn.run('DROP TABLE __before');
	return { accepted, updated, skipped: staged - accepted - updated };
}
