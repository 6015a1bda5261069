/**
 * API tokens, for scripts: `Authorization: Bearer adp_…` acts as the token's person, with their role, on
 * every page and endpoint. A token is shown once when made, stored only as its SHA-256, named, revocable,
 * and stops working when its person is disabled; when it was last used is kept (written at most once a
 * minute per token).
 */
import { sql } from 'kysely';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/connection.js';
import { PERSON_COLUMNS, type Person } from '../db/repositories/people.repository.js';
import type { Schema } from '../db/schema.js';
import { secretHash as digest, newSecret } from './secrets.js';

type Executor = Kysely<Schema> | Transaction<Schema>;

/** Tokens start with this, so one pasted in the wrong place is recognisable (and findable by secret scanners). */
export const TOKEN_PREFIX = 'adp_';
const TOUCH_MS = 60_000;

/** A token as listed: never the token itself. */
export interface TokenInfo {
	token_id: number;
	email: string;
	name: string | null;
	created_at: string;
	last_used_at: string | null;
	revoked_at: string | null;
}

/** A new token for person `personId`, inside the caller's transaction; returns it (to show once) and its id. */
export async function makeToken(trx: Executor, personId: number, name: string | null): Promise<{ token: string; token_id: number }> {
	const token = newSecret(TOKEN_PREFIX);
	const { rows } = await sql<{ id: number }>`SELECT nextval('token_id_seq') AS id`.execute(trx);
	const token_id = Number(rows[0].id);
	await trx
		.insertInto('api_tokens')
		.values({
			token_id,
			person_id: personId,
			name,
			token_hash: digest(token),
			created_at: sql<string>`now()::TIMESTAMP`,
			last_used_at: null,
			revoked_at: null
		})
		.execute();
	return { token, token_id };
}

/** Every token (of one person's email, or the one with this id, when given), newest first. */
export function listTokens(db: Executor, only: { email?: string; id?: number } = {}): Promise<TokenInfo[]> {
	let q = db
		.selectFrom('api_tokens as t')
		.innerJoin('people as p', 'p.person_id', 't.person_id')
		.select(['t.token_id', 'p.email', 't.name', 't.created_at', 't.last_used_at', 't.revoked_at'])
		.orderBy('t.token_id', 'desc');
	if (only.email) q = q.where('p.email', '=', only.email);
	if (only.id !== undefined) q = q.where('t.token_id', '=', only.id);
	return q.execute();
}

/** Marks token `id` revoked, inside the caller's transaction. */
export async function revokeToken(trx: Executor, id: number): Promise<void> {
	await trx
		.updateTable('api_tokens')
		.set({ revoked_at: sql<string>`now()::TIMESTAMP` })
		.where('token_id', '=', id)
		.where('revoked_at', 'is', null)
		.execute();
}

/** The active person a live token belongs to, or null. */
export async function tokenPerson(db: Database, token: string): Promise<Person | null> {
	if (!token.startsWith(TOKEN_PREFIX)) return null;
	const row = await db.kysely
		.selectFrom('api_tokens as t')
		.innerJoin('people as p', 'p.person_id', 't.person_id')
		.select([...PERSON_COLUMNS.map((c) => `p.${c}` as const), 't.last_used_at'])
		.where('t.token_hash', '=', digest(token))
		.where('t.revoked_at', 'is', null)
		.where('p.active', '=', true)
		.executeTakeFirst();
	if (!row) return null;
	const { last_used_at, ...person } = row;
	if (last_used_at === null || Date.now() - Date.parse(last_used_at) > TOUCH_MS) {
		// Two requests with one token may touch it at once; DuckDB refuses the second write, and one is enough.
		await db.kysely
			.updateTable('api_tokens')
			.set({ last_used_at: sql<string>`now()::TIMESTAMP` })
			.where('token_hash', '=', digest(token))
			.execute()
			.catch(() => {});
	}
	return person;
}
