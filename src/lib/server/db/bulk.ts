/**
 * Inserting many rows in one statement: the rows travel as one JSON parameter that DuckDB unpacks
 * (`json_transform`), instead of a bound parameter per value. Measured on 7,000 rows of 5 columns: 64 ms,
 * where Kysely's multi-row VALUES took seconds (thousands of parameters bound one by one).
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Schema } from './schema.js';

/** A column's type; TIMESTAMP values travel as ISO 8601 strings (UTC), and are stored as UTC `TIMESTAMP`. */
export type BulkType = 'VARCHAR' | 'BIGINT' | 'INTEGER' | 'DOUBLE' | 'BOOLEAN' | 'TIMESTAMP';

export interface BulkOptions {
	/** A column filled from a sequence (`nextval`), not from the rows. */
	sequence?: { column: string; name: string };
	/** Rows whose value of this unique column is already there are skipped. */
	skipExisting?: string;
	/** Columns of the inserted rows to return. */
	returning?: string[];
}

/** Inserts `rows` (objects with the `columns`' keys) into `table`; resolves with the `returning` columns of what was inserted. */
export async function insertJson<R = Record<string, unknown>>(
	db: Kysely<Schema> | Transaction<Schema>,
	table: keyof Schema & string,
	columns: Record<string, BulkType>,
	rows: object[],
	opts: BulkOptions = {}
): Promise<R[]> {
	if (!rows.length) return [];
	const names = Object.keys(columns);
	const structure = JSON.stringify([Object.fromEntries(names.map((c) => [c, columns[c] === 'TIMESTAMP' ? 'VARCHAR' : columns[c]]))]);
	const value = (c: string) =>
		columns[c] === 'TIMESTAMP' ? sql`CAST(${sql.ref(`r.${c}`)} AS TIMESTAMPTZ)::TIMESTAMP` : sql`${sql.ref(`r.${c}`)}`;
	const target = opts.sequence ? [opts.sequence.column, ...names] : names;
	const values = opts.sequence ? [sql`nextval(${opts.sequence.name})`, ...names.map(value)] : names.map(value);
	const { rows: out } = await sql<R>`
		INSERT INTO ${sql.table(table)} (${sql.join(target.map((c) => sql.ref(c)))})
		SELECT ${sql.join(values)} FROM (SELECT unnest(json_transform(${JSON.stringify(rows)}, ${structure})) AS r)
		${opts.skipExisting ? sql`ON CONFLICT (${sql.ref(opts.skipExisting)}) DO NOTHING` : sql``}
		${opts.returning ? sql`RETURNING ${sql.join(opts.returning.map((c) => sql.ref(c)))}` : sql``}`.execute(db);
	return out;
}
