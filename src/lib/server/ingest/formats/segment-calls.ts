/**
 * Segment-spec calls flattened into one temp table, one row per call, whether the file has one call per
 * line or `{"batch": […], "context": …}` wrappers.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { readDocs } from './json-docs.js';
import { count, text, timestamp } from './shared.js';

/** Temp table of the file's top-level JSON values. */
const DOCS = '__seg_docs';

/**
 * Temp table of the calls: `line` (of the call, or of its batch), `pos` (0-based index in the batch, NULL
 * for a call on its own line), `seq` (file order), `prefix` (`batch[3].` for reject fields), `c` (the call,
 * batch context merged in), `raw` (the call's own text), `type`, `message_id`, `uid`, `aid`, `ts` (the
 * timestamp text by the fallback order), `tsp` (it parsed) and `sk` (order by time, then file order).
 */
export const CALLS = '__seg_calls';

/**
 * Reads the file's calls into {@link CALLS} and returns how many there are. Batch-level `context` is
 * merged under each call's own (`json_merge_patch`, so the call's keys win, nested objects merge). The
 * timestamp is `timestamp`, else `originalTimestamp`, else `receivedAt`; `sentAt` is the client's send
 * time, not the event's, so it is never used.
 */
export async function readCalls(conn: DuckDBConnection, file: string): Promise<number> {
	await readDocs(conn, file, DOCS);
	const batch = `json_extract(doc, '$.batch[*]')`;
	await conn.run(`CREATE OR REPLACE TEMP TABLE ${CALLS} AS
		WITH calls AS (
			SELECT line, CAST(NULL AS BIGINT) AS pos, doc AS c, CAST(doc AS VARCHAR) AS raw
			FROM ${DOCS} WHERE json_type(doc, '$.batch') IS DISTINCT FROM 'ARRAY'
			UNION ALL
			SELECT line, pos - 1,
				CASE WHEN json_type(c0) = 'OBJECT' AND json_type(ctx) = 'OBJECT'
					THEN json_merge_patch(json_object('context', ctx), c0) ELSE c0 END,
				CAST(c0 AS VARCHAR)
			FROM (SELECT line, ctx, unnest(l) AS c0, generate_subscripts(l, 1) AS pos
			      -- The list extracted once: unnest and generate_subscripts over the expression would parse it twice.
			      FROM (SELECT line, doc -> 'context' AS ctx, ${batch} AS l FROM ${DOCS} WHERE json_type(doc, '$.batch') = 'ARRAY'))
		), fields AS (
			SELECT line, pos, c, raw,
				CASE WHEN pos IS NOT NULL THEN 'batch[' || pos || '].' END AS prefix,
				lower(${text('c', 'type')}) AS type,
				${text('c', 'messageId')} AS message_id,
				${text('c', 'userId')} AS uid,
				${text('c', 'anonymousId')} AS aid,
				coalesce(${text('c', 'timestamp')}, ${text('c', 'originalTimestamp')}, ${text('c', 'receivedAt')}) AS ts
			FROM calls
		)
		SELECT *, ${timestamp('ts')} AS tsp,
			row_number() OVER (ORDER BY line, pos NULLS FIRST) AS seq,
			row_number() OVER (ORDER BY ${timestamp('ts')} NULLS FIRST, line, pos NULLS FIRST) AS sk
		FROM fields`);
	await conn.run(`DROP TABLE ${DOCS}`);
	return count(conn, `SELECT count(*) FROM ${CALLS}`);
}
