/**
 * Parquet files for analysts' notebooks, written by an in-memory DuckDB: rows are appended to a staging
 * table (text and doubles, no number-to-text round trip), then copied out with each column cast to its type.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A column of the file and its Parquet (DuckDB) type. */
export interface ParquetColumn {
	name: string;
	type: 'VARCHAR' | 'DOUBLE' | 'BIGINT' | 'DATE' | 'BOOLEAN';
}

/** `"name"` with inner quotes doubled. */
const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;
/** `'text'` with inner quotes doubled: COPY takes no parameters. */
const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;

/**
 * Writes `rows` (values in `columns` order; null or undefined for none) to `file` as Parquet. Numbers go
 * in as doubles (BIGINT columns are cast from them); dates, booleans and text as text, cast on the way out.
 * Errors name the file.
 */
export async function writeParquet(file: string, columns: ParquetColumn[], rows: Iterable<readonly unknown[]>): Promise<void> {
	const instance = await DuckDBInstance.create(':memory:');
	const conn = await instance.connect();
	try {
		const numeric = columns.map((c) => c.type === 'DOUBLE' || c.type === 'BIGINT');
		await conn.run(`CREATE TABLE staged (${columns.map((c, j) => `${ident(c.name)} ${numeric[j] ? 'DOUBLE' : 'VARCHAR'}`).join(', ')})`);
		const appender = await conn.createAppender('staged');
		for (const row of rows) {
			columns.forEach((_, j) => {
				const v = row[j];
				if (v === null || v === undefined || (numeric[j] && !Number.isFinite(Number(v)))) appender.appendNull();
				else if (numeric[j]) appender.appendDouble(Number(v));
				else appender.appendVarchar(String(v));
			});
			appender.endRow();
		}
		appender.flushSync();
		appender.closeSync();
		const select = columns.map((c) =>
			c.type === 'DOUBLE' || c.type === 'VARCHAR' ? ident(c.name) : `CAST(${ident(c.name)} AS ${c.type}) AS ${ident(c.name)}`
		);
		await conn.run(`COPY (SELECT ${select.join(', ')} FROM staged) TO ${literal(file)} (FORMAT parquet)`);
	} catch (err) {
		throw new Error(`cannot write ${file}: ${(err as Error).message.split('\n')[0]}`, { cause: err });
	} finally {
		conn.closeSync();
		instance.closeSync();
	}
}

/** {@link writeParquet} into memory, for a download: through a temporary file, removed afterwards. */
export async function parquetBytes(columns: ParquetColumn[], rows: Iterable<readonly unknown[]>): Promise<Buffer> {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'adoption-parquet-'));
	try {
		const file = path.join(dir, 'export.parquet');
		await writeParquet(file, columns, rows);
		return fs.readFileSync(file);
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
}
