import type { DuckDBConnection } from '@duckdb/node-api';
import { runQuery } from '../db/connection.js';
import type { Source } from './source.js';
import { ident, lit } from './sql.js';
import { ERR_SEP, rawExpr } from './validate.js';

/**
 * Writes the rejected records of a checked relation to `rejected_rows` with the file's own line numbers,
 * plus, for CSV, the lines the reader could not split into the header's columns. Returns how many.
 */
export async function recordRejects(
	conn: DuckDBConnection,
	checked: string,
	source: Source,
	hasDups: boolean,
	ctx: { loadId: number; file: string; table: string }
): Promise<number> {
	await conn.run(`CREATE OR REPLACE TEMP TABLE __rej AS
		SELECT p.__ord, split_part(p.__err, ${ERR_SEP}, 1) AS field, split_part(p.__err, ${ERR_SEP}, 2) AS reason,
		       ${hasDups ? 'p.__dup_first' : 'CAST(NULL AS BIGINT)'} AS ref_ord, ${rawExpr(source)} AS raw
		FROM (${checked}) p WHERE p.__err IS NOT NULL`);
	const head = `INSERT INTO rejected_rows (load_id, file, table_name, line, field, reason, raw)`;
	const fixed = `${ctx.loadId}, ${lit(ctx.file)}, ${lit(ctx.table)}`;
	if (source.lines.kind === 'ordinal') {
		await conn.run(`${head} SELECT ${fixed}, __ord, NULLIF(field, ''), reason || coalesce(CAST(ref_ord AS VARCHAR), ''), raw
			FROM __rej ORDER BY __ord`);
	} else {
		await csvLines(conn, source.lines);
		await conn.run(`${head} SELECT ${fixed}, __line(__ord), NULLIF(field, ''), reason || coalesce(CAST(__line(ref_ord) AS VARCHAR), ''), raw
			FROM __rej ORDER BY __ord`);
		await conn.run(`${head} SELECT ${fixed}, __bad_line(line), column_name, 'malformed: ' || error_message, csv_line
			FROM (SELECT DISTINCT line, column_name, error_message, csv_line FROM ${source.lines.rejectsTable}) ORDER BY line`);
	}
	const [{ n }] = await runQuery<{ n: number }>(
		conn,
		`SELECT count(*) AS n FROM rejected_rows WHERE load_id = ${ctx.loadId} AND table_name = ${lit(ctx.table)}`
	);
	return n;
}

/**
 * Defines `__line(ord)` and `__bad_line(reader_line)` for a CSV file. DuckDB numbers records, not lines, and
 * skips the broken ones; so a record's first line is: header + its position among all records (counting
 * the broken ones before it) + the newlines inside quoted fields of earlier records.
 */
async function csvLines(conn: DuckDBConnection, lines: Extract<Source['lines'], { kind: 'csv' }>): Promise<void> {
	const all = `concat_ws('', ${lines.allColumns.map(ident).join(', ')})`;
	// A broken record's position once the broken records before it are taken out.
	await conn.run(`CREATE OR REPLACE TEMP TABLE __bad AS
		SELECT line - (row_number() OVER (ORDER BY line) - 1) AS v FROM (SELECT DISTINCT line FROM ${lines.rejectsTable})`);
	await conn.run(`CREATE OR REPLACE TEMP MACRO __rec(o) AS 1 + o + (SELECT count(*) FROM __bad WHERE v <= 1 + o)`);
	await conn.run(`CREATE OR REPLACE TEMP TABLE __nl AS
		SELECT __ord, __rec(__ord) AS rec, sum(nl) OVER (ORDER BY __ord) AS cum FROM (
			SELECT ordinality AS __ord, length(x) - length(replace(x, chr(10), '')) AS nl
			FROM (SELECT ${all} AS x, ordinality FROM ${lines.reader} WITH ORDINALITY) WHERE contains(x, chr(10)))`);
	await conn.run(`CREATE OR REPLACE TEMP MACRO __line(o) AS __rec(o) + coalesce((SELECT max(cum) FROM __nl WHERE __nl.__ord < o), 0)`);
	await conn.run(`CREATE OR REPLACE TEMP MACRO __bad_line(r) AS r + coalesce((SELECT max(cum) FROM __nl WHERE __nl.rec < r), 0)`);
}
