/**
 * The records of a Zendesk export, whatever its wrapper: `{"tickets": […], "meta": …, "links": …}` (list
 * API), `{"tickets": […], "count": …, "end_of_stream": …, "next_page": …}` (incremental API, one page per
 * file or one page per line), or one record per line.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { ZendeskKind } from '../detect.js';
import { readDocs } from './json-docs.js';
import { count, text, timestamp } from './shared.js';

const DOCS = '__zd_docs';

/**
 * Temp table of the records: `ord` (see {@link readRecords}), `rec` (the record), `raw` (its text) and
 * `version` (its `updated_at`, parsed), in file order.
 */
export const RECORDS = '__zd_records';

/** Keys of a page that carries no records of its own (the last, empty page of an incremental export). */
const PAGE_KEYS = ['next_page', 'previous_page', 'end_of_stream', 'count', 'meta', 'links', 'after_url', 'before_url', 'end_time'];

/**
 * Reads the records of a Zendesk export of `kind` into {@link RECORDS}. A record's `__ord` is its line when
 * the file has one record per line; records inside a wrapper have no line of their own, so theirs is the
 * record's position in the file (from 1, counting across pages). A page with no records is not a
 * record. Returns the number of records and of wrappers (a file of empty pages is still an export).
 */
export async function readRecords(conn: DuckDBConnection, file: string, kind: ZendeskKind): Promise<{ records: number; pages: number }> {
	await readDocs(conn, file, DOCS);
	const list = `json_extract(doc, '$.${kind}[*]')`;
	const isPage = `(json_exists(doc, '$.${kind}') OR (NOT json_exists(doc, '$.id') AND NOT json_exists(doc, '$.ticket_id') AND (${PAGE_KEYS.map((k) => `json_exists(doc, '$.${k}')`).join(' OR ')})))`;
	await conn.run(`CREATE OR REPLACE TEMP TABLE ${DOCS}_kind AS
		SELECT line, doc, coalesce(json_type(doc) = 'OBJECT' AND ${isPage}, false) AS page FROM ${DOCS}`);
	const pages = await count(conn, `SELECT count(*) FROM ${DOCS}_kind WHERE page`);
	const ord = pages > 0 ? 'row_number() OVER (ORDER BY line, pos)' : 'line';
	await conn.run(`CREATE OR REPLACE TEMP TABLE ${RECORDS} AS
		SELECT ${ord} AS ord, rec, CAST(rec AS VARCHAR) AS raw, ${timestamp(text('rec', 'updated_at'))} AS version
		FROM (
			SELECT line, pos, rec FROM (
				SELECT line, unnest(l) AS rec, generate_subscripts(l, 1) AS pos
				-- The list extracted once: unnest and generate_subscripts over the expression would parse it twice.
				FROM (SELECT line, ${list} AS l FROM ${DOCS}_kind WHERE page AND json_type(doc, '$.${kind}') = 'ARRAY'))
			UNION ALL
			SELECT line, 0 AS pos, doc AS rec FROM ${DOCS}_kind WHERE NOT page
		)
		ORDER BY ord`);
	await conn.run(`DROP TABLE ${DOCS}_kind`);
	await conn.run(`DROP TABLE ${DOCS}`);
	return { records: await count(conn, `SELECT count(*) FROM ${RECORDS}`), pages };
}

/**
 * SQL keeping one record per `key` expression: the latest version (by `updated_at`, then the later in the
 * file). An incremental export lists a ticket again each time it changes, so only its last state counts;
 * the earlier copies are skipped, not rejected as duplicates. Records without a key are all kept.
 */
export function latestPerKey(select: string, key: string): string {
	return `SELECT * EXCLUDE (__n) FROM (
		SELECT *, row_number() OVER (PARTITION BY ${key} ORDER BY version DESC NULLS LAST, ord DESC) AS __n FROM (${select})
	) WHERE ${key} IS NULL OR __n = 1`;
}
