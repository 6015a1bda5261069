import type { DuckDBConnection } from '@duckdb/node-api';
import { migration001 } from './migrations/001-initial.js';
import { migration002 } from './migrations/002-zendesk-segment.js';
import { migration003 } from './migrations/003-truth.js';
import { migration004 } from './migrations/004-derived.js';
import { migration005 } from './migrations/005-scores.js';
import { migration006 } from './migrations/006-jobs.js';
import { migration007 } from './migrations/007-people.js';
import { migration008 } from './migrations/008-alerts.js';
import { migration009 } from './migrations/009-notify.js';
import { migration010 } from './migrations/010-sources.js';

/**
 * One schema change. Its statements are frozen once released: later changes are new migrations.
 * Each statement must be idempotent (`IF NOT EXISTS`): DuckDB cannot commit two ALTERs of one table in
 * a single transaction, so statements commit one by one and a crash mid-upgrade is finished by a re-run.
 */
export interface Migration {
	version: number;
	name: string;
	up: string[];
}

/** Every migration in order; the schema version of a database is the highest one applied. */
export const MIGRATIONS: Migration[] = [
	migration001,
	migration002,
	migration003,
	migration004,
	migration005,
	migration006,
	migration007,
	migration008,
	migration009,
	migration010
];

/** The version a fully migrated database has. */
export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

/**
 * Applies the migrations a database lacks, in order, so a file made by an older version opens and
 * upgrades. A migration counts as applied once its `schema_migrations` row is written, after its
 * last statement.
 */
export async function migrate(conn: DuckDBConnection, upTo: number = LATEST_VERSION): Promise<number[]> {
	await conn.run(`CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER NOT NULL, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)`);
	const reader = await conn.runAndReadAll('SELECT coalesce(max(version), 0) AS v FROM schema_migrations');
	const current = Number(reader.getRows()[0][0]);
	const applied: number[] = [];
	for (const m of MIGRATIONS) {
		if (m.version <= current || m.version > upTo) continue;
		try {
			for (const stmt of m.up) await conn.run(stmt);
			await conn.run('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
		} catch (err) {
			throw new Error(`migration ${m.version} (${m.name}) failed: ${(err as Error).message.split('\n')[0]}`, { cause: err });
		}
		applied.push(m.version);
	}
	return applied;
}
