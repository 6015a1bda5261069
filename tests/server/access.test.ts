/**
 * Who may do what, over HTTP against `adoption serve`: every route of the policy × nobody signed in, a
 * leader, an analyst, a CSM, a CSM of another book, a signed-out (revoked) session, an analyst's API token
 * and a revoked token, each with the status it must get. Changes only from the app's own origin (CSRF);
 * sign-in by form likewise; no password, session or token in the server's output.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localActor } from '../../src/lib/server/auth/audit.js';
import { runPeople, type Role } from '../../src/lib/server/auth/people.js';
import { POLICY } from '../../src/lib/server/auth/policy.js';
import { openDatabase } from '../../src/lib/server/db/connection.js';
import { loadFiles } from '../../src/lib/server/ingest/load.js';
import { adoption, fixture, tempDir } from '../helpers.js';
import { killServers, logOf, serve, stop } from './serve.js';

const dir = tempDir('adoption-access-');
const db = path.join(dir, 'access.duckdb');
const PASSWORD = 'correct horse battery';
const WHO = ['nobody', 'leader', 'analyst', 'csm', 'otherCsm', 'revoked'] as const;
type Who = (typeof WHO)[number];
/** Also asking: an analyst's API token (answered as the analyst), and a revoked one (as nobody). */
const TOKENS = { analystToken: 'analyst', revokedToken: 'nobody' } as const;
type TokenName = keyof typeof TOKENS;
const tokens: Partial<Record<TokenName, string>> = {};
let server: Awaited<ReturnType<typeof serve>>;
const cookies: Partial<Record<Who, string>> = {};

