import type { DuckDBConnection } from '@duckdb/node-api';
import fs from 'node:fs';
import { runQuery } from '../db/connection.js';
import type { TableSpec } from './contract.js';
import { FileError } from './detect.js';
import { ident, lit } from './sql.js';

/**
 * A file opened as a relation in the contract's column names: what validation and merging work on.
 * `relation` is a SELECT yielding the supplied contract columns (raw, as the reader typed them) and
 * `__ord`, the record's position in the file from 1, in file order.
 */
export interface Source {
	relation: string;
	/**
	 * The same records without their positions (`__ord` 0): `WITH ORDINALITY` makes DuckDB's CSV and JSON
	 * scans single-threaded, so a clean file is checked and inserted from this, and `relation` is read only
	 * when something must be reported by line.
	 */
	fastRelation?: string;
	/** Supplied contract columns → the DuckDB type the reader gives them. */
	columns: Map<string, string>;
	/** Columns of the file that are not in the contract (kept out of the tables, reported). */
	ignored: string[];
	/** How `__ord` maps to the file's own line numbers. */
	lines: LineMapping;
	/** The relation has a `__raw` column with each record's original text; else raw is built from the values. */
	hasRaw?: boolean;
	/** When set, a record whose supplied columns are all NULL could not be parsed: rejected with this reason. */
	malformedReason?: string;
	/**
	 * Format-specific rules, checked after the contract's: `when` and `reason` are SQL over the checked
	 * relation `p` (parsed columns by name, raw ones as `r_<name>`, plus any extra columns of the relation
	 * listed in `passThrough`).
	 */
	extraRules?: { field: string; when: string; reason: string }[];
	/** Relation columns (not contract columns) that `extraRules` need, carried into `p`. */
	passThrough?: string[];
	/** Only update rows that exist (e.g. Zendesk ticket metrics); never insert. */
	updateOnly?: boolean;
	/** Records the opener left out of `relation` on purpose (re-sent Segment messages, deleted tickets): added to `skipped`. */
	skipped?: number;
	/** The file had records, but the opener skipped them or loaded them elsewhere: an empty relation is not an error. */
	allowEmpty?: boolean;
	/**
	 * The relation has a `__field_prefix` column (NULL or text such as `batch[3].`) put before the field of a
	 * reject, so a record nested in a wrapper is found within its line.
	 */
	fieldPrefix?: boolean;
}

/**
 * `ordinal`: line = `__ord` (JSON Lines, Parquet row number, or a mapper that sets `__ord` to the line).
 * `csv`: line = header + `__ord` + newlines embedded in earlier quoted fields + structurally broken lines
 * before it; the broken lines themselves are in the reader's rejects table.
 */
export type LineMapping = { kind: 'ordinal' } | { kind: 'csv'; reader: string; allColumns: string[]; rejectsTable: string };

/** DuckDB's message, first line only, for one-line errors. */
export function duckMessage(err: unknown): string {
	return String((err as Error).message ?? err)
		.split('\n')[0]
		.replace(/^[A-Za-z ]+ Error: /, '');
}

async function describe(conn: DuckDBConnection, file: string, reader: string): Promise<{ name: string; type: string }[]> {
	try {
		const rows = await runQuery<{ column_name: string; column_type: string }>(conn, `DESCRIBE SELECT * FROM ${reader}`);
		return rows.map((r) => ({ name: r.column_name, type: r.column_type }));
	} catch (err) {
		throw new FileError(`${file}: cannot read it: ${duckMessage(err)}`);
	}
}

/** Matches file columns to contract columns by trimmed, lower-cased name. */
function matchColumns(file: string, fileColumns: { name: string; type: string }[], spec: TableSpec) {
	const wanted = new Map(spec.columns.map((c) => [c.name, c]));
	const matched = new Map<string, { source: string; type: string }>();
	const ignored: string[] = [];
	for (const col of fileColumns) {
		const norm = col.name.trim().toLowerCase();
		if (wanted.has(norm) && !matched.has(norm)) matched.set(norm, { source: col.name, type: col.type });
		else ignored.push(col.name);
	}
	const missing = spec.columns.filter((c) => c.required && !matched.has(c.name)).map((c) => c.name);
	if (missing.length) {
		throw new FileError(`${file}: missing required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} for table ${spec.name}`);
	}
	return { matched, ignored };
}

function projection(matched: Map<string, { source: string }>): string {
	return [...matched].map(([name, m]) => `${ident(m.source)} AS ${ident(name)}`).join(', ');
}

/** Splits one CSV line on `delim`, honouring double quotes. */
function splitCsvLine(line: string, delim: string): string[] {
	const out: string[] = [];
	let cur = '';
	let quoted = false;
	for (let i = 0; i < line.length; i++) {
		const ch = line[i];
		if (quoted) {
			if (ch === '"' && line[i + 1] === '"') {
				cur += '"';
				i++;
			} else if (ch === '"') quoted = false;
			else cur += ch;
		} else if (ch === '"') quoted = true;
		else if (ch === delim) {
			out.push(cur);
			cur = '';
		} else cur += ch;
	}
	out.push(cur);
	return out;
}

