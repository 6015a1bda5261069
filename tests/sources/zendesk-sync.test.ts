/**
 * The Zendesk sync with real parts: a fake Zendesk on loopback (`fake-zendesk.ts`) answering the
 * incremental exports, a DuckDB file with a few accounts and users, the Zendesk file loader, the sealed
 * token. The sync ends with exactly the tickets the pages describe (13-digit ids, deleted ones skipped or
 * marked, organizations and requesters resolved through the identity map, ratings as CSAT surveys, metric
 * sets on the tickets), rides out a dropped connection, a 500 and a 429, resumes from its cursors with no
 * gap nor duplicate after a failure, stops at once on a refused token and never shows the token.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { localActor } from '../../src/lib/server/auth/audit.js';
import { parseConfig, type Config } from '../../src/lib/server/config/config.js';
import { openDatabase, type Database } from '../../src/lib/server/db/connection.js';
import { SourcesRepository, type SourceRow } from '../../src/lib/server/db/repositories/sources.repository.js';
import { loadFiles } from '../../src/lib/server/ingest/load.js';
import { listSources, runSources } from '../../src/lib/server/sources/registry.js';
import { syncZendesk, type ZendeskSyncDoc } from '../../src/lib/server/sources/zendesk/sync.js';
import { fixture, tempDir } from '../helpers.js';
import { cursorAfter, FakeZendesk } from './fake-zendesk.js';

const EMAIL = 'agent@acme.com';
const TOKEN = 'zd-api-token-7f3a9c1e5b';
const BASIC = `Basic ${Buffer.from(`${EMAIL}/token:${TOKEN}`).toString('base64')}`;

const at = (day: number, hour = 0) => `2024-03-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00Z`;

/** Acme by external_id, Beta by domain (beta.io = the account's www.beta.io), Gamma by external_id. */
const ORGANIZATIONS = [
	{
		id: 3600000000001,
		name: 'Acme Inc',
		external_id: 'acc-1',
		domain_names: ['acme-support.com'],
		created_at: at(1),
		updated_at: at(1, 1)
	},
	{ id: 3600000000002, name: 'Beta', external_id: null, domain_names: ['beta.io'], created_at: at(1), updated_at: at(1, 2) },
	{ id: 3600000000003, name: 'Gamma', external_id: 'acc-3', domain_names: [], created_at: at(1), updated_at: at(1, 3) }
];

/** Ann and Bob map to product users u1 and u2 by email (case aside); the others are no product users. */
const USERS = [
	{ id: 9100000000001, email: 'Ann@Acme.com', name: 'Ann', role: 'end-user', organization_id: 3600000000001, updated_at: at(1, 1) },
	{ id: 9100000000002, email: 'bob@beta.io', name: 'Bob', role: 'end-user', organization_id: 3600000000002, updated_at: at(1, 2) },
	{ id: 9100000000003, email: 'stranger@elsewhere.com', name: 'Stranger', role: 'end-user', organization_id: null, updated_at: at(1, 3) },
	{ id: 9100000000004, email: 'agent@ourco.com', name: 'Agent', role: 'agent', organization_id: null, updated_at: at(1, 4) }
];

function ticket(id: number, fields: Record<string, unknown>) {
	return {
		id,
		created_at: at(2, 9),
		updated_at: at(3, 10),
		status: 'open',
		priority: null,
		via: { channel: 'web_form' },
		subject: `Ticket ${id}`,
		tags: ['help'],
		requester_id: 9100000000001,
		organization_id: null,
		satisfaction_rating: null,
		...fields
	};
}

const T = (n: number) => 1234567890120 + n;
const TICKETS = [
	ticket(T(1), {
		organization_id: 3600000000001,
		status: 'solved',
		satisfaction_rating: { id: 5000000000001, score: 'good', comment: 'Thanks!' }
	}),
	ticket(T(2), {
		requester_id: 9100000000002,
		organization_id: 3600000000002,
		via: { channel: 'email' },
		satisfaction_rating: { id: 5000000000002, score: 'bad' }
	}),
	ticket(T(3), { requester_id: 9100000000003, via: { channel: 'native_messaging' } }),
	ticket(T(4), { organization_id: 3600000000001, status: 'deleted' }),
	ticket(T(5), { organization_id: 3600000000003, satisfaction_rating: { id: 5000000000005, score: 'offered' } }),
	ticket(T(6), { requester_id: 9100000000004, satisfaction_rating: { id: 5000000000006, score: 'good' } })
];

