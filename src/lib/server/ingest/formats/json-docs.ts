/**
 * Reading the top-level JSON values of a Segment or Zendesk file into a temp table with DuckDB's own
 * JSON reader, each with the line it starts on, so the format modules only write SQL over it.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import fs from 'node:fs';
import { runQuery } from '../../db/connection.js';
import { FileError } from '../detect.js';
import { duckMessage } from '../source.js';
import { lit } from '../sql.js';

/** `lines`: one JSON value per line (JSON Lines); `document`: values spanning lines (pretty-printed exports). */
export type JsonLayout = 'lines' | 'document';

const SAMPLE_BYTES = 64 * 1024;
const MIN_OBJECT_BYTES = 16 * 1024 * 1024;
const MAX_OBJECT_BYTES = 2 ** 32 - 1;

/**
 * Whether the file is JSON Lines or a multi-line document, from its first non-blank line: a line that
 * parses alone is JSON Lines; one that opens an object or array it does not close (`{`, `{"tickets": [`)
 * starts a document. Anything else is taken for JSON Lines with a broken first line, so that line is
 * rejected rather than the whole file failing.
 */
export function sniffLayout(file: string): JsonLayout {
	const fd = fs.openSync(file, 'r');
	const buf = Buffer.alloc(SAMPLE_BYTES);
	const n = fs.readSync(fd, buf, 0, SAMPLE_BYTES, 0);
	fs.closeSync(fd);
	const text = buf
		.subarray(0, n)
		.toString('utf8')
		.replace(/^\uFEFF/, '');
	const first = text.split('\n').find((l) => l.trim() !== '');
	if (first === undefined) return 'lines';
	const line = first.trim();
	// A first line longer than the sample cannot be judged from it: one long line is JSON Lines.
	if (text.indexOf('\n') === -1 && n === SAMPLE_BYTES) return 'lines';
	try {
		JSON.parse(line);
		return 'lines';
	} catch {
		return line.endsWith('{') || line.endsWith('[') ? 'document' : 'lines';
	}
}

/**
 * Whether a blank (or whitespace-only) line comes before some content. DuckDB's JSON reader skips blank
 * lines, so its ordinal is the line number only when there are none. A streaming byte scan (regex per
 * chunk), not a per-record loop.
 */
export async function hasInnerBlankLine(file: string): Promise<boolean> {
	let pending = false; // a blank line was seen; it matters only if content follows
	let tail = '\n'; // the file's start behaves like the end of a previous line
	for await (const chunk of fs.createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
		const text = tail + (chunk as string);
		if (pending && /[^\s]/.test(text)) return true;
		const m = /\n[ \t\r]*\n/.exec(text);
		if (m) {
			if (/[^\s]/.test(text.slice(m.index + m[0].length))) return true;
			pending = true;
		}
		// Keep the current partial line when it is still whitespace, so a blank line split across chunks is seen.
		const last = text.lastIndexOf('\n');
		const rest = text.slice(last);
		tail = last >= 0 && /^\n[ \t\r]*$/.test(rest) ? rest : ' x';
	}
	return false;
}

/**
 * Reads every top-level JSON value of `file` into temp table `table (line BIGINT, doc JSON)`, in file
 * order, with `read_json_objects` (a value that is not valid JSON becomes a NULL `doc` in JSON Lines).
 * `line` is the file's line number for JSON Lines (corrected for blank lines, which the reader skips) and
 * the value's position from 1 for a document layout. Returns the layout and the number of values.
 */
export async function readDocs(conn: DuckDBConnection, file: string, table: string): Promise<{ layout: JsonLayout; count: number }> {
	const layout = sniffLayout(file);
	const size = fs.statSync(file).size;
	// A wrapper export can be one object as large as the file; the reader turns an object over this size
	// into an error (NULL with ignore_errors), and needs a little room beyond the object itself.
	const maxSize = Math.min(Math.max(MIN_OBJECT_BYTES, size + (1 << 20)), MAX_OBJECT_BYTES);
	const format = layout === 'lines' ? 'newline_delimited' : 'auto';
	try {
		await conn.run(`CREATE OR REPLACE TEMP TABLE ${table} AS
			SELECT ordinality AS line, json AS doc
			FROM read_json_objects(${lit(file)}, format = '${format}', ignore_errors = true, maximum_object_size = ${maxSize}) WITH ORDINALITY`);
		if (layout === 'lines' && (await hasInnerBlankLine(file))) await fixLines(conn, file, table);
	} catch (err) {
		throw new FileError(`${file}: cannot read it as JSON: ${duckMessage(err)}`);
	}
	const [{ n }] = await runQuery<{ n: number }>(conn, `SELECT count(*) AS n FROM ${table}`);
	return { layout, count: n };
}

/**
 * Turns the reader's ordinals into line numbers when the file has blank lines: with `c` the number of
 * non-blank lines before each blank one, the record of ordinal `o` is on line `o + #{c < o}`. Only this
 * rare case reads the file as text.
 */
async function fixLines(conn: DuckDBConnection, file: string, table: string): Promise<void> {
	await conn.run(`CREATE OR REPLACE TEMP TABLE __json_blank AS
		SELECT line - row_number() OVER (ORDER BY line) AS before
		FROM (SELECT unnest(ls) AS l, generate_subscripts(ls, 1) AS line FROM (SELECT string_split(content, chr(10)) AS ls FROM read_text(${lit(file)})))
		WHERE trim(l, ' ' || chr(9) || chr(13)) = ''`);
	await conn.run(`UPDATE ${table} SET line = line + (SELECT count(*) FROM __json_blank b WHERE b.before < ${table}.line)`);
	await conn.run('DROP TABLE __json_blank');
}