/** Signs in by the form, as a browser on the app's page would; returns the session cookie (or the response, refused). */
async function signIn(email: string, origin = server.url, password = PASSWORD): Promise<Response> {
	return fetch(`${server.url}/signin?/signin`, {
		method: 'POST',
		redirect: 'manual',
		headers: { origin, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({ email, password })
	});
}
const cookieOf = (res: Response) => /adoption_session=[^;]+/.exec(res.headers.get('set-cookie') ?? '')?.[0];

beforeAll(async () => {
	// Made in this process (a CLI run costs seconds): the fixtures, four people and two tokens, one revoked.
	const made = await openDatabase(db);
	try {
		expect((await loadFiles(made, [fixture('ingest', 'accounts.csv'), fixture('ingest', 'tickets.csv')])).every((r) => r.ok)).toBe(true);
		const people: [string, Role, string?][] = [
			['lee@example.com', 'leader'],
			['ana@example.com', 'analyst'],
			['cam@example.com', 'csm', 'Dana'],
			['eli@example.com', 'csm', 'Eli']
		];
		for (const [email, role, csm] of people)
			await runPeople(made, { kind: 'add', params: { email, role, csm, password: PASSWORD } }, localActor());
		for (const name of ['analystToken', 'revokedToken'] as const) {
			const t = await runPeople(made, { kind: 'token_create', params: { email: 'ana@example.com', name } }, localActor());
			tokens[name] = t.token;
			if (name === 'revokedToken') await runPeople(made, { kind: 'token_revoke', params: { id: t.token_id } }, localActor());
		}
	} finally {
		made.close();
	}
	server = await serve(db);
	for (const [who, email] of [
		['leader', 'lee@example.com'],
		['analyst', 'ana@example.com'],
		['csm', 'cam@example.com'],
		['otherCsm', 'eli@example.com'],
		['revoked', 'ana@example.com']
	] as const) {
		const res = await signIn(email);
		expect([res.status, res.headers.get('location')], who).toEqual([303, '/']);
		cookies[who] = cookieOf(res);
	}
	const out = await fetch(`${server.url}/signin?/signout`, {
		method: 'POST',
		redirect: 'manual',
		headers: { origin: server.url, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded', cookie: cookies.revoked! },
		body: ''
	});
	expect(out.status).toBe(303);
}, 120_000);

afterAll(async () => {
	if (server) await stop(server.child);
	killServers();
	fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * One request per route and method, with the status each principal gets: 200 (or what the handler answers
 * when allowed: `ok` means anything but 401, 403 and 5xx), 303 to sign-in for pages, 401 and 403.
 */
const PAGE = { nobody: 303, leader: 200, analyst: 200, csm: 200, otherCsm: 200, revoked: 303 } as const;
const API = { nobody: 401, leader: 200, analyst: 200, csm: 200, otherCsm: 200, revoked: 401 } as const;
const CLI_ONLY = { nobody: 401, leader: 403, analyst: 403, csm: 403, otherCsm: 403, revoked: 401 } as const;
const LEADER_PAGE = { ...PAGE, analyst: 403, csm: 403, otherCsm: 403 } as const;
const LEADER_API = { nobody: 401, leader: 'ok', analyst: 403, csm: 403, otherCsm: 403, revoked: 401 } as const;
const EXPLORERS_API = { ...API, csm: 403, otherCsm: 403 } as const;
type Expect = Record<Who, number | 'ok'>;
const CASES: { route: string; method: string; url: string; expect: Expect }[] = [
	{ route: '/', method: 'GET', url: '/', expect: PAGE },
	{
		route: '/signin',
		method: 'GET',
		url: '/signin',
		expect: { ...PAGE, nobody: 200, revoked: 200, leader: 303, analyst: 303, csm: 303, otherCsm: 303 }
	},
	{ route: '/accounts', method: 'GET', url: '/accounts', expect: PAGE },
	// No such account: a 404 for whoever may look.
	{
		route: '/accounts/[id]',
		method: 'GET',
		url: '/accounts/NOPE',
		expect: { ...PAGE, leader: 'ok', analyst: 'ok', csm: 'ok', otherCsm: 'ok' }
	},
	{
		route: '/notifications/optout',
		method: 'GET',
		url: '/notifications/optout?r=a%40b.c&c=email&s=forged',
		expect: { nobody: 400, leader: 400, analyst: 400, csm: 400, otherCsm: 400, revoked: 400 }
	},
	{ route: '/alerts', method: 'GET', url: '/alerts?state=all', expect: PAGE },
	{ route: '/triage', method: 'GET', url: '/triage', expect: PAGE },
	{ route: '/api/triage', method: 'GET', url: '/api/triage?ticket=T1', expect: API },
	{ route: '/alerts/[id]', method: 'GET', url: '/alerts/999', expect: { ...PAGE, leader: 'ok', analyst: 'ok', csm: 'ok', otherCsm: 'ok' } },
	{ route: '/metrics', method: 'GET', url: '/metrics?plan=pro', expect: PAGE },
	{ route: '/metrics/lists/[id]', method: 'GET', url: '/metrics/lists/stale_articles', expect: PAGE },
	{ route: '/knowledge', method: 'GET', url: '/knowledge?plan=pro', expect: PAGE },
	{ route: '/support', method: 'GET', url: '/support', expect: PAGE },
	{ route: '/cohorts', method: 'GET', url: '/cohorts?a.plan=pro', expect: PAGE },
	{ route: '/models', method: 'GET', url: '/models', expect: PAGE },
	{ route: '/jobs', method: 'GET', url: '/jobs', expect: PAGE },
	{ route: '/load', method: 'GET', url: '/load', expect: LEADER_PAGE },
	{ route: '/rejected', method: 'GET', url: '/rejected', expect: { ...LEADER_PAGE, analyst: 200 } },
	{ route: '/sources', method: 'GET', url: '/sources', expect: { ...LEADER_PAGE, analyst: 200 } },
	// A form action: only a leader gets past the guard (the empty body is then the action's to refuse).
	{ route: '/sources', method: 'POST', url: '/sources?/pause', expect: LEADER_API },
	{ route: '/api/sources', method: 'GET', url: '/api/sources', expect: EXPLORERS_API },
	{ route: '/api/sources', method: 'POST', url: '/api/sources', expect: CLI_ONLY },
	// The tracking API's authority is a write key, never a session: without one everybody gets its 401.
	{
		route: '/v1/[call]',
		method: 'POST',
		url: '/v1/track',
		expect: { nobody: 401, leader: 401, analyst: 401, csm: 401, otherCsm: 401, revoked: 401 }
	},
	{
		route: '/v1/[call]',
		method: 'OPTIONS',
		url: '/v1/batch',
		expect: { nobody: 'ok', leader: 'ok', analyst: 'ok', csm: 'ok', otherCsm: 'ok', revoked: 'ok' }
	},
	{ route: '/audit', method: 'GET', url: '/audit?action=person', expect: LEADER_PAGE },
	{ route: '/people', method: 'GET', url: '/people', expect: LEADER_PAGE },
	{ route: '/api/audit', method: 'GET', url: '/api/audit?action=session.start', expect: { ...LEADER_API, leader: 200 } },
	{ route: '/api/accounts', method: 'GET', url: '/api/accounts', expect: API },
	{
		route: '/api/accounts/[id]',
		method: 'GET',
		url: '/api/accounts/NOPE',
		expect: { ...API, leader: 'ok', analyst: 'ok', csm: 'ok', otherCsm: 'ok' }
	},
	{ route: '/api/accounts', method: 'GET', url: '/api/accounts?format=csv', expect: { ...API, csm: 403, otherCsm: 403 } },
	{ route: '/api/accounts', method: 'GET', url: '/api/accounts?format=csv&csm=Dana', expect: { ...API, otherCsm: 403 } },
	{ route: '/api/accounts', method: 'GET', url: '/api/accounts?format=parquet', expect: { ...API, csm: 403, otherCsm: 403 } },
	{ route: '/api/accounts', method: 'GET', url: '/api/accounts?format=parquet&csm=Dana', expect: { ...API, otherCsm: 403 } },
	{ route: '/api/alerts', method: 'GET', url: '/api/alerts?state=all', expect: API },
	{
		route: '/api/alerts/[id]',
		method: 'GET',
		url: '/api/alerts/999',
		expect: { ...API, leader: 'ok', analyst: 'ok', csm: 'ok', otherCsm: 'ok' }
	},
	{
		route: '/api/alerts/[id]',
		method: 'POST',
		url: '/api/alerts/999',
		expect: { ...API, leader: 'ok', analyst: 'ok', csm: 'ok', otherCsm: 'ok' }
	},
	{ route: '/api/cohorts/[view]', method: 'GET', url: '/api/cohorts/activation', expect: API },
	{ route: '/api/explore/[table]', method: 'GET', url: '/api/explore/breakdown?format=csv', expect: API },
	{ route: '/api/jobs', method: 'GET', url: '/api/jobs', expect: API },
	{ route: '/api/jobs', method: 'POST', url: '/api/jobs', expect: CLI_ONLY },
	{
		route: '/api/jobs/[id]',
		method: 'GET',
		url: '/api/jobs/999',
		expect: { ...API, leader: 'ok', analyst: 'ok', csm: 'ok', otherCsm: 'ok' }
	},
	{ route: '/api/lists/[name]', method: 'GET', url: '/api/lists/stale_articles', expect: API },
	{ route: '/api/lists/[name]', method: 'GET', url: '/api/lists/stale_articles?format=csv', expect: { ...API, csm: 403, otherCsm: 403 } },
	{ route: '/api/knowledge/[table]', method: 'GET', url: '/api/knowledge/article_format_failures?format=csv', expect: API },
	{ route: '/api/support/[table]', method: 'GET', url: '/api/support/friction_by_topic', expect: API },
	{
		route: '/api/support/[table]',
		method: 'GET',
		url: '/api/support/confusion_hot_spots?format=csv',
		expect: { ...API, csm: 403, otherCsm: 403 }
	},
	{ route: '/api/metrics', method: 'GET', url: '/api/metrics', expect: API },
	{ route: '/api/metrics/[id]', method: 'GET', url: '/api/metrics/ticket_volume', expect: API },
	{ route: '/api/people', method: 'POST', url: '/api/people', expect: CLI_ONLY },
	{ route: '/api/reads', method: 'POST', url: '/api/reads', expect: CLI_ONLY },
	{ route: '/api/rejected', method: 'GET', url: '/api/rejected', expect: EXPLORERS_API },
	{ route: '/api/status', method: 'GET', url: '/api/status', expect: API },
	{ route: '/api/uploads', method: 'POST', url: '/api/uploads', expect: LEADER_API },
	{ route: '/api/uploads/[batch]', method: 'POST', url: '/api/uploads/nosuchbatch', expect: LEADER_API },
	{ route: '/api/uploads/[batch]/[name]', method: 'PUT', url: '/api/uploads/nosuchbatch/a.csv', expect: LEADER_API }
];

describe('access over HTTP', () => {
	it('has a case for every route and method of the policy', () => {
		const covered = new Set(CASES.map((c) => `${c.method} ${c.route}`));
		const ruled = Object.entries(POLICY).flatMap(([route, rules]) => Object.keys(rules).map((m) => `${m} ${route}`));
		// The sign-in form's POST is exercised by every sign-in, the People page's by its own test below, the
		// alert pages' and the opt-out link's by tests/server/alerts.test.ts.
		expect([...covered, 'POST /signin', 'POST /people', 'POST /alerts', 'POST /alerts/[id]', 'POST /notifications/optout'].sort()).toEqual(
			ruled.sort()
		);
	});

	it('gives each principal the status the policy means for it, with a message when refused', async () => {
		const got: string[] = [];
		const want: string[] = [];
		for (const c of CASES) {
			for (const who of [...WHO, ...(Object.keys(TOKENS) as TokenName[])]) {
				const token = who in TOKENS ? tokens[who as TokenName] : undefined;
				const cookie = who in TOKENS ? undefined : cookies[who as Who];
				const res = await fetch(server.url + c.url, {
					method: c.method,
					redirect: 'manual',
					headers: {
						accept: c.route.startsWith('/api/') ? 'application/json' : 'text/html',
						origin: server.url,
						...(token ? { authorization: `Bearer ${token}` } : {}),
						...(cookie ? { cookie } : {})
					},
					...(c.method === 'GET' ? {} : { body: '{}' })
				});
				const body = await res.text();
				const expected = c.expect[who in TOKENS ? TOKENS[who as TokenName] : (who as Who)];
				const status = expected === 'ok' && ![401, 403].includes(res.status) && res.status < 500 ? 'ok' : res.status;
				got.push(`${c.method} ${c.url} as ${who}: ${status}`);
				want.push(`${c.method} ${c.url} as ${who}: ${expected}`);
				if (res.status === 303 && expected === 303) expect(res.headers.get('location')).toMatch(/^\/signin\?next=|^\/$/);
				if (res.status === 401 || res.status === 403)
					expect(body, `${c.url} as ${who}`).toMatch(/Sign in first|needs the role|CSM|Only the adoption CLI|token|write key/);
			}
		}
		expect(got).toEqual(want);
	});

	it('refuses a change from another site, changing nothing, and takes the same from the app’s own origin', async () => {
		const leader = { cookie: cookies.leader!, accept: 'application/json' };
		const jobs = async () =>
			((await (await fetch(`${server.url}/api/jobs`, { headers: leader })).json()) as { jobs: unknown[] }).jobs.length;
		const { batch } = await (
			await fetch(`${server.url}/api/uploads`, { method: 'POST', headers: { ...leader, origin: server.url } })
		).json();
		const put = await fetch(`${server.url}/api/uploads/${batch}/surveys.csv`, {
			method: 'PUT',
			headers: { ...leader, origin: server.url, 'content-type': 'application/octet-stream' },
			body: new Uint8Array(fs.readFileSync(fixture('ingest', 'surveys.csv')))
		});
		expect([put.status, await put.text()]).toEqual([201, expect.any(String)]);
		const before = await jobs();
		for (const cross of [{ origin: 'https://evil.example' }, { 'sec-fetch-site': 'cross-site' }] as Record<string, string>[]) {
			const res = await fetch(`${server.url}/api/uploads/${batch}`, { method: 'POST', headers: { ...leader, ...cross } });
			expect([res.status, (await res.json()).message]).toEqual([403, expect.stringMatching(/another site/)]);
		}
		expect(await jobs()).toBe(before);
		const same = await fetch(`${server.url}/api/uploads/${batch}`, { method: 'POST', headers: { ...leader, origin: server.url } });
		expect(same.status).toBe(202);
		expect(await jobs()).toBe(before + 1);
		const { entries } = await (await fetch(`${server.url}/api/audit?action=load`, { headers: leader })).json();
		expect(entries).toEqual([
			expect.objectContaining({ actor: 'lee@example.com', action: 'load.start', after: { files: ['surveys.csv'] } })
		]);
	});

	it('lets a leader add a person, give them a new password and disable them on the People page, and nobody else', async () => {
		const act = (action: string, fields: Record<string, string>, cookie: string, origin = server.url) =>
			fetch(`${server.url}/people?/${action}`, {
				method: 'POST',
				redirect: 'manual',
				headers: { origin, cookie, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
				body: new URLSearchParams(fields)
			});
		const shown = async (res: Response) => /<code class="secret[^"]*">([^<]+)<\/code>/.exec(await res.text())?.[1];
		const newcomer = { email: 'new@example.com', role: 'analyst', name: 'New Person' };
		expect((await act('add', newcomer, cookies.analyst!)).status).toBe(403);
		expect((await act('add', newcomer, cookies.leader!, 'https://evil.example')).status).toBe(403);
		const added = await act('add', newcomer, cookies.leader!);
		expect(added.status).toBe(200);
		const first = (await shown(added))!;
		expect(first).toMatch(/^[A-Za-z0-9_-]{20}$/);
		const again = await act('add', newcomer, cookies.leader!);
		expect([again.status, /already a person here/.test(await again.text())]).toEqual([400, true]);

		const session = cookieOf(await signIn('new@example.com', server.url, first))!;
		const statusAs = async (cookie: string) => (await fetch(`${server.url}/api/status`, { headers: { cookie } })).status;
		expect(await statusAs(session)).toBe(200);
		const second = (await shown(await act('reset', { email: 'new@example.com' }, cookies.leader!)))!;
		expect(second).not.toBe(first);
		expect(await statusAs(session)).toBe(401);
		expect((await signIn('new@example.com', server.url, first)).status).not.toBe(303);
		const later = cookieOf(await signIn('new@example.com', server.url, second))!;
		expect((await act('disable', { email: 'new@example.com' }, cookies.leader!)).status).toBe(200);
		expect(await statusAs(later)).toBe(401);

		const { entries } = await (
			await fetch(`${server.url}/api/audit?actor=lee@example.com&action=person`, { headers: { cookie: cookies.leader! } })
		).json();
		expect(entries.map((e: { action: string }) => e.action)).toEqual(['person.disable', 'person.reset_password', 'person.add']);
	});

	it('signs in only from the app’s own origin, the same message for an unknown email and a wrong password', async () => {
		expect((await signIn('lee@example.com', 'https://evil.example')).status).toBe(403);
		const wrong = async (email: string, password: string) => {
			const res = await fetch(`${server.url}/signin?/signin`, {
				method: 'POST',
				headers: { origin: server.url, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
				body: new URLSearchParams({ email, password })
			});
			return [res.status, /Email or password is wrong\./.test(await res.text())];
		};
		expect(await wrong('nobody@example.com', PASSWORD)).toEqual([401, true]);
		expect(await wrong('lee@example.com', 'not the password')).toEqual([401, true]);
	});

	it('answers bad input in any parameter with a 400 naming it, never a 500, and changes nothing', async () => {
		const leader = { cookie: cookies.leader! };
		const tables = async () => (await (await fetch(`${server.url}/api/status`, { headers: leader })).json()).tables;
		const before = await tables();
		// Each route with the parameters it takes: text (filters, searches) and whole numbers (pages, limits).
		const routes: [string, string[], string[]][] = [
			['/metrics', ['plan', 'from', 'csm', 'cohort'], []],
			['/metrics/lists/stale_articles', ['plan', 'to'], []],
			['/knowledge', ['plan'], []],
			['/support', ['to'], []],
			['/accounts', ['q', 'band', 'csm', 'sort', 'dir'], ['page']],
			['/accounts/NOPE', ['kind'], ['page']],
			['/api/accounts/NOPE', ['kind'], ['offset']],
			['/alerts', ['state', 'rule', 'sla', 'csm', 'mine'], []],
			['/api/alerts', ['state', 'rule', 'account', 'csm', 'assignee', 'sla', 'mine'], ['limit']],
			['/triage', ['ticket'], []],
			['/api/triage', ['ticket'], []],
			['/rejected', [], ['load', 'page']],
			['/audit', ['actor', 'action', 'from'], ['page']],
			['/api/accounts', ['q', 'plan'], ['limit', 'offset']],
			['/api/metrics', ['metrics', 'region', 'as_of'], []],
			['/api/metrics/nps', ['trend', 'by', 'segment'], []],
			['/api/lists/stale_articles', ['plan', 'format'], []],
			['/api/knowledge/undeflected_articles', ['format'], []],
			['/api/support/friction_by_channel', ['csm'], []],
			['/api/cohorts/retention', ['plan', 'to'], ['weeks']],
			['/cohorts', ['by', 'weeks'], []],
			['/api/explore/breakdown', ['a.plan', 'by', 'metric'], ['weeks']],
			['/api/rejected', [], ['load', 'limit', 'offset']],
			['/api/audit', ['actor', 'action', 'to'], ['limit', 'offset']]
		];
		// 100 KB does not even reach the app: Node refuses a request head over 16 KB with 431. 5 KB does.
		const huge = 'x'.repeat(100_000);
		const long = 'x'.repeat(5_000);
		const problems: string[] = [];
		for (const [route, texts, numbers] of routes) {
			for (const name of [...texts, ...numbers]) {
				const values = [huge, long, 'a\u0000b', "' OR 1=1; DROP TABLE accounts; --", '99999999999999999999', '-1', '1e3', '😀'];
				for (const value of values) {
					const res = await fetch(`${server.url}${route}?${new URLSearchParams({ [name]: value })}`, { headers: leader });
					const body = await res.text();
					const must =
						value === huge
							? 431
							: value === long || value.includes('\u0000') || (numbers.includes(name) && !/^\d{1,15}$/.test(value))
								? 400
								: null;
					const label = `${route}?${name}=${value.slice(0, 24)}`;
					if (res.status >= 500 || (must !== null && res.status !== must)) problems.push(`${label}: ${res.status} ${body.slice(0, 120)}`);
					if (res.status === 400 && !body.includes(name)) problems.push(`${label}: the 400 does not name '${name}': ${body.slice(0, 160)}`);
				}
			}
		}
		expect(problems).toEqual([]);
		expect(await tables()).toEqual(before);
	});

	it('refuses to listen beyond this machine while nobody has been added', () => {
		const r = adoption(['serve', '--db', path.join(dir, 'nobody.duckdb'), '--host', '0.0.0.0', '--port', '0']);
		expect([r.code, r.stderr]).toEqual([
			2,
			'adoption: --host 0.0.0.0 would open the app beyond this machine while nobody has been added to sign in: add a leader first (adoption user add EMAIL --role leader)\n'
		]);
	});

	it('prints no password and no session token', () => {
		const log = logOf(server.child);
		expect(log).not.toContain(PASSWORD);
		for (const c of Object.values(cookies)) expect(log).not.toContain(c!.split('=')[1]);
		for (const t of Object.values(tokens)) expect(log).not.toContain(t);
	});
});