/** A metric set per ticket, the deleted one's too: 30 calendar minutes to the first reply, 2 replies. */
const metrics = () =>
	new Map(
		[...TICKETS, ticket(T(7), {})].map((t) => [
			String(t.id),
			{
				id: t.id - 1234567890000,
				ticket_id: t.id,
				created_at: t.created_at,
				updated_at: t.updated_at,
				reply_time_in_minutes: { calendar: 30, business: 10 },
				solved_at: null,
				reopens: 0,
				replies: 2
			}
		])
	);

/** Two records a page, so each stream has several; the most requests a minute the config allows. */
const CONFIG = { sources: { zendesk: { requestsPerMinute: 1000, pageSize: 2 } } };

let fake: FakeZendesk | undefined;
let db: Database | undefined;
let dir: string | undefined;
afterEach(async () => {
	db?.close();
	db = undefined;
	await fake?.close();
	fake = undefined;
	if (dir) fs.rmSync(dir, { recursive: true, force: true });
	dir = undefined;
});

/** A fresh database with the product's accounts and users, a Zendesk source pointing at a fresh fake. */
async function setup(
	params: { token?: string; auth?: 'token' | 'oauth'; path?: string } = {}
): Promise<{ db: Database; source: SourceRow; fake: FakeZendesk }> {
	fake = new FakeZendesk(BASIC, { organizations: [...ORGANIZATIONS], users: [...USERS], tickets: [...TICKETS] }, metrics());
	await fake.start();
	dir = tempDir('adoption-zendesk-sync-');
	db = await openDatabase(path.join(dir, 'test.duckdb'), { threads: 1 });
	for (const r of await loadFiles(db, [fixture('zendesk', 'accounts.csv'), fixture('zendesk', 'users.csv')]))
		expect(r.error).toBeUndefined();
	const { id } = await runSources(
		db,
		{
			kind: 'add_zendesk',
			params: {
				subdomain: 'acme',
				email: EMAIL,
				url: `${fake.url}${params.path ?? ''}`,
				token: params.token ?? TOKEN,
				auth: params.auth ?? 'token'
			}
		},
		localActor()
	);
	return { db, source: (await new SourcesRepository(db.kysely).byId(id))!, fake };
}

/** A sync whose waits are recorded, not waited (where waiting is not what is tested). */
function sync(source: SourceRow, config: Config = parseConfig(CONFIG), progress: string[] = []): Promise<ZendeskSyncDoc> {
	return syncZendesk(db!, config, source, { onProgress: (m) => progress.push(m), sleep: async () => {} });
}

const TICKET_ROWS = `SELECT ticket_id, account_id, requester_id, status, channel, first_reply_at, messages, deleted FROM tickets ORDER BY ticket_id`;
const SURVEY_ROWS = `SELECT response_id, account_id, user_id, ticket_id, kind, score, context FROM surveys ORDER BY response_id`;
const firstReply = '2024-03-02T09:30:00.000Z';

/** The tickets the fake's first export describes, as stored: the deleted one never loaded. */
const SYNCED_TICKETS = [
	{
		ticket_id: '1234567890121',
		account_id: 'acc-1',
		requester_id: 'u1',
		status: 'solved',
		channel: 'web',
		first_reply_at: firstReply,
		messages: 3,
		deleted: false
	},
	{
		ticket_id: '1234567890122',
		account_id: 'acc-2',
		requester_id: 'u2',
		status: 'open',
		channel: 'email',
		first_reply_at: firstReply,
		messages: 3,
		deleted: false
	},
	{
		ticket_id: '1234567890123',
		account_id: null,
		requester_id: '9100000000003',
		status: 'open',
		channel: 'chat',
		first_reply_at: firstReply,
		messages: 3,
		deleted: false
	},
	{
		ticket_id: '1234567890125',
		account_id: 'acc-3',
		requester_id: 'u1',
		status: 'open',
		channel: 'web',
		first_reply_at: firstReply,
		messages: 3,
		deleted: false
	},
	{
		ticket_id: '1234567890126',
		account_id: null,
		requester_id: '9100000000004',
		status: 'open',
		channel: 'web',
		first_reply_at: firstReply,
		messages: 3,
		deleted: false
	}
];