/**
 * The header of a CSV file and its delimiter (the most frequent of `,` tab `;` `|` in the header line).
 * Read here rather than by DuckDB's sniffer, which gives up on a file whose broken lines disagree with the
 * header, when those lines should only be rejected.
 */
function csvHeader(file: string): { delim: string; names: string[] } {
	const fd = fs.openSync(file, 'r');
	const buf = Buffer.alloc(64 * 1024);
	const n = fs.readSync(fd, buf, 0, buf.length, 0);
	fs.closeSync(fd);
	const line = buf
		.subarray(0, n)
		.toString('utf8')
		.replace(/^\uFEFF/, '')
		.split('\n', 1)[0]
		.replace(/\r$/, '');
	const candidates = [',', '\t', ';', '|'];
	const counts = candidates.map((d) => splitCsvLine(line, d).length);
	const delim = candidates[counts.indexOf(Math.max(...counts))];
	const names = splitCsvLine(line, delim).map((h) => h.trim());
	if (names.every((h) => h === '')) throw new FileError(`${file}: the first line is not a CSV header`);
	return { delim, names };
}

/**
 * Opens a CSV file: every value as text (IDs stay exact, bad values reach validation instead of
 * becoming NULL), structurally broken lines kept in a rejects table with their line numbers.
 */
export async function openCsv(conn: DuckDBConnection, file: string, spec: TableSpec): Promise<Source> {
	const { delim, names } = csvHeader(file);
	// DuckDB renames repeated header names; do the same so every column has its own name.
	const seen = new Map<string, number>();
	const unique = names.map((h, i) => {
		const base = h || `column${i}`;
		const k = seen.get(base) ?? 0;
		seen.set(base, k + 1);
		return k ? `${base}_${k}` : base;
	});
	const columnsArg = `{${unique.map((h) => `${lit(h)}: 'VARCHAR'`).join(', ')}}`;
	const reader = `read_csv(${lit(file)}, auto_detect = false, header = true, delim = ${lit(delim)}, quote = '"', escape = '"', columns = ${columnsArg}, store_rejects = true, rejects_table = '__csv_rejects', rejects_scan = '__csv_scans')`;
	const cols = await describe(conn, file, reader);
	const { matched, ignored } = matchColumns(file, cols, spec);
	const columns = new Map([...matched].map(([n]) => [n, 'VARCHAR']));
	return {
		relation: `SELECT ${projection(matched)}, ordinality AS __ord FROM ${reader} WITH ORDINALITY`,
		fastRelation: `SELECT ${projection(matched)}, 0::BIGINT AS __ord FROM ${reader}`,
		columns,
		ignored,
		lines: { kind: 'csv', reader, allColumns: cols.map((c) => c.name), rejectsTable: '__csv_rejects' }
	};
}

/**
 * Opens a JSON Lines file. Contract columns are read as text (JSON for `properties`), so ids keep
 * their exact digits; a line that is not valid JSON becomes an all-NULL record, reported as malformed.
 */
export async function openJsonl(conn: DuckDBConnection, file: string, spec: TableSpec): Promise<Source> {
	const cols = await describe(conn, file, `read_json(${lit(file)}, format = 'newline_delimited', ignore_errors = true)`);
	const { matched, ignored } = matchColumns(file, cols, spec);
	// Structured values (properties, tag lists) stay JSON; everything else is read as its text.
	const columns = new Map(
		[...matched.keys()].map((name) => {
			const type = spec.columns.find((c) => c.name === name)!.type;
			return [name, type === 'json' || type === 'list' ? 'JSON' : 'VARCHAR'];
		})
	);
	const typed = [...matched].map(([name, m]) => `${lit(m.source)}: '${columns.get(name)}'`);
	const reader = `read_json(${lit(file)}, format = 'newline_delimited', ignore_errors = true, columns = {${typed.join(', ')}})`;
	return {
		relation: `SELECT ${projection(matched)}, ordinality AS __ord FROM ${reader} WITH ORDINALITY`,
		fastRelation: `SELECT ${projection(matched)}, 0::BIGINT AS __ord FROM ${reader}`,
		columns,
		ignored,
		lines: { kind: 'ordinal' },
		malformedReason: 'malformed: not valid JSON, or an object with none of the table’s columns'
	};
}

/** Opens a Parquet file with its own column types; the line is the row number from 1. */
export async function openParquet(conn: DuckDBConnection, file: string, spec: TableSpec): Promise<Source> {
	const cols = await describe(conn, file, `read_parquet(${lit(file)})`);
	const { matched, ignored } = matchColumns(file, cols, spec);
	return {
		relation: `SELECT ${projection(matched)}, file_row_number + 1 AS __ord FROM read_parquet(${lit(file)}, file_row_number = true)`,
		columns: new Map([...matched].map(([n, m]) => [n, m.type])),
		ignored,
		lines: { kind: 'ordinal' }
	};
}
