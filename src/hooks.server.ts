import { error, json, type Handle, type ServerInit } from '@sveltejs/kit';
import { guard, type Asking } from '$lib/server/auth/guard.js';
import { withDatabase } from '$lib/server/db/app.js';
import { claimOwnership, isOwner, ownedDatabase } from '$lib/server/db/owner.js';
import { warmViews, warmWhenListening } from '$lib/server/cache/warm.js';
import { jobQueue } from '$lib/server/jobs/queue.js';
import { scheduleAlerts } from '$lib/server/alerts/schedule.js';
import { startOutboxWorker } from '$lib/server/notify/worker.js';
import { scheduleSources } from '$lib/server/sources/schedule.js';
import { startSegmentIngest } from '$lib/server/sources/segment/ingest.js';

/**
 * The built server (`node build/index.js`, what `adoption serve` runs) owns its database from the start:
 * it takes the file's lock, writes the handoff file for the CLI, and marks jobs a killed predecessor left
 * running as failed, warms the first views (see `cache/warm.ts`), and starts the alerts' timetable
 * (`alerts/schedule.ts`), the outbox worker (`notify/worker.ts`), the Zendesk syncs (`sources/schedule.ts`)
 * and the tracking API's loader, which first loads what its spool kept (`sources/segment/ingest.ts`). Under `vite dev` nothing is claimed.
 */
export const init: ServerInit = async () => {
	if (process.env.ADOPTION_OWN !== '1') return;
	const host = process.env.HOST && process.env.HOST !== '0.0.0.0' && process.env.HOST !== '::' ? process.env.HOST : '127.0.0.1';
	const url = `http://${host.includes(':') ? `[${host}]` : host}:${process.env.PORT ?? 3000}`;
	await claimOwnership(url);
	// The queue recovers as soon as the database can be opened (now, or when the file first appears).
	// The first views are computed once the server listens, and again after every job.
	await ownedDatabase()
		.then(async (db) => {
			const queue = await jobQueue(db);
			queue.afterEach(() => void warmViews(url));
			scheduleAlerts(db, queue);
			startOutboxWorker(db);
			scheduleSources(db, queue);
			// Tracked calls a killed predecessor acknowledged are loaded before the server answers anyone.
			await startSegmentIngest(db, queue);
			void warmWhenListening(url);
		})
		.catch(() => {});
};

let noPeopleUntil = 0;

/**
 * The guard on a request, on the app's database. With no database file yet there are no people: local mode.
 * A file that cannot be opened is a 503 (never local mode: it may have people), and a failure of the guard's
 * own queries is an error like any other.
 */
async function guarded(asking: Asking) {
	// Outside the server (vite dev, a read-only viewer) each use opens the file: while it has no people, a
	// second's answer stands for the next requests, rather than opening the file twice for each.
	if (!isOwner() && Date.now() < noPeopleUntil) return guard(null, asking);
	let opened = false;
	try {
		const verdict = await withDatabase((db) => {
			opened = true;
			return guard(db, asking);
		});
		// The local visitor is only ever the principal of a database without people.
		if (!isOwner() && verdict.principal?.kind === 'local') noPeopleUntil = Date.now() + 1000;
		return verdict;
	} catch (err) {
		if (opened) throw err;
		const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
		if (/does not exist/.test(message)) return guard(null, asking);
		error(503, message.charAt(0).toUpperCase() + message.slice(1));
	}
}

/**
 * Every request passes the guard (`auth/guard.ts`: who is asking, and the per-route policy) before any
 * page or endpoint runs. Refused: JSON `{"message"}` with 401 or 403 from the API; a page asked for by
 * nobody signed in redirects to the sign-in page, and a forbidden one is the error page with the message.
 */
