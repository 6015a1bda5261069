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
 * over the file as it can. When the source has a fast (position-free, parallel) relation, one pass counts
 * the records and looks for repeated ids by 64-bit hash; with none, a second inserts the good rows straight
 * from it. Only when records are bad is the file read again with positions, to report them by line; a file
 * whose ids may repeat takes the exact path: a pass that finds repeated ids with their first positions, then
 * the merge with duplicates rejected. A file with no records at all is a {@link FileError}.
 */
export async function ingestSource(
	conn: DuckDBConnection,
	source: Source,
	spec: TableSpec,
	ctx: { loadId: number; file: string }
): Promise<IngestCounts> {
	const k = keyExpr(source, spec);
	const columns = [...source.columns.keys()];
	const structuralRejects = async () =>
		source.lines.kind === 'csv' ? countRows(conn, `SELECT count(DISTINCT line) AS n FROM ${source.lines.rejectsTable}`) : 0;
	const finish = async (merged: MergeCounts, total: number, exact: string, hasDups: boolean) => {
		const good = merged.accepted + merged.updated + merged.skipped;
		const structural = await structuralRejects();
		const rejected = good < total || structural > 0 ? await recordRejects(conn, exact, source, hasDups, { ...ctx, table: spec.name }) : 0;
		return { ...merged, skipped: merged.skipped + (source.skipped ?? 0), rejected };
	};

	if (source.fastRelation) {
		const [probe] = await runQuery<{ total: number; repeated: number }>(
			conn,
			`SELECT coalesce(sum(c), 0) AS total, count(*) FILTER (WHERE c > 1 AND NOT missing) AS repeated
			 FROM (SELECT hash(${k}) AS h, ${k} IS NULL AS missing, count(*) AS c FROM (${source.fastRelation}) s GROUP BY h, missing)`
		);
		await assertRecords(probe.total, await structuralRejects(), source, ctx.file);
		if (probe.repeated === 0) {
			const fast = checkedRelation({ ...source, relation: source.fastRelation }, spec);
			const merged = await mergeRows(conn, spec, columns, `SELECT * FROM (${fast}) WHERE __err IS NULL`, { updateOnly: source.updateOnly });
			return finish(merged, probe.total, checkedRelation(source, spec), false);
		}
	}

	await conn.run(`CREATE OR REPLACE TEMP TABLE __dups AS
		SELECT k, min(__ord) AS first_ord, count(*) AS n, grouping(k) AS g
		FROM (SELECT ${k} AS k, s.__ord FROM (${source.relation}) s)
		GROUP BY GROUPING SETS ((k), ())
		HAVING grouping(k) = 1 OR (k IS NOT NULL AND count(*) > 1)`);
	const [{ total, dups }] = await runQuery<{ total: number; dups: number }>(
		conn,
		`SELECT coalesce(max(n) FILTER (WHERE g = 1), 0) AS total, count(*) FILTER (WHERE g = 0) AS dups FROM __dups`
	);
	await assertRecords(total, await structuralRejects(), source, ctx.file);
	const checked = checkedRelation(source, spec, dups > 0 ? '__dups' : undefined);
	const merged = await mergeRows(conn, spec, columns, `SELECT * FROM (${checked}) WHERE __err IS NULL`, { updateOnly: source.updateOnly });
	return finish(merged, total, checked, dups > 0);
}

/** A file with no records (or a CSV with only a header) cannot be loaded, unless its format allows it. */
async function assertRecords(total: number, structural: number, source: Source, file: string): Promise<void> {
	if (total > 0 || structural > 0 || source.allowEmpty) return;
	throw new FileError(source.lines.kind === 'csv' ? `${file}: no records to load (only a header)` : `${file}: no records to load`);
}

async function countRows(conn: DuckDBConnection, sql: string): Promise<number> {
	const rows = await runQuery<{ n: number }>(conn, sql);
	return rows[0]?.n ?? 0;
}
