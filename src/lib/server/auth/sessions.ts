/**
 * Sign-in sessions, kept in the database so they can be revoked: a random 256-bit token in an `httpOnly`,
 * `SameSite=Lax` cookie (`Secure` behind HTTPS), stored only as its SHA-256. A session ends when its person
 * signs out or is disabled or given a new password, after `IDLE_MS` without a request, and `MAX_MS` after
 * it began whatever happens. Each sign-in makes a new token (no session id survives a sign-in).
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/connection.js';
import { PERSON_COLUMNS, type Person } from '../db/repositories/people.repository.js';
import type { Schema } from '../db/schema.js';
import { secretHash as digest, newSecret } from './secrets.js';

export const SESSION_COOKIE = 'adoption_session';
/** A session unused this long ends (a working day and a night). */
export const IDLE_MS = 12 * 3600_000;
/** A session ends this long after sign-in, however busy. */
export const MAX_MS = 7 * 86_400_000;
/** `last_seen_at` is written at most this often per session: a write per request would be most of a hit's cost. */
const TOUCH_MS = 60_000;

const iso = (ms: number) => new Date(ms).toISOString();

/** Starts a session for `personId`; returns the token for the cookie (shown to nobody else) and when it ends at the latest. */
export async function startSession(
	db: Database,
	personId: number,
	client: { address: string | null; userAgent: string | null }
): Promise<{ token: string; expires: Date }> {
	const token = newSecret();
	const now = Date.now();
	await db.kysely
		.insertInto('sign_in_sessions')
		.values({
			token_hash: digest(token),
			person_id: personId,
			created_at: iso(now),
			last_seen_at: iso(now),
			expires_at: iso(now + MAX_MS),
			revoked_at: null,
			address: client.address,
			user_agent: client.userAgent?.slice(0, 300) ?? null
		})
		.execute();
	return { token, expires: new Date(now + MAX_MS) };
}

/** The active person whose live session `token` is, or null (unknown, ended, revoked, or the person disabled). */
export async function sessionPerson(db: Database, token: string): Promise<Person | null> {
	const now = Date.now();
	const row = await db.kysely
		.selectFrom('sign_in_sessions as s')
		.innerJoin('people as p', 'p.person_id', 's.person_id')
		.select([...PERSON_COLUMNS.map((c) => `p.${c}` as const), 's.last_seen_at'])
		.where('s.token_hash', '=', digest(token))
		.where('s.revoked_at', 'is', null)
		.where('s.expires_at', '>', iso(now))
		.where('s.last_seen_at', '>', iso(now - IDLE_MS))
		.where('p.active', '=', true)
		.executeTakeFirst();
	if (!row) return null;
	const { last_seen_at, ...person } = row;
	if (now - Date.parse(last_seen_at) > TOUCH_MS) {
		// Two requests of one session may touch it at once; DuckDB refuses the second write, and one is enough.
		await db.kysely
			.updateTable('sign_in_sessions')
			.set({ last_seen_at: iso(now) })
			.where('token_hash', '=', digest(token))
			.execute()
			.catch(() => {});
	}
	return person;
}

/** Ends the session of `token` (sign-out); unknown tokens are ignored. */
export async function endSession(db: Database, token: string): Promise<void> {
	await db.kysely
		.updateTable('sign_in_sessions')
		.set({ revoked_at: sql<string>`now()::TIMESTAMP` })
		.where('token_hash', '=', digest(token))
		.where('revoked_at', 'is', null)
		.execute();
}

/** Ends every live session of a person (disabled, or given a new password), inside the caller's transaction; returns how many. */
export async function endSessionsOf(trx: Transaction<Schema> | Kysely<Schema>, personId: number): Promise<number> {
	const r = await trx
		.updateTable('sign_in_sessions')
		.set({ revoked_at: sql<string>`now()::TIMESTAMP` })
		.where('person_id', '=', personId)
		.where('revoked_at', 'is', null)
		.executeTakeFirst();
	return Number(r.numUpdatedRows ?? 0);
}
