import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { CompiledQuery, Kysely, type DatabaseConnection, type Driver, type QueryResult } from 'kysely';
import { DuckDbDialect } from 'kysely-duckdb';
import fs from 'node:fs';
import path from 'node:path';
import { LATEST_VERSION, migrate } from './migrate.js';
import type { Schema } from './schema.js';
import { rowToJs } from './values.js';

/** The database file used when neither `--db` nor `ADOPTION_DB` says otherwise. */
export const DEFAULT_DB_PATH = 'data/adoption.duckdb';

/** Resolves the database path: explicit option, then `ADOPTION_DB`, then {@link DEFAULT_DB_PATH}. */
export function resolveDbPath(explicit?: string): string {
	return explicit || process.env.ADOPTION_DB || DEFAULT_DB_PATH;
}

/** Options for {@link openDatabase}. */
export interface OpenOptions {
	/** DuckDB worker threads (default: DuckDB's own choice; tests cap it so parallel workers fit). */
	threads?: number;
	/** DuckDB `memory_limit`, e.g. `'2GB'`. */
	memoryLimit?: string;
	/** Apply migrations only up to this version (tests of upgrades); default: all. */
	migrateTo?: number;
	/**
	 * Open read-only, so other processes (a load) can take the file between requests. The schema must
	 * already be current: read-only opens never migrate.
	 */
	readOnly?: boolean;
}

/** An open database: the DuckDB instance, typed Kysely on it, and a raw SQL helper. */
export interface Database {
	readonly path: string;
	readonly instance: DuckDBInstance;
	readonly kysely: Kysely<Schema>;
	/** Runs SQL (with `$1`-style or `?` parameters) and returns rows converted by `toJs`. */
	query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
	/** A fresh connection of its own, for work that needs a transaction. Close it when done. */
	connect(): Promise<DuckDBConnection>;
	close(): void;
}

/** Runs SQL on a connection and converts the rows once (see `values.ts`). */
export async function runQuery<T = Record<string, unknown>>(conn: DuckDBConnection, sql: string, params: unknown[] = []): Promise<T[]> {
	const reader = await conn.runAndReadAll(sql, params.length ? (params as DuckDBValue[]) : undefined);
	return reader.getRowObjects().map((row) => rowToJs(row) as T);
}

/**
 * Opens (creating if needed) the DuckDB file at `dbPath` (or `:memory:`), sets the session to UTC and
 * brings the schema up to date. Timestamps are stored as UTC `TIMESTAMP`, so the time zone only matters
 * for parsing text with an offset.
 */
export async function openDatabase(dbPath: string = resolveDbPath(), options: OpenOptions = {}): Promise<Database> {
	if (dbPath !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(dbPath)), { recursive: true });
	const config: Record<string, string> = {};
	if (options.threads) config.threads = String(options.threads);
	if (options.memoryLimit) config.memory_limit = options.memoryLimit;
	if (options.readOnly) config.access_mode = 'READ_ONLY';
	let instance: DuckDBInstance;
	try {
		instance = await DuckDBInstance.create(dbPath, config);
	} catch (err) {
		const msg = (err as Error).message.split('\n')[0];
		throw new Error(`cannot open database ${dbPath}: ${msg}`, { cause: err });
	}
	const main = await instance.connect();
	// ICU (built in) must be loaded before the time zone can be set, so this cannot go in `config`.
	await main.run("SET GLOBAL TimeZone = 'UTC'");
	try {
		if (options.readOnly) await assertCurrent(main, dbPath);
		else await migrate(main, options.migrateTo);
	} finally {
		main.closeSync();
	}

	const kysely = new Kysely<Schema>({ dialect: new AppDuckDbDialect(instance) });
	return {
		path: dbPath,
		instance,
		kysely,
		async query(sql, params) {
			const conn = await instance.connect();
			try {
				return await runQuery(conn, sql, params);
			} finally {
				conn.closeSync();
			}
		},
		connect: () => instance.connect(),
		close() {
			// Synchronous, so the file is free for another process as soon as this returns.
			instance.closeSync();
		}
	};
}

async function assertCurrent(conn: DuckDBConnection, dbPath: string): Promise<void> {
	const rows = await runQuery<{ v: number }>(conn, 'SELECT max(version) AS v FROM schema_migrations').catch(() => [{ v: 0 }]);
	if ((rows[0]?.v ?? 0) < LATEST_VERSION) {
		throw new Error(`database ${dbPath} needs upgrading: run any adoption command on it (e.g. adoption status) first`);
	}
}

/** kysely-duckdb's compiler and adapter, with a driver that converts values as the rest of the app does. */
class AppDuckDbDialect extends DuckDbDialect {
	readonly #instance: DuckDBInstance;
	constructor(instance: DuckDBInstance) {
		super({ database: instance });
		this.#instance = instance;
	}
	override createDriver(): Driver {
		return new AppDriver(this.#instance);
	}
}

class AppDriver implements Driver {
	constructor(private readonly instance: DuckDBInstance) {}
	async init(): Promise<void> {}
	async acquireConnection(): Promise<DatabaseConnection> {
		return new AppConnection(await this.instance.connect());
	}
	async beginTransaction(c: DatabaseConnection): Promise<void> {
		await c.executeQuery(CompiledQuery.raw('BEGIN TRANSACTION'));
	}
	async commitTransaction(c: DatabaseConnection): Promise<void> {
		await c.executeQuery(CompiledQuery.raw('COMMIT'));
	}
	async rollbackTransaction(c: DatabaseConnection): Promise<void> {
		await c.executeQuery(CompiledQuery.raw('ROLLBACK'));
	}
	async releaseConnection(c: DatabaseConnection): Promise<void> {
		(c as AppConnection).conn.closeSync();
	}
	async destroy(): Promise<void> {
		this.instance.closeSync();
	}
}

class AppConnection implements DatabaseConnection {
	constructor(readonly conn: DuckDBConnection) {}
	async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
		const rows = await runQuery<R>(this.conn, compiled.sql, compiled.parameters as unknown[]);
		const kind = compiled.query.kind;
		// A write without RETURNING answers DuckDB's one row with the count; with RETURNING, its rows.
		const returning = 'returning' in compiled.query && compiled.query.returning !== undefined;
		if (!returning && (kind === 'InsertQueryNode' || kind === 'UpdateQueryNode' || kind === 'DeleteQueryNode')) {
			const count = (rows[0] as { Count?: number } | undefined)?.Count;
			return { rows: [], numAffectedRows: count === undefined ? undefined : BigInt(count) };
		}
		return { rows };
	}
	async *streamQuery<R>(compiled: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
		yield await this.executeQuery<R>(compiled);
	}
}
