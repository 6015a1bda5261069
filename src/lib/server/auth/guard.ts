/**
 * The server hook's check of every request (see `hooks.server.ts`): who is asking, then whether the
 * policy (`policy.ts`) lets them. Who is asking:
 * - the local CLI, by the handoff file's token (`Authorization: Bearer …`), acting as a leader;
 * - with no people in the database yet (local mode), anyone on this machine, as a leader, and nobody
 *   from elsewhere;
 * - else the person of the session cookie, or nobody.
 */
import crypto from 'node:crypto';
import type { Cookies } from '@sveltejs/kit';
import type { Database } from '../db/connection.js';
import { handoffToken } from '../db/owner.js';
import { hasPeople } from './people.js';
import { authorize, type Denial, type Principal } from './policy.js';
import { SESSION_COOKIE, sessionPerson } from './sessions.js';

/** Whether a client address is this machine (IPv4 or IPv6 loopback, also IPv4-mapped). */
export function isLoopback(address: string): boolean {
	return address === '::1' || /^(::ffff:)?127\.\d+\.\d+\.\d+$/.test(address);
}

export const LOCAL_ONLY =
	'This app is in local mode (nobody has been added yet), so it answers on its own machine only. Add a leader: adoption user add EMAIL --role leader';

/** Whether two secrets are equal, in time that does not depend on where they differ. */
export function sameSecret(a: string, b: string): boolean {
	const [x, y] = [Buffer.from(a), Buffer.from(b)];
	return x.length === y.length && crypto.timingSafeEqual(x, y);
}

/** What the hook knows of a request. */
export interface Asking {
	routeId: string | null;
	method: string;
	url: URL;
	headers: Headers;
	cookies: Pick<Cookies, 'get'>;
	address: string;
}

/** Who is asking (null: nobody signed in), or why they may not ask at all. */
async function principalOf(db: Database | null, r: Asking): Promise<{ principal: Principal | null } | Denial> {
	const bearer = /^Bearer (.+)$/.exec(r.headers.get('authorization') ?? '')?.[1];
	const handoff = handoffToken();
	if (bearer !== undefined && handoff !== null && sameSecret(bearer, handoff)) return { principal: { kind: 'cli', role: 'leader' } };
	if (db === null || !(await hasPeople(db))) {
		return isLoopback(r.address) ? { principal: { kind: 'local', role: 'leader' } } : { status: 403, message: LOCAL_ONLY };
	}
	if (bearer !== undefined) return { status: 401, message: 'That token is not valid here.' };
	const token = r.cookies.get(SESSION_COOKIE);
	const person = token ? await sessionPerson(db, token) : null;
	if (!person) return { principal: null };
	return {
		principal: {
			kind: 'person',
			role: person.role as Principal['role'],
			person_id: person.person_id,
			email: person.email,
			name: person.name,
			csm: person.csm,
			via: 'session'
		}
	};
}

/** The request's principal and the policy's verdict on it (`denial` null: go on). `db` null: there is no database yet. */
export async function guard(db: Database | null, r: Asking): Promise<{ principal: Principal | null; denial: Denial | null }> {
	const who = await principalOf(db, r);
	if ('status' in who) return { principal: null, denial: who };
	return { principal: who.principal, denial: authorize(r.routeId, r.method, who.principal, r.url) };
}