export const handle: Handle = async ({ event, resolve }) => {
	const bad = badQuery(event.url);
	if (bad) {
		const status = 400;
		return secured(event.route.id?.startsWith('/api/') ? json({ message: bad }, { status }) : deniedPage(status, bad));
	}
	const { principal, denial } = await guarded({
		routeId: event.route.id,
		method: event.request.method,
		url: event.url,
		headers: event.request.headers,
		cookies: event.cookies,
		address: event.getClientAddress()
	});
	if (denial) {
		if (event.route.id?.startsWith('/api/')) return secured(json({ message: denial.message }, { status: denial.status }));
		if (denial.status === 401 && event.request.method === 'GET') {
			const next = encodeURIComponent(event.url.pathname + event.url.search);
			return secured(new Response(null, { status: 303, headers: { location: `/signin?next=${next}` } }));
		}
		return secured(deniedPage(denial.status, denial.message));
	}
	event.locals.principal = principal;
	// A page's POST is a form action, which reads form data: anything else would fail inside the action as a 500.
	if (event.request.method === 'POST' && isPage(event.route.id) && !isFormBody(event.request.headers.get('content-type'))) {
		return secured(deniedPage(415, 'This page takes a form: post it as application/x-www-form-urlencoded or multipart/form-data.'));
	}
	return secured(await resolve(event));
};

/** Whether a route is a page (its POST a form action), not an endpoint. */
const isPage = (routeId: string | null) => routeId !== null && !routeId.startsWith('/api/') && !routeId.startsWith('/v1/');

/** Whether a content type is one a form sends. */
const isFormBody = (type: string | null) => /^(application\/x-www-form-urlencoded|multipart\/form-data)\b/i.test(type ?? '');

/** The longest query parameter value any page or endpoint takes (a search, a CSM's name, a date). */
const MAX_PARAM = 1000;

/** Whether `s` has a control character (C0, or DEL), such as a NUL byte. */
const hasControl = (s: string) => [...s].some((c) => c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127);

/**
 * What is wrong with a URL's query, before any page or endpoint sees it: a value too long to be anything
 * the app takes (100 KB pasted into a filter), or one with a control character (a NUL byte), or null.
 */
function badQuery(url: URL): string | null {
	for (const [key, value] of url.searchParams) {
		const name = key.length > 40 ? `${key.slice(0, 40)}…` : key;
		if (value.length > MAX_PARAM)
			return `Query parameter '${name}' is ${value.length.toLocaleString('en-US')} characters long; at most ${MAX_PARAM.toLocaleString('en-US')} are taken.`;
		if (hasControl(key + value))
			return `Query parameter '${[...name].map((c) => (hasControl(c) ? '?' : c)).join('')}' contains a control character.`;
	}
	return null;
}

/**
 * Headers on every response: no MIME sniffing, no referrer beyond this app, no framing. Pages get SvelteKit's
 * Content-Security-Policy (`svelte.config.js`); anything else a policy that allows nothing to run or load.
 */
function secured(response: Response): Response {
	const h = response.headers;
	h.set('x-content-type-options', 'nosniff');
	h.set('referrer-policy', 'same-origin');
	h.set('x-frame-options', 'DENY');
	if (!h.has('content-security-policy')) h.set('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
	return response;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A refused page: the status and the policy's message, standalone (it must not run the page it refuses). */
function deniedPage(status: number, message: string): Response {
	const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${status} · Adoption analytics</title>
<style>body{margin:0;font:15px/1.5 system-ui,sans-serif;color:#1b2230;background:#f5f6f8}main{max-width:36rem;margin:12vh auto;padding:2rem;background:#fff;border:1px solid #e2e5ea;border-radius:10px}.s{color:#5d6878;font-size:.85rem}h1{margin:.2rem 0 .8rem;font-size:1.3rem}a{color:#2f5bd3}</style></head>
<body><main><div class="s">Error ${status}</div><h1>${escapeHtml(message)}</h1><p><a href="/">Back to the overview</a></p></main></body></html>`;
	return new Response(body, {
		status,
		headers: {
			'content-type': 'text/html; charset=utf-8',
			'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
		}
	});
}
