/**
 * What a load touched: the users, accounts and account-days its new and changed rows belong to (old and
 * new values both, so a row that moves from one account to another touches both). The merge records them
 * in the load's connection (`__touched_*` temp tables) inside the load's transaction; `derive/incremental.ts`
 * then rebuilds only those keys of each fact table, in the same transaction.
 */
import type { DuckDBConnection } from '@duckdb/node-api';

/** Which key columns of a contract table the fact tables are partitioned by. */
const KEYS: Record<string, { user?: string; account?: string; day?: { account: string; at: string } }> = {
	events: { user: 'user_id', account: 'account_id', day: { account: 'account_id', at: 'timestamp' } },
	kb_searches: { user: 'user_id', day: { account: 'account_id', at: 'timestamp' } },
	// A ticket's requester is the user whose sessions it may end (deflection).
	tickets: { user: 'requester_id', day: { account: 'account_id', at: 'created_at' } },
	// A new account has a milestone level (0) from the start.
	accounts: { account: 'account_id' }
};

/** Starts recording on this connection: empty touched sets, and no "everything" mark. */
export async function startTouches(conn: DuckDBConnection): Promise<void> {
	await conn.run('CREATE OR REPLACE TEMP TABLE __touched_users (user_id VARCHAR)');
	await conn.run('CREATE OR REPLACE TEMP TABLE __touched_accounts (account_id VARCHAR)');
	await conn.run('CREATE OR REPLACE TEMP TABLE __touched_days (account_id VARCHAR, day DATE)');
	await conn.run('CREATE OR REPLACE TEMP TABLE __touched_everything (reason VARCHAR)');
}

/** Records the keys of `rows` (a SELECT of whole rows of `table`): call it with the rows before and after a change. */
export async function touchRows(conn: DuckDBConnection, table: string, rows: string): Promise<void> {
	const k = KEYS[table];
	if (!k) return;
	if (k.user) await conn.run(`INSERT INTO __touched_users SELECT DISTINCT "${k.user}" FROM (${rows}) WHERE "${k.user}" IS NOT NULL`);
	if (k.account) await conn.run(`INSERT INTO __touched_accounts SELECT DISTINCT "${k.account}" FROM (${rows})`);
	if (k.day) {
		await conn.run(
			`INSERT INTO __touched_days SELECT DISTINCT "${k.day.account}", "${k.day.at}"::DATE FROM (${rows}) WHERE "${k.day.account}" IS NOT NULL`
		);
	}
}

/**
 * Marks the load as touching everything in `table` (rows inserted straight from the reader into an empty
 * table are not listed): the fact tables reading it are then rebuilt whole after the load, not in it.
 */
export async function touchEverything(conn: DuckDBConnection, table: string): Promise<void> {
	if (KEYS[table]) await conn.run('INSERT INTO __touched_everything VALUES ($1)', [table]);
}