/** Good = 5 and bad = 1; `offered` is no answer. */
const SYNCED_SURVEYS = [
	{
		response_id: '5000000000001',
		account_id: 'acc-1',
		user_id: 'u1',
		ticket_id: '1234567890121',
		kind: 'csat',
		score: 5,
		context: 'agent'
	},
	{
		response_id: '5000000000002',
		account_id: 'acc-2',
		user_id: 'u2',
		ticket_id: '1234567890122',
		kind: 'csat',
		score: 1,
		context: 'agent'
	},
	{
		response_id: '5000000000006',
		account_id: null,
		user_id: '9100000000004',
		ticket_id: '1234567890126',
		kind: 'csat',
		score: 5,
		context: 'agent'
	}
];

const streams = (f: FakeZendesk) => [...new Set(f.requests.map((r) => r.stream))];
const cursorsOf = (s: SourceRow) => new SourcesRepository(db!.kysely).cursors(Number(s.source_id));
const sourceRow = async (s: SourceRow) =>
	(await db!.query<Record<string, unknown>>('SELECT * FROM sources WHERE source_id = $1', [s.source_id]))[0];

/** Tables hold each id once. */
async function expectNoDuplicates(): Promise<void> {
	for (const [table, key] of [
		['tickets', 'ticket_id'],
		['surveys', 'response_id'],
		['zendesk_users', 'zendesk_user_id'],
		['zendesk_organizations', 'zendesk_organization_id']
	]) {
		const [r] = await db!.query<{ n: number; d: number }>(`SELECT count(*) AS n, count(DISTINCT ${key}) AS d FROM ${table}`);
		expect(r.n, table).toBe(r.d);
	}
}

