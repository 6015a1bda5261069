import { DuckDBInstance } from '@duckdb/node-api';
import fs from 'node:fs';

/** A file read as text: every cell a string, or null when the file has no value there. */
export interface TextTable {
	file: string;
	columns: string[];
	/** values[c][r]: column c, row r (file order). */
	values: (string | null)[][];
	rows: number;
}

/** `"name"` with inner quotes doubled, for SQL. */
function quoteIdent(name: string): string {
	return `"${name.replace(/"/g, '""')}"`;
}

/** Parquet files start with the magic bytes `PAR1`; anything else is read as CSV. */
function isParquet(file: string): boolean {
	const fd = fs.openSync(file, 'r');
	try {
		const head = Buffer.alloc(4);
		return fs.readSync(fd, head, 0, 4, 0) === 4 && head.toString('latin1') === 'PAR1';
	} finally {
		fs.closeSync(fd);
	}
}

/**
 * Reads a CSV (delimiter and quoting sniffed by DuckDB, header required) or Parquet file with an in-memory
 * DuckDB, every column as VARCHAR, so typing is decided once by our own rules (see columns.ts) whatever
 * the format. Errors name the file.
 */
export async function readTextTable(file: string): Promise<TextTable> {
	if (!fs.existsSync(file)) throw new Error(`feature file not found: ${file}`);
	if (fs.statSync(file).isDirectory()) throw new Error(`feature file is a folder, not a file: ${file}`);
	if (fs.statSync(file).size === 0) throw new Error(`feature file ${file} is empty`);
	const instance = await DuckDBInstance.create(':memory:');
	const conn = await instance.connect();
	try {
		let source = 'read_csv($1, all_varchar = true, header = true)';
		if (isParquet(file)) {
			const described = await conn.runAndReadAll('DESCRIBE SELECT * FROM read_parquet($1)', [file]);
			const names = described.getColumnsJS()[0] as string[];
			source = `(SELECT ${names.map((n) => `CAST(${quoteIdent(n)} AS VARCHAR) AS ${quoteIdent(n)}`).join(', ')} FROM read_parquet($1))`;
		}
		const reader = await conn.runAndReadAll(`SELECT * FROM ${source}`, [file]);
		const columns = reader.columnNames();
		const rows = reader.currentRowCount;
		if (rows === 0) throw new Error(`feature file ${file} has no data rows`);
		const values = reader.getColumnsJS() as (string | null)[][];
		return { file, columns, values, rows };
	} catch (err) {
		const msg = (err as Error).message.split('\n')[0];
		throw new Error(msg.includes(file) ? msg : `cannot read feature file ${file}: ${msg}`, { cause: err });
	} finally {
		conn.closeSync();
		instance.closeSync();
	}
}
