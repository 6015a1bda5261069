/**
 * The server hook's check of every request (see `hooks.server.ts`): who is asking, then whether the
 * policy (`policy.ts`) lets them. Who is asking:
 * - the local CLI, by the handoff file's token (`Authorization: Bearer …`), acting as a leader;
 * - with no people in the database yet (local mode), anyone on this machine, as a leader, and nobody
 *   from elsewhere;
 * - else the person of an API token (`Authorization: Bearer adp_…`) or of the session cookie, or nobody.
 * A request that may change something and rides on a cookie or local mode must come from the app's own
 * origin (CSRF).
 */
import type { Cookies } from '@sveltejs/kit';
import type { Database } from '../db/connection.js';
import { handoffToken } from '../db/owner.js';
import type { Person } from '../db/repositories/people.repository.js';
import { hasPeople, type Role } from './people.js';
import { authorize, ruleOf, type Denial, type Principal } from './policy.js';
import { SESSION_COOKIE, sessionPerson } from './sessions.js';
import { sameSecret } from './secrets.js';
import { tokenPerson } from './tokens.js';

/** Whether a client address is this machine (IPv4 or IPv6 loopback, also IPv4-mapped). */
export function isLoopback(address: string): boolean {
	return address === '::1' || /^(::ffff:)?127\.\d+\.\d+\.\d+$/.test(address);
}

export const LOCAL_ONLY =
	'This app is in local mode (nobody has been added yet), so it answers on its own machine only. Add a leader: adoption user add EMAIL --role leader';

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
	if (bearer !== undefined) {
		const person = await tokenPerson(db, bearer);
		if (!person) return { status: 401, message: 'That token is not valid here: revoked, mistyped, or its person disabled.' };
		return { principal: personPrincipal(person, 'token') };
	}
	const token = r.cookies.get(SESSION_COOKIE);
	const person = token ? await sessionPerson(db, token) : null;
	return { principal: person ? personPrincipal(person, 'session') : null };
}

function personPrincipal(p: Person, via: 'session' | 'token'): Principal {
	return { kind: 'person', role: p.role as Role, person_id: p.person_id, email: p.email, name: p.name, csm: p.csm, via };
}

/**
 * Whether a request that may change something comes from another site: its `Origin` (or, without one, its
 * `Sec-Fetch-Site`) is not this app's. Browsers send both on cross-site requests, so a page elsewhere cannot
 * make a signed-in (or local-mode) browser act; clients without a browser's ambient cookie use a token.
 */
function crossSite(r: Asking): boolean {
	if (['GET', 'HEAD', 'OPTIONS'].includes(r.method)) return false;
	const origin = r.headers.get('origin');
	if (origin !== null) return origin !== r.url.origin;
	const site = r.headers.get('sec-fetch-site');
	return site !== null && site !== 'same-origin' && site !== 'none';
}

export const CROSS_SITE = 'A request from another site may not change anything here: use the app’s own pages, or a bearer token.';

/** The request's principal and the policy's verdict on it (`denial` null: go on). `db` null: there is no database yet. */
export async function guard(db: Database | null, r: Asking): Promise<{ principal: Principal | null; denial: Denial | null }> {
	if (ruleOf(r.routeId, r.method) === 'writeKey') return { principal: null, denial: null };
	const who = await principalOf(db, r);
	if ('status' in who) {
		// A public page (sign-in) answers anyone, also a client sending a bad token.
		if (who.status === 401 && authorize(r.routeId, r.method, null, r.url) === null) return { principal: null, denial: null };
		return { principal: null, denial: who };
	}
	const p = who.principal;
	// A token or the CLI's handoff token is sent on purpose; a cookie (or local mode) rides along with any request.
	if (crossSite(r) && !(p?.kind === 'cli' || (p?.kind === 'person' && p.via === 'token'))) {
		return { principal: null, denial: { status: 403, message: CROSS_SITE } };
	}
	return { principal: who.principal, denial: authorize(r.routeId, r.method, who.principal, r.url) };
}
