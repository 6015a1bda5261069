/**
 * Who may do what, per route: one table the server hook consults for every request (see `guard.ts`), so
 * no page or endpoint checks roles on its own. A route missing here is refused (and a test fails), so a
 * new route cannot ship without a rule.
 *
 * Rules: `public` (anyone, signed in or not: the sign-in page); `writeKey` (the request carries a credential
 * of its own, a Segment source's write key, that the endpoint checks: no session, no local-mode limit to this
 * machine, no same-site check, since trackers post from customers' sites); `everyone` (any signed-in person); a list
 * of roles; `cli` (the local CLI only, by the handoff file's token); or a function of the principal and
 * the URL for what depends on the request (a CSM exports their own book only).
 */
import type { Role } from './people.js';

/** Who is asking: nobody yet has signed in on this database (local mode), the local CLI, or a signed-in person. */
export type Principal =
	| { kind: 'local'; role: 'leader' }
	| { kind: 'cli'; role: 'leader' }
	| { kind: 'person'; role: Role; person_id: number; email: string; name: string | null; csm: string | null; via: 'session' | 'token' };

export type Rule = 'public' | 'writeKey' | 'everyone' | 'cli' | readonly Role[] | ((p: Principal, url: URL) => true | string);

const LEADER: readonly Role[] = ['leader'];
const EXPLORERS: readonly Role[] = ['leader', 'analyst'];

/** A download (CSV or Parquet) of the worklist: a CSM exports their own book (`csm=` their value), everyone else anything. */
function ownBookExport(p: Principal, url: URL): true | string {
	const format = url.searchParams.get('format') ?? 'json';
	if (p.role !== 'csm' || format === 'json') return true;
	if (p.kind === 'person' && p.csm !== null && url.searchParams.get('csm') === p.csm) return true;
	return `A CSM exports their own book only: add csm=${encodeURIComponent(p.kind === 'person' ? (p.csm ?? '') : '')} to the URL.`;
}

/** CSV of a list: lists name accounts of every book, so CSMs read them on the page but do not export them. */
function noCsmExport(p: Principal, url: URL): true | string {
	if (p.role === 'csm' && url.searchParams.get('format') === 'csv')
		return 'A CSM cannot export lists of every book; export your own accounts from the worklist.';
	return true;
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'OPTIONS';

/** Route id (as SvelteKit names it) → method → rule. A page's form actions are its POST. */
export const POLICY: Record<string, Partial<Record<Method, Rule>>> = {
	'/': { GET: 'everyone' },
	// POST: the sign-in and sign-out form actions.
	'/signin': { GET: 'public', POST: 'public' },
	// The one-click opt-out link of a message: read in a mailbox, so no sign-in; its signature is its authority.
	'/notifications/optout': { GET: 'public', POST: 'public' },
	'/accounts': { GET: 'everyone' },
	'/accounts/[id]': { GET: 'everyone' },
	'/metrics': { GET: 'everyone' },
	'/metrics/lists/[id]': { GET: 'everyone' },
	'/knowledge': { GET: 'everyone' },
	'/support': { GET: 'everyone' },
	'/models': { GET: 'everyone' },
	'/jobs': { GET: 'everyone' },
	'/load': { GET: LEADER },
	// POST: add, pause, resume, sync, rotate, revoke.
	'/sources': { GET: EXPLORERS, POST: LEADER },
	'/rejected': { GET: EXPLORERS },
	'/audit': { GET: LEADER },
	// POST: add a person, disable one, give one a new password.
	'/people': { GET: LEADER, POST: LEADER },
	// Everyone sees the alerts; who may act on which is the alert's own rule (`alerts/actions.ts`: a CSM their book).
	'/alerts': { GET: 'everyone', POST: 'everyone' },
	'/alerts/[id]': { GET: 'everyone', POST: 'everyone' },
	'/triage': { GET: 'everyone' },
	'/api/accounts': { GET: ownBookExport },
	'/api/accounts/[id]': { GET: 'everyone' },
	'/api/alerts': { GET: 'everyone' },
	'/api/alerts/[id]': { GET: 'everyone', POST: 'everyone' },
	'/api/audit': { GET: LEADER },
	'/api/cohorts/[view]': { GET: 'everyone' },
	'/api/jobs': { GET: 'everyone', POST: 'cli' },
	'/api/jobs/[id]': { GET: 'everyone' },
	'/api/lists/[name]': { GET: noCsmExport },
	'/api/knowledge/[table]': { GET: 'everyone' },
	// The support tables name accounts of every book (confusion hot spots, repeating automations), as lists do.
	'/api/support/[table]': { GET: noCsmExport },
	'/api/metrics': { GET: 'everyone' },
	'/api/metrics/[id]': { GET: 'everyone' },
	'/api/people': { POST: 'cli' },
	'/api/reads': { POST: 'cli' },
	'/api/rejected': { GET: EXPLORERS },
	'/api/sources': { GET: EXPLORERS, POST: 'cli' },
	'/api/status': { GET: 'everyone' },
	'/api/triage': { GET: 'everyone' },
	'/api/uploads': { POST: LEADER },
	'/api/uploads/[batch]': { POST: LEADER },
	'/api/uploads/[batch]/[name]': { PUT: LEADER },
	// Segment's tracking API; OPTIONS is a browser's CORS preflight.
	'/v1/[call]': { POST: 'writeKey', OPTIONS: 'writeKey' },
	'/cohorts': { GET: 'everyone' },
	// The cohorts page's tables: aggregates that name no account, like /api/cohorts.
	'/api/explore/[table]': { GET: 'everyone' }
};

/** A refusal: 401 (nobody is signed in) or 403 (this principal may not), with the message to show. */
export interface Denial {
	status: 401 | 403;
	message: string;
}

/** The rule of a request, or undefined when there is none. */
export function ruleOf(routeId: string | null, method: string): Rule | undefined {
	return routeId === null ? 'everyone' : POLICY[routeId]?.[(method === 'HEAD' ? 'GET' : method) as Method];
}

/**
 * Whether `principal` (null: nobody signed in) may make this request to route `routeId` (null: no such
 * route; SvelteKit answers 404 to those who may see the app). Returns the denial, or null to go on.
 */
export function authorize(routeId: string | null, method: string, principal: Principal | null, url: URL): Denial | null {
	const rule = ruleOf(routeId, method);
	if (rule === 'public' || rule === 'writeKey') return null;
	if (rule === undefined) return { status: 403, message: `${method} ${url.pathname} is not open to anyone.` };
	if (principal === null) return { status: 401, message: 'Sign in first.' };
	if (rule === 'everyone') return null;
	if (rule === 'cli')
		return principal.kind === 'cli' ? null : { status: 403, message: 'Only the adoption CLI on this machine may do this.' };
	if (typeof rule === 'function') {
		const verdict = rule(principal, url);
		return verdict === true ? null : { status: 403, message: verdict };
	}
	return rule.includes(principal.role)
		? null
		: { status: 403, message: `This needs the role ${rule.join(' or ')}; you are ${article(principal.role)}.` };
}

const article = (role: Role) => (role === 'analyst' ? 'an analyst' : role === 'csm' ? 'a CSM' : 'a leader');
