import type { DuckDBConnection } from '@duckdb/node-api';
import { runQuery } from '../db/connection.js';
import type { TableSpec } from './contract.js';
import { FileError } from './detect.js';
import { mergeRows, type MergeCounts } from './merge.js';
import { recordRejects } from './rejects.js';
import type { Source } from './source.js';
import { checkedRelation, keyExpr } from './validate.js';

/** Counts of one file's records in its main table. */
export interface IngestCounts extends MergeCounts {
	rejected: number;
}

/**
 * Validates and merges one source into its table, inside the caller's transaction, in as few passes
 * over the file as it can: one pass finds duplicate ids (a GROUP BY that also counts the records), one
 * inserts or stages the good rows, and only when some records were bad does a third write them to
 * `rejected_rows`. A file with no records at all is a {@link FileError}.
 */
export async function ingestSource(
	conn: DuckDBConnection,
	source: Source,
	spec: TableSpec,
	ctx: { loadId: number; file: string }
): Promise<IngestCounts> {
	const k = keyExpr(source, spec);
	await conn.run(`CREATE OR REPLACE TEMP TABLE __dups AS
		SELECT k, min(__ord) AS first_ord, count(*) AS n, grouping(k) AS g
		FROM (SELECT ${k} AS k, s.__ord FROM (${source.relation}) s)
		GROUP BY GROUPING SETS ((k), ())
		HAVING grouping(k) = 1 OR (k IS NOT NULL AND count(*) > 1)`);
	const stats = await runQuery<{ total: number; dups: number }>(
		conn,
		`SELECT coalesce(max(n) FILTER (WHERE g = 1), 0) AS total, count(*) FILTER (WHERE g = 0) AS dups FROM __dups`
	);
	const { total, dups } = stats[0];
	if (total === 0 && source.lines.kind !== 'csv' && !source.allowEmpty) throw new FileError(`${ctx.file}: no records to load`);
	const structural = source.lines.kind === 'csv' ? await countRows(conn, `SELECT count(DISTINCT line) AS n FROM ${source.lines.rejectsTable}`) : 0;
	if (total === 0 && structural === 0 && !source.allowEmpty) throw new FileError(`${ctx.file}: no records to load (only a header)`);

	const checked = checkedRelation(source, spec, dups > 0 ? '__dups' : undefined);
	const columns = [...source.columns.keys()];
	const merged = await mergeRows(conn, spec, columns, `SELECT * FROM (${checked}) WHERE __err IS NULL`, {
		updateOnly: source.updateOnly
	});
	const good = merged.accepted + merged.updated + merged.skipped;
	let rejected = 0;
	if (good < total || structural > 0) {
		rejected = await recordRejects(conn, checked, source, dups > 0, { ...ctx, table: spec.name });
	}
	return { ...merged, skipped: merged.skipped + (source.skipped ?? 0), rejected };
}

async function countRows(conn: DuckDBConnection, sql: string): Promise<number> {
	const rows = await runQuery<{ n: number }>(conn, sql);
	return rows[0]?.n ?? 0;
}
