/**
 * The team's people and what the CLI (and, with sign-in, a leader's page) does with them: add, list,
 * disable, reset a password; make, list and revoke their API tokens. Each change is one transaction with its audit row. Requests are checked
 * here, so the CLI alone and through a running server (`POST /api/people`) answer the same way.
 */
import { sql } from 'kysely';
import { z } from 'zod';
import { loadConfig } from '../config/config.js';
import type { Database } from '../db/connection.js';
import { isOwner } from '../db/owner.js';
import { PeopleRepository, type Person } from '../db/repositories/people.repository.js';
import { audit, type Actor } from './audit.js';
import { generatePassword, hashPassword, passwordProblem } from './passwords.js';
import { endSessionsOf } from './sessions.js';
import { listTokens, makeToken, revokeToken, type TokenInfo } from './tokens.js';

/** What a person may do (see PRODUCT.md): leaders run the app, analysts explore, CSMs work their book of accounts. */
export const ROLES = ['leader', 'analyst', 'csm'] as const;
export type Role = (typeof ROLES)[number];

const email = z
	.string()
	.trim()
	.toLowerCase()
	.max(254, 'must be at most 254 characters')
	.pipe(z.email({ error: 'must be an email address' }));
const text = z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters');

/** A request about people, as the CLI sends it (to the server, or to {@link runPeople} directly). */
export const peopleRequestSchema = z.discriminatedUnion('kind', [
	z.object({
		kind: z.literal('add'),
		params: z
			.object({
				email,
				role: z.enum(ROLES, { error: `must be one of ${ROLES.join(', ')}` }),
				name: text.optional(),
				csm: text.optional(),
				timeZone: text.optional(),
				password: z.string().optional()
			})
			.strict()
	}),
	z.object({ kind: z.literal('list'), params: z.object({}).strict() }),
	z.object({ kind: z.literal('disable'), params: z.object({ email }).strict() }),
	z.object({ kind: z.literal('reset'), params: z.object({ email, password: z.string().optional() }).strict() }),
	z.object({ kind: z.literal('token_create'), params: z.object({ email, name: text.optional() }).strict() }),
	z.object({ kind: z.literal('token_list'), params: z.object({ email: email.optional() }).strict() }),
	z.object({ kind: z.literal('token_revoke'), params: z.object({ id: z.number().int().positive() }).strict() })
]);
export type PeopleRequest = z.infer<typeof peopleRequestSchema>;

/** What each request answers: the person (a generated password once, when one was made), or everyone. */
export interface PeopleDocs {
	add: { person: Person; password?: string; book_accounts?: number };
	list: { people: Person[] };
	disable: { person: Person; changed: boolean };
	reset: { person: Person; password?: string };
	token_create: { token: string; token_id: number; email: string; name: string | null };
	token_list: { tokens: TokenInfo[] };
	token_revoke: { token: TokenInfo; changed: boolean };
}

/** A request that cannot be done as asked (the caller's mistake): its HTTP status and a message naming the field. */
export class PeopleError extends Error {
	constructor(
		message: string,
		readonly status: 400 | 404 | 409
	) {
		super(message);
	}
}

/** The IANA zone `tz` names, in its canonical spelling; a PeopleError when there is none. */
function timeZone(tz: string): string {
	try {
		return new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone;
	} catch {
		throw new PeopleError(`time zone '${tz}' is not an IANA time zone such as Europe/Berlin or America/New_York`, 400);
	}
}

/** The password to store: the one given (checked), or a generated one to show once. */
async function newPassword(given: string | undefined): Promise<{ hash: string; shown?: string }> {
	if (given !== undefined) {
		const problem = passwordProblem(given);
		if (problem) throw new PeopleError(problem, 400);
		return { hash: await hashPassword(given) };
	}
	const shown = generatePassword();
	return { hash: await hashPassword(shown), shown };
}

/** What is known of each open database: it has people (nothing removes them), or, in the server, it has none yet. */
const known = new WeakMap<Database, boolean>();

/**
 * Whether anyone has been added (else the app runs in local mode, see `guard.ts`). In the server that owns
 * the file every add goes through this module, so the answer is kept either way; elsewhere "none" is asked
 * again each time, since another process may add someone meanwhile.
 */
export async function hasPeople(db: Database): Promise<boolean> {
	const k = known.get(db);
	if (k !== undefined) return k;
	const any = (await new PeopleRepository(db.kysely).count()) > 0;
	if (any || isOwner()) known.set(db, any);
	return any;
}

/** `request` checked (emails trimmed and in lower case); a PeopleError naming the field when it is not valid. */
export function parsePeopleRequest<R extends PeopleRequest>(request: R): R {
	const parsed = peopleRequestSchema.safeParse(request);
	if (parsed.success) return parsed.data as R;
	const issue = parsed.error.issues[0];
	throw new PeopleError(`${String(issue.path.at(-1) ?? 'request')} ${issue.message}`, 400);
}

