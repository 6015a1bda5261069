/**
 * SQL snippets and helpers shared by the Segment and Zendesk openers.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { runQuery } from '../../db/connection.js';
import { tableSpec, type TableName } from '../contract.js';
import { ingestSource, type IngestCounts } from '../ingest.js';
import type { Source } from '../source.js';
import { lit } from '../sql.js';

/** The text at `path` (`'$.via.channel'`, or a plain key) of JSON `expr`; NULL when absent, JSON null or empty. */
export function text(expr: string, path: string): string {
	return `NULLIF(${expr} ->> ${lit(path)}, '')`;
}

/** The JSON at `path` of `expr`, with a JSON `null` as SQL NULL (so a null value is "not supplied", not a bad one). */
export function json(expr: string, path: string): string {
	return `CASE WHEN json_type(${expr}, ${lit(path)}) IS DISTINCT FROM 'NULL' THEN json_extract(${expr}, ${lit(path)}) END`;
}

/** Text parsed as a UTC timestamp the way validation parses it (offsets honoured), NULL when it is not one. */
export function timestamp(expr: string): string {
	return `TRY_CAST(TRY_CAST(${expr} AS TIMESTAMPTZ) AS TIMESTAMP)`;
}

/** A key in a comparable form: lower case, letters and digits only (`Created At`, `created_at`, `createdAt` → `createdat`). */
function normKey(expr: string): string {
	return `regexp_replace(lower(${expr}), '[^a-z0-9]', '', 'g')`;
}

/**
 * The entries (key, JSON value) of the object at `path` of `expr`, NULL when it is not an object. Traits are
 * read as entries rather than by JSON path because their keys are free text, spaces included.
 */
export function entries(expr: string, path: string): string {
	return `CASE WHEN json_type(${expr}, ${lit(path)}) = 'OBJECT' THEN map_entries(CAST(json_extract(${expr}, ${lit(path)}) AS MAP(VARCHAR, JSON))) END`;
}

/**
 * The text of the first non-null entry whose key matches one of `names` when compared by {@link normKey}
 * (`names` are given in that form: `createdat` matches `createdAt`, `created_at` and `Created At`).
 */
export function pick(entriesExpr: string, names: string[]): string {
	const set = names.map(lit).join(', ');
	return `NULLIF((list_filter(${entriesExpr}, lambda e: e.value IS NOT NULL AND ${normKey('e.key')} IN (${set}))[1]).value ->> '$', '')`;
}

/** A domain from a domain or a URL: lower case, without scheme, `www.` or path, so it compares with `accounts.domain`. */
export function domain(expr: string): string {
	return `NULLIF(regexp_replace(regexp_replace(lower(trim(${expr})), '^[a-z][a-z0-9+.-]*://', ''), '^www\\.|[/?#:].*$', '', 'g'), '')`;
}

/** The number of rows of a query's first column, as a JS number. */
export async function count(conn: DuckDBConnection, sql: string): Promise<number> {
	const rows = await runQuery<Record<string, number>>(conn, sql);
	return Number(Object.values(rows[0] ?? {})[0] ?? 0);
}

/**
 * Validates and merges rows a file yields in another table (Segment accounts and users, Zendesk rating
 * surveys) through the same path as the main table, so their rejects land in `rejected_rows` under that
 * table; an empty sub-source is fine (a file need not have ratings).
 */
export function ingestDerived(
	conn: DuckDBConnection,
	source: Source,
	table: TableName,
	ctx: { loadId: number; file: string }
): Promise<IngestCounts> {
	return ingestSource(conn, { ...source, allowEmpty: true }, tableSpec(table), ctx);
}