describe('Zendesk sync', () => {
	it('loads organizations, users, then tickets with their ratings and metrics, through a dropped connection and a 500', async () => {
		const { source, fake } = await setup();
		fake.faults = [
			{ stream: 'users', kind: 'drop', times: 1 },
			{ stream: 'tickets', kind: '500', from: 4, times: 1 }
		];
		const progress: string[] = [];
		const doc = await sync(source, undefined, progress);

		expect(doc).toEqual({
			tickets: { accepted: 5, updated: 0, skipped: 1, rejected: 0, pages: 4 },
			// The deleted ticket's metric set is skipped with it; the others update their tickets.
			ticket_metrics: { accepted: 0, updated: 5, skipped: 1, rejected: 0, pages: 3 },
			users: { accepted: 4, updated: 0, skipped: 0, rejected: 0, pages: 3 },
			// Time-based pages start at the previous page's end_time, inclusive: the repeats are skipped.
			organizations: { accepted: 3, updated: 0, skipped: 2, rejected: 0, pages: 3 },
			load_ids: expect.any(Array)
		});
		expect(Object.keys(doc)[0]).toBe('tickets');
		expect(await db!.query(TICKET_ROWS)).toEqual(SYNCED_TICKETS);
		expect(await db!.query(SURVEY_ROWS)).toEqual(SYNCED_SURVEYS);
		expect(await db!.query('SELECT zendesk_organization_id AS id FROM zendesk_organizations ORDER BY 1')).toEqual(
			ORGANIZATIONS.map((o) => ({ id: String(o.id) }))
		);
		expect(await db!.query('SELECT zendesk_user_id AS id, email FROM zendesk_users ORDER BY 1')).toEqual(
			USERS.map((u) => ({ id: String(u.id), email: u.email }))
		);
		await expectNoDuplicates();

		// Each non-empty page is one load of the source (the last users and tickets pages were empty).
		const loads = await db!.query<{ load_id: number; table_name: string; outcome: string }>(
			'SELECT load_id, table_name, outcome FROM loads WHERE source_id = $1 ORDER BY load_id',
			[source.source_id]
		);
		expect(loads.map((l) => l.load_id)).toEqual(doc.load_ids);
		expect(loads.map((l) => l.table_name)).toEqual([
			...Array(3).fill('zendesk_organizations'),
			...Array(2).fill('zendesk_users'),
			...Array(3).fill(['tickets', 'ticket_metrics']).flat()
		]);
		expect(loads.every((l) => l.outcome === 'ok')).toBe(true);

		// Organizations, users, then tickets; every request signed as the source's Zendesk user.
		expect(streams(fake)).toEqual(['organizations', 'users', 'tickets']);
		expect(fake.requests.every((r) => r.authorization === BASIC)).toBe(true);
		const tickets = fake.of('tickets');
		expect(tickets.map((r) => [r.status, r.query.get('cursor')])).toEqual([
			[200, null],
			[200, cursorAfter(2)],
			[500, cursorAfter(4)],
			[200, cursorAfter(4)],
			[200, cursorAfter(6)]
		]);
		expect(Object.fromEntries(tickets[0].query)).toEqual({ start_time: '0', per_page: '2', include: 'metric_sets' });
		expect(fake.of('users').length).toBe(4);
		expect(await cursorsOf(source)).toEqual({
			organizations: String(Date.parse(at(1, 3)) / 1000),
			users: cursorAfter(4),
			tickets: cursorAfter(6)
		});

		expect(progress).toContain('Zendesk tickets: page 3, 6 records');
		expect(
			progress.some((m) =>
				/^Zendesk users: network error \(.+\) on GET http:\/\/127\.0\.0\.1:\d+\/api\/v2\/incremental\/users\/cursor\.json, trying again in /.test(
					m
				)
			)
		).toBe(true);
		expect(
			progress.some((m) =>
				/^Zendesk tickets: HTTP 500 on GET http:\/\/127\.0\.0\.1:\d+\/api\/v2\/incremental\/tickets\/cursor\.json, trying again/.test(m)
			)
		).toBe(true);
		const row = await sourceRow(source);
		expect(row.last_success_at).not.toBeNull();
		expect(row.last_run_at).not.toBeNull();
		expect(row.last_error).toBeNull();
	});

	it('syncs again from its cursors: nothing twice, then only what changed (a deletion, a new rating, a new ticket)', async () => {
		const { source, fake } = await setup();
		await sync(source);
		const before = fake.requests.length;

		const again = await sync(source);
		expect(again).toEqual({
			tickets: { accepted: 0, updated: 0, skipped: 0, rejected: 0, pages: 1 },
			ticket_metrics: { accepted: 0, updated: 0, skipped: 0, rejected: 0, pages: 0 },
			users: { accepted: 0, updated: 0, skipped: 0, rejected: 0, pages: 1 },
			// The last organization comes again (start_time is inclusive) and is skipped as unchanged.
			organizations: { accepted: 0, updated: 0, skipped: 1, rejected: 0, pages: 1 },
			load_ids: [expect.any(Number)]
		});
		const resumed = fake.requests.slice(before);
		expect(resumed.map((r) => [r.stream, r.query.get('cursor') ?? r.query.get('start_time')])).toEqual([
			['organizations', String(Date.parse(at(1, 3)) / 1000)],
			['users', cursorAfter(4)],
			['tickets', cursorAfter(6)]
		]);
		expect(await db!.query(TICKET_ROWS)).toEqual(SYNCED_TICKETS);
		expect(await db!.query(SURVEY_ROWS)).toEqual(SYNCED_SURVEYS);

		// In Zendesk: ticket 1 deleted, ticket 2's rating changed to good, ticket 7 opened and rated.
		fake.logs.tickets.push(
			ticket(T(1), { organization_id: 3600000000001, status: 'deleted', updated_at: at(4) }),
			ticket(T(2), {
				requester_id: 9100000000002,
				organization_id: 3600000000002,
				via: { channel: 'email' },
				updated_at: at(4, 1),
				satisfaction_rating: { id: 5000000000002, score: 'good' }
			}),
			ticket(T(7), {
				requester_id: 9100000000002,
				organization_id: 3600000000002,
				updated_at: at(4, 2),
				satisfaction_rating: { id: 5000000000007, score: 'good' }
			})
		);
		const changed = await sync(source);
		expect(changed.tickets).toEqual({ accepted: 1, updated: 2, skipped: 0, rejected: 0, pages: 2 });
		// Ticket 7's metrics are new; ticket 2's unchanged and ticket 1's (deleted) are skipped.
		expect(changed.ticket_metrics).toEqual({ accepted: 0, updated: 1, skipped: 2, rejected: 0, pages: 2 });
		const rows = await db!.query<{ ticket_id: string; deleted: boolean; account_id: string | null }>(TICKET_ROWS);
		expect(rows.map((r) => [r.ticket_id, r.deleted])).toEqual([
			['1234567890121', true],
			['1234567890122', false],
			['1234567890123', false],
			['1234567890125', false],
			['1234567890126', false],
			['1234567890127', false]
		]);
		expect(rows.find((r) => r.ticket_id === '1234567890127')?.account_id).toBe('acc-2');
		const surveys = await db!.query<{ response_id: string; score: number }>(SURVEY_ROWS);
		expect(surveys.map((s) => [s.response_id, s.score])).toEqual([
			['5000000000001', 5],
			['5000000000002', 5],
			['5000000000006', 5],
			['5000000000007', 5]
		]);
		await expectNoDuplicates();
		expect((await cursorsOf(source)).tickets).toBe(cursorAfter(9));
	});

	it('records a failure mid-stream on the source, and the next sync resumes after the last committed page', async () => {
		const { source, fake } = await setup();
		// From the third tickets page on, Zendesk answers 500 until the sync gives up (after 0.6 s without a page).
		fake.faults = [{ stream: 'tickets', kind: '500', from: 4, times: Infinity }];
		const impatient = parseConfig({ sources: { zendesk: { ...CONFIG.sources.zendesk, giveUpAfterMinutes: 0.01 } } });
		const failure = await sync(source, impatient).then(
			() => undefined,
			(err: Error) => err.message
		);
		expect(failure).toMatch(
			/^Zendesk tickets: gave up after 0\.6 s without a page \(last: HTTP 500 on GET http:\/\/127\.0\.0\.1:\d+\/api\/v2\/incremental\/tickets\/cursor\.json\); the next sync resumes from the last page loaded$/
		);
		const failed = await sourceRow(source);
		expect(failed.last_error).toBe(failure);
		expect(failed.last_error_at).not.toBeNull();
		expect(failed.last_success_at).toBeNull();
		expect((await listSources(db!)).find((s) => s.id === Number(source.source_id))?.state).toBe('failing');
		// The first two pages stay, with the cursor after them.
		expect((await db!.query<{ ticket_id: string }>(TICKET_ROWS)).map((t) => t.ticket_id)).toEqual([
			'1234567890121',
			'1234567890122',
			'1234567890123'
		]);
		expect((await cursorsOf(source)).tickets).toBe(cursorAfter(4));

		fake.faults = [];
		const before = fake.of('tickets').length;
		const doc = await sync(source);
		expect(fake.of('tickets')[before].query.get('cursor')).toBe(cursorAfter(4));
		expect(doc.tickets).toEqual({ accepted: 2, updated: 0, skipped: 0, rejected: 0, pages: 2 });
		expect(await db!.query(TICKET_ROWS)).toEqual(SYNCED_TICKETS);
		expect(await db!.query(SURVEY_ROWS)).toEqual(SYNCED_SURVEYS);
		await expectNoDuplicates();
		expect((await listSources(db!)).find((s) => s.id === Number(source.source_id))?.state).toBe('active');
	});

	it('waits out a 429 for its Retry-After and spaces requests to requestsPerMinute', async () => {
		const { source, fake } = await setup();
		fake.faults = [{ stream: 'tickets', kind: '429', from: 2, times: 1 }];
		const progress: string[] = [];
		// 600 a minute: one request every 100 ms. Real waits.
		const config = parseConfig({ sources: { zendesk: { requestsPerMinute: 600, pageSize: 2 } } });
		const doc = await syncZendesk(db!, config, source, { onProgress: (m) => progress.push(m) });
		expect(doc.tickets).toEqual({ accepted: 5, updated: 0, skipped: 1, rejected: 0, pages: 4 });

		const i = fake.requests.findIndex((r) => r.status === 429);
		expect(fake.requests[i + 1].query.get('cursor')).toBe(cursorAfter(2));
		expect(fake.requests[i + 1].at - fake.requests[i].at).toBeGreaterThanOrEqual(990);
		const gaps = fake.requests.slice(1).map((r, k) => r.at - fake.requests[k].at);
		expect(Math.min(...gaps)).toBeGreaterThanOrEqual(90);
		expect(progress.some((m) => /^Zendesk tickets: HTTP 429 \(rate limited\) on GET .+, trying again in 1 s$/.test(m))).toBe(true);
	});

	it('stops at once when Zendesk refuses the token, and shows the token nowhere', async () => {
		const wrong = 'zd-wrong-token-0042abc';
		const { source, fake } = await setup({ token: wrong });
		const progress: string[] = [];
		const message = await sync(source, undefined, progress).then(
			() => '',
			(err: Error) => err.message
		);
		expect(message).toMatch(
			/^Zendesk organizations: Zendesk refused the token \(HTTP 401 on GET http:\/\/127\.0\.0\.1:\d+\/api\/v2\/incremental\/organizations\.json\): check the email and token/
		);
		expect(fake.requests).toHaveLength(1);
		expect(fake.requests[0].authorization).toBe(`Basic ${Buffer.from(`${EMAIL}/token:${wrong}`).toString('base64')}`);
		const row = await sourceRow(source);
		expect(row.last_error).toBe(message);
		for (const [column, value] of Object.entries(row)) {
			expect(String(value), column).not.toContain(wrong);
		}
		expect(String(row.secret)).toMatch(/^v1:/);
		for (const text of [message, ...progress]) expect(text).not.toContain(wrong);
	});

	it('sends an OAuth token as a bearer token', async () => {
		const { source, fake } = await setup({ auth: 'oauth' });
		await expect(sync(source)).rejects.toThrow(/Zendesk refused the token \(HTTP 401/);
		expect(fake.requests.map((r) => r.authorization)).toEqual([`Bearer ${TOKEN}`]);
	});

	it('names the URL when it is no Zendesk API (404), after one request', async () => {
		const { source, fake } = await setup({ path: '/nowhere' });
		await expect(sync(source)).rejects.toThrow(
			/^Zendesk organizations: HTTP 404 on GET http:\/\/127\.0\.0\.1:\d+\/nowhere\/api\/v2\/incremental\/organizations\.json: no such Zendesk API here; check the subdomain \(or the --url\): InvalidEndpoint: Not found$/
		);
		expect(fake.requests).toHaveLength(1);
	});

	it('refuses a paused or revoked source before any request', async () => {
		const { source, fake } = await setup();
		await runSources(db!, { kind: 'pause', params: { source: Number(source.source_id) } }, localActor());
		await expect(sync(source)).rejects.toThrow("source 'zendesk acme' is paused: resume it to sync (adoption sources resume)");
		await runSources(db!, { kind: 'revoke', params: { source: Number(source.source_id) } }, localActor());
		await expect(sync(source)).rejects.toThrow("source 'zendesk acme' is revoked: add a new Zendesk source to sync");
		expect(fake.requests).toHaveLength(0);
		expect((await sourceRow(source)).last_run_at).toBeNull();
	});
});