/** Does `request` on the people of `db` as `by`, returning its document; a PeopleError when it cannot be done. */
export async function runPeople<R extends PeopleRequest>(db: Database, request: R, by: Actor): Promise<PeopleDocs[R['kind']]> {
	const r = parsePeopleRequest(request) as PeopleRequest;
	const people = new PeopleRepository(db.kysely);
	const object = (e: string) => `person:${e}`;
	switch (r.kind) {
		case 'list':
			return { people: await people.list() } as PeopleDocs[R['kind']];
		case 'add': {
			const p = r.params;
			if (p.role === 'csm' && !p.csm)
				throw new PeopleError(`a CSM needs --csm: the accounts.csm value of the accounts they look after`, 400);
			const zone = timeZone(p.timeZone ?? loadConfig().reporting.timeZone);
			const password = await newPassword(p.password);
			const person = await db.kysely.transaction().execute(async (trx) => {
				const repo = new PeopleRepository(trx);
				if (await repo.byEmail(p.email)) throw new PeopleError(`${p.email} is already a person here (adoption user list)`, 409);
				const added = await repo.insert({
					email: p.email,
					name: p.name ?? null,
					role: p.role,
					csm: p.csm ?? null,
					time_zone: zone,
					password_hash: password.hash
				});
				await audit(trx, by, { action: 'person.add', object: object(p.email), after: added });
				return added;
			});
			known.set(db, true);
			const doc: PeopleDocs['add'] = { person, ...(password.shown ? { password: password.shown } : {}) };
			if (p.csm) {
				const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM accounts WHERE csm = ${p.csm}`.execute(db.kysely);
				doc.book_accounts = Number(rows[0]?.n ?? 0);
			}
			return doc as PeopleDocs[R['kind']];
		}
		case 'disable': {
			const e = r.params.email;
			return (await db.kysely.transaction().execute(async (trx) => {
				const repo = new PeopleRepository(trx);
				const before = await repo.byEmail(e);
				if (!before) throw new PeopleError(`there is no person ${e} (adoption user list)`, 404);
				if (!before.active) return { person: before, changed: false };
				if (before.role === 'leader') {
					const leaders = (await repo.list()).filter((x) => x.role === 'leader' && x.active);
					if (leaders.length === 1) throw new PeopleError(`${e} is the last active leader: add another leader first`, 409);
				}
				const after = await repo.update(e, { active: false });
				const ended = await endSessionsOf(trx, after.person_id);
				await audit(trx, by, { action: 'person.disable', object: object(e), before, after: { ...after, sessions_ended: ended } });
				return { person: after, changed: true };
			})) as PeopleDocs[R['kind']];
		}
		case 'reset': {
			const e = r.params.email;
			if (!(await people.byEmail(e))) throw new PeopleError(`there is no person ${e} (adoption user list)`, 404);
			const password = await newPassword(r.params.password);
			const person = await db.kysely.transaction().execute(async (trx) => {
				const repo = new PeopleRepository(trx);
				const after = await repo.update(e, { password_hash: password.hash });
				// Whoever knew the old password is signed out with it.
				const ended = await endSessionsOf(trx, after.person_id);
				await audit(trx, by, { action: 'person.reset_password', object: object(e), after: { password: 'changed', sessions_ended: ended } });
				return after;
			});
			return { person, ...(password.shown ? { password: password.shown } : {}) } as PeopleDocs[R['kind']];
		}
		case 'token_create': {
			const { email: e, name } = r.params;
			const person = await people.byEmail(e);
			if (!person) throw new PeopleError(`there is no person ${e} (adoption user list)`, 404);
			if (!person.active) throw new PeopleError(`${e} is disabled: a token of theirs would not work`, 409);
			const made = await db.kysely.transaction().execute(async (trx) => {
				const t = await makeToken(trx, person.person_id, name ?? null);
				await audit(trx, by, { action: 'token.create', object: `token:${t.token_id}`, after: { email: e, name: name ?? null } });
				return t;
			});
			return { ...made, email: e, name: name ?? null } as PeopleDocs[R['kind']];
		}
		case 'token_list':
			return { tokens: await listTokens(db.kysely, { email: r.params.email }) } as PeopleDocs[R['kind']];
		case 'token_revoke': {
			const id = r.params.id;
			return (await db.kysely.transaction().execute(async (trx) => {
				const [before] = await listTokens(trx, { id });
				if (!before) throw new PeopleError(`there is no token ${id} (adoption token list)`, 404);
				if (before.revoked_at !== null) return { token: before, changed: false };
				await revokeToken(trx, id);
				await audit(trx, by, { action: 'token.revoke', object: `token:${id}`, before });
				return { token: (await listTokens(trx, { id }))[0], changed: true };
			})) as PeopleDocs[R['kind']];
		}
	}
}
