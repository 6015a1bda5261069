/**
 * `GET /api/accounts`: the worklist of the latest scoring run, riskiest first, its filters and paging,
 * CSV, and 400s (never 500s) for bad parameters. Scores are written by hand so every rank is known.
 */
import { isHttpError } from '@sveltejs/kit';
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/lib/server/db/connection.js';
import { load as loadWorklistPage } from '../../src/routes/accounts/+page.server.js';
import { GET } from '../../src/routes/api/accounts/+server.js';
import { GET as getAccount } from '../../src/routes/api/accounts/[id]/+server.js';
import { tempDir } from '../helpers.js';

const drivers = (...texts: string[]) => `'${JSON.stringify(texts.map((text, i) => ({ feature: `f${i}`, impact: 1 - i / 10, text })))}'`;

let dir: string;
const saved = process.env.ADOPTION_DB;
beforeAll(async () => {
	dir = tempDir('adoption-accounts-api-');
	const file = path.join(dir, 'scores.duckdb');
	const db = await openDatabase(file, { threads: 1 });
	await db.query(`INSERT INTO accounts (account_id, name, plan, segment, region, arr, csm, created_at, renewal_date) VALUES
		('A1', 'Acme', 'pro', 'enterprise', 'EMEA', 120000, 'Dana', '2024-01-01', '2024-06-30'),
		('A2', 'Beta, Inc', 'starter', 'smb', 'NA', 9000, 'Eli', '2024-01-01', NULL),
		('A3', 'Gamma 50%', 'pro', 'mid-market', 'NA', 50000, 'Dana', '2024-01-01', '2024-05-01'),
		('A4', 'Delta', 'pro', 'smb', 'APAC', 20000, 'Mei', '2024-01-01', '2025-01-01')`);
	// An older run first: only the latest as-of date is the worklist.
	await db.query(`INSERT INTO account_scores VALUES
		('A4', '2024-03-01', 'churn', 'v0', 0.99, 1.0, 'high', 1, 0, NULL, NULL, '2024-03-01'),
		('A1', '2024-04-01', 'churn', 'v1', 0.40, 1.0, 'high', 12, 0, -55, ${drivers('No first value yet', 'Usage down 40 %')}, '2024-04-01 10:00'),
		('A3', '2024-04-01', 'churn', 'v1', 0.25, 0.67, 'medium', 45, 0.33, NULL, ${drivers('3 tickets about SSO in 90 days')}, '2024-04-01 10:00'),
		('A2', '2024-04-01', 'churn', 'v1', 0.10, 0.33, 'low', 70, 0.67, 20, '[]', '2024-04-01 10:00'),
		('A4', '2024-04-01', 'churn', 'v1', 0.05, 0.0, 'low', 90, 1, 60, NULL, '2024-04-01 10:00')`);
	// A1's activity, for its page: milestones reached, one lost to its revoking event, a confusion burst.
	await db.query(`INSERT INTO users (user_id, account_id, email, role, created_at) VALUES
		('u1', 'A1', 'ana@acme.test', 'admin', '2024-01-01'), ('u2', 'A1', 'bo@acme.test', 'member', '2024-01-03')`);
	await db.query(`INSERT INTO events (event_id, user_id, account_id, event, timestamp, page, properties) VALUES
		('e1', 'u1', 'A1', 'User Invited', '2024-01-02 09:00', NULL, '{"invitee":"u2"}'),
		('e2', 'u1', 'A1', 'Integration Connected', '2024-01-05 10:00', NULL, '{}'),
		('e3', 'u1', 'A1', 'Workflow Triggered', '2024-01-10 11:00', NULL, NULL),
		('e4', 'u1', 'A1', 'Integration Version Outdated', '2024-02-01 08:00', NULL, NULL),
		('e5', 'u1', 'A1', 'Page Viewed', '2024-03-20 12:00:00', '/settings/sso', NULL),
		('e6', 'u1', 'A1', 'Page Viewed', '2024-03-20 12:00:30', '/settings/sso', NULL),
		('e7', 'u1', 'A1', 'Page Viewed', '2024-03-20 12:01:00', '/settings/sso', NULL)`);
	await db.query(`INSERT INTO tickets (ticket_id, account_id, requester_id, created_at, status, channel, subject, messages, reopened, bot_handoff)
		VALUES ('t1', 'A1', 'u1', '2024-03-21 09:00', 'open', 'email', 'SSO keeps failing', 4, true, false)`);
	await db.query(`INSERT INTO kb_searches (search_id, user_id, account_id, query, timestamp, results, clicked_article_id)
		VALUES ('s1', 'u1', 'A1', 'sso saml', '2024-03-20 12:02', 0, NULL)`);
	await db.query(`INSERT INTO surveys (response_id, account_id, user_id, kind, score, context, timestamp)
		VALUES ('r1', 'A1', 'u1', 'csat', 2, 'ticket', '2024-03-22 10:00')`);
	db.close();
	process.env.ADOPTION_DB = file;
});
afterAll(() => {
	if (saved === undefined) delete process.env.ADOPTION_DB;
	else process.env.ADOPTION_DB = saved;
	fs.rmSync(dir, { recursive: true, force: true });
});

const call = (query: string) =>
	(GET as unknown as (e: { url: URL }) => Promise<Response>)({ url: new URL(`http://localhost/api/accounts${query}`) });

async function status400(query: string): Promise<string> {
	try {
		await call(query);
	} catch (err) {
		if (isHttpError(err) && err.status === 400) return err.body.message;
		throw err;
	}
	throw new Error('expected a 400');
}

describe('GET /api/accounts', () => {
	it('lists the latest run by ARR at stake, with the account, its renewal and drivers', async () => {
		const body = await (await call('')).json();
		expect(body).toMatchObject({
			as_of: '2024-04-01T00:00:00.000Z',
			model: 'churn',
			version: 'v1',
			total: 4,
			limit: 50,
			offset: 0,
			filters: {}
		});
		// Churn probability × ARR: A1 48,000, A3 12,500, A4 1,000 (5 % of 20,000) before A2 900 (10 % of 9,000).
		expect(body.rows.map((r: { account_id: string }) => r.account_id)).toEqual(['A1', 'A3', 'A4', 'A2']);
		expect(body.rows.map((r: { arr_at_risk: number }) => r.arr_at_risk)).toEqual([48000, 12500, 1000, 900]);
		expect(body.order).toEqual({ sort: 'stake', dir: 'desc' });
		expect(body.rows[0]).toMatchObject({
			rank: 1,
			name: 'Acme',
			plan: 'pro',
			arr: 120000,
			csm: 'Dana',
			renewal_date: '2024-06-30',
			days_to_renewal: 90,
			risk_band: 'high',
			churn_probability: 0.4,
			health: 12,
			sentiment: -55,
			drivers: [
				{ feature: 'f0', impact: 1, text: 'No first value yet' },
				{ feature: 'f1', impact: 0.9, text: 'Usage down 40 %' }
			]
		});
		expect(body.rows[3]).toMatchObject({ account_id: 'A2', rank: 3, renewal_date: null, days_to_renewal: null, drivers: [] });
		expect(body.rows[2].drivers).toEqual([]);
		expect(body.summary).toEqual({
			accounts: 4,
			bands: { high: 1, medium: 1, low: 2 },
			arr_at_high_risk: 120000,
			expected_arr_at_risk: 48000 + 12500 + 1000 + 900
		});
		// Where the bands start in this run: the lowest probability in each.
		expect(body.thresholds).toEqual({ high: 0.4, medium: 0.25 });
	});

	it('sorts by any column, each in its reading direction unless dir says otherwise, missing values last', async () => {
		const ids = async (q: string) => (await (await call(q)).json()).rows.map((r: { account_id: string }) => r.account_id);
		expect(await ids('?sort=risk')).toEqual(['A1', 'A3', 'A2', 'A4']);
		expect(await ids('?sort=risk&dir=asc')).toEqual(['A4', 'A2', 'A3', 'A1']);
		// Renewal: soonest first (A3 in 30 days, A1 in 90, A4 in 275); A2 has none, so it is last either way.
		expect(await ids('?sort=renewal')).toEqual(['A3', 'A1', 'A4', 'A2']);
		expect(await ids('?sort=renewal&dir=desc')).toEqual(['A4', 'A1', 'A3', 'A2']);
		expect(await ids('?sort=name')).toEqual(['A1', 'A2', 'A4', 'A3']);
		expect(await ids('?sort=arr')).toEqual(['A1', 'A3', 'A4', 'A2']);
		expect(await ids('?sort=health')).toEqual(['A1', 'A3', 'A2', 'A4']);
		// Sentiment: the most negative first; A3 has no answers, so last.
		expect(await ids('?sort=sentiment')).toEqual(['A1', 'A2', 'A4', 'A3']);
		expect(await ids('?sort=csm&plan=pro')).toEqual(['A1', 'A3', 'A4']);
		// The CSV follows the order too.
		const csv = (await (await call('?format=csv&sort=renewal')).text()).trim().split('\n');
		expect(csv.slice(1).map((l) => l.split(',')[1])).toEqual(['A3', 'A1', 'A4', 'A2']);
	});

	it('filters by band, attribute and search, keeping each account’s overall rank', async () => {
		const byCsm = await (await call('?csm=Dana&plan=pro')).json();
		expect(byCsm.rows.map((r: { rank: number; account_id: string }) => [r.rank, r.account_id])).toEqual([
			[1, 'A1'],
			[2, 'A3']
		]);
		// The summary leaves the band out, so its counts say what each band would show.
		const low = await (await call('?band=low')).json();
		expect(low.rows.map((r: { account_id: string }) => r.account_id)).toEqual(['A4', 'A2']);
		expect(low.summary.bands).toEqual({ high: 1, medium: 1, low: 2 });
		// Search is by name or id, ignoring case, and takes % literally.
		expect((await (await call('?q=beta')).json()).rows[0].account_id).toBe('A2');
		expect((await (await call('?q=a4')).json()).rows[0].account_id).toBe('A4');
		expect((await (await call('?q=50%25')).json()).rows.map((r: { account_id: string }) => r.account_id)).toEqual(['A3']);
		expect((await (await call('?q=%25')).json()).total).toBe(1);
		const none = await (await call('?region=Mars')).json();
		expect(none).toMatchObject({ total: 0, rows: [], summary: { accounts: 0, arr_at_high_risk: 0 } });
	});

	it('pages with limit and offset, the total counting every match', async () => {
		const second = await (await call('?limit=2&offset=2')).json();
		expect(second).toMatchObject({ total: 4, limit: 2, offset: 2 });
		expect(second.rows.map((r: { rank: number }) => r.rank)).toEqual([4, 3]);
		expect(await (await call('?offset=10')).json()).toMatchObject({ total: 4, rows: [] });
	});

	it('exports every matching account as CSV, drivers as sentences', async () => {
		const res = await call('?format=csv&band=high');
		expect(res.headers.get('content-type')).toMatch(/text\/csv/);
		expect(res.headers.get('content-disposition')).toContain('accounts.csv');
		const lines = (await res.text()).trim().split('\n');
		expect(lines[0]).toBe(
			'rank,account_id,name,plan,segment,region,arr,arr_at_risk,csm,renewal_date,days_to_renewal,risk_band,churn_probability,risk_percentile,health,sentiment,drivers,as_of,model_version'
		);
		expect(lines).toHaveLength(2);
		expect(lines[1]).toBe(
			'1,A1,Acme,pro,enterprise,EMEA,120000,48000,Dana,2024-06-30,90,high,0.4,1,12,-55,No first value yet; Usage down 40 %,2024-04-01,v1'
		);
		const all = (await (await call('?format=csv')).text()).trim().split('\n');
		expect(all).toHaveLength(5);
		expect(all[4]).toMatch(/^3,A2,"Beta, Inc",/);
	});

	it('downloads every matching account as Parquet that DuckDB reads back with the CSV’s rows, typed', async () => {
		const res = await call('?format=parquet&plan=pro');
		expect(res.headers.get('content-type')).toBe('application/vnd.apache.parquet');
		expect(res.headers.get('content-disposition')).toContain('accounts.parquet');
		const file = path.join(dir, 'accounts.parquet');
		fs.writeFileSync(file, Buffer.from(await res.arrayBuffer()));
		const instance = await DuckDBInstance.create(':memory:');
		const conn = await instance.connect();
		try {
			const read = await conn.runAndReadAll(
				`SELECT rank, account_id, name, arr, renewal_date::VARCHAR AS renewal, days_to_renewal, risk_band, churn_probability, sentiment, drivers, as_of::VARCHAR AS as_of, model_version FROM read_parquet('${file}')`
			);
			expect(read.getRowObjectsJS()).toEqual([
				{
					rank: 1n,
					account_id: 'A1',
					name: 'Acme',
					arr: 120000,
					renewal: '2024-06-30',
					days_to_renewal: 90n,
					risk_band: 'high',
					churn_probability: 0.4,
					sentiment: -55,
					drivers: 'No first value yet; Usage down 40 %',
					as_of: '2024-04-01',
					model_version: 'v1'
				},
				{
					rank: 2n,
					account_id: 'A3',
					name: 'Gamma 50%',
					arr: 50000,
					renewal: '2024-05-01',
					days_to_renewal: 30n,
					risk_band: 'medium',
					churn_probability: 0.25,
					sentiment: null,
					drivers: '3 tickets about SSO in 90 days',
					as_of: '2024-04-01',
					model_version: 'v1'
				},
				{
					rank: 4n,
					account_id: 'A4',
					name: 'Delta',
					arr: 20000,
					renewal: '2025-01-01',
					days_to_renewal: 275n,
					risk_band: 'low',
					churn_probability: 0.05,
					sentiment: 60,
					drivers: '',
					as_of: '2024-04-01',
					model_version: 'v1'
				}
			]);
			const types = await conn.runAndReadAll(
				`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('${file}')) WHERE column_name IN ('rank', 'renewal_date', 'health')`
			);
			expect(types.getRows()).toEqual([
				['rank', 'BIGINT'],
				['renewal_date', 'DATE'],
				['health', 'DOUBLE']
			]);
		} finally {
			conn.closeSync();
			instance.closeSync();
		}
	});

	it('answers 400 with a message naming the parameter', async () => {
		expect(await status400('?band=extreme')).toBe("Query parameter 'band': must be high, medium or low.");
		expect(await status400('?colour=blue')).toMatch(/^Unknown query parameter 'colour': use band, csm/);
		expect(await status400('?limit=0')).toMatch(/'limit'.*from 1 to 1000/);
		expect(await status400('?offset=-1')).toMatch(/'offset'/);
		expect(await status400('?offset=99999999999999999999')).toBe(
			"Query parameter 'offset' is too large: '99999999999999999999' is past 9007199254740991."
		);
		expect(await status400('?format=xml')).toBe("Query parameter 'format' must be json, csv or parquet, not 'xml'.");
		expect(await status400(`?q=${'x'.repeat(201)}`)).toMatch(/'q': must be at most 200 characters/);
		expect(await status400('?sort=colour')).toBe(
			"Query parameter 'sort': must be one of stake, risk, name, arr, csm, renewal, health, sentiment."
		);
		expect(await status400('?sort=arr&dir=up')).toBe("Query parameter 'dir': must be asc or desc.");
	});
});

describe('GET /api/accounts/ID (the account page)', () => {
	const account = async (id: string, query = '') =>
		(getAccount as unknown as (e: { url: URL; params: { id: string } }) => Promise<Response>)({
			url: new URL(`http://localhost/api/accounts/${id}${query}`),
			params: { id }
		});
	const failure = async (id: string, query = '') => {
		const err = await account(id, query).catch((e: unknown) => e);
		if (!isHttpError(err)) throw new Error('expected an HTTP error');
		return { status: err.status, message: err.body.message };
	};

	it('shows the account, its milestones (one lost, and why), the steps that fit, users and a timeline newest first', async () => {
		const view = await (await account('A1')).json();
		expect(view.profile).toMatchObject({ account_id: 'A1', name: 'Acme', arr: 120000, csm: 'Dana', users: 2 });
		expect(view.timeline.last_at).toBe('2024-03-22T10:00:00.000Z');
		expect(view.scores.map((s: { as_of: string }) => s.as_of)).toEqual(['2024-04-01T00:00:00.000Z']);
		expect(view.scores[0].drivers.map((d: { text: string }) => d.text)).toEqual(['No first value yet', 'Usage down 40 %']);

		const state = Object.fromEntries(view.milestones.map((m: { name: string; state: string }) => [m.name, m.state]));
		expect(state).toMatchObject({
			'Team invited': 'reached',
			'Integration connected': 'lost',
			'First workflow': 'reached',
			'Dashboard created': 'missing'
		});
		const lost = view.milestones.find((m: { name: string }) => m.name === 'Integration connected');
		expect(lost).toMatchObject({
			lost_at: '2024-02-01T08:00:00.000Z',
			lost_by: 'Integration Version Outdated',
			due_at: '2024-01-15T00:00:00.000Z'
		});
		// Level 1 is incomplete (the integration was lost), so the account is at level 0.
		expect(view.level).toBe(0);

		expect(view.steps).toEqual([
			{
				text: 'Help them restore "Integration connected": Integration Version Outdated undid it.',
				url: null,
				source: 'rule',
				because: 'Level 1 milestone "Integration connected" was lost on 2024-02-01 (Integration Version Outdated).'
			},
			{
				text: 'Walk them through /settings/sso, or point them to its help article.',
				url: null,
				source: 'rule',
				because: 'Their users kept coming back to /settings/sso: 1 confusion burst, the last on 2024-03-20.'
			}
		]);

		expect(
			view.users.map((u: { user_id: string; last_seen: string | null; events_30d: number }) => [u.user_id, u.last_seen, u.events_30d])
		).toEqual([
			['u1', '2024-03-20T12:01:00.000Z', 3],
			['u2', null, 0]
		]);

		expect(view.timeline.counts).toEqual({ event: 7, ticket: 1, search: 1, survey: 1 });
		expect(view.timeline.total).toBe(10);
		expect(view.timeline.items.slice(0, 3)).toEqual([
			{ kind: 'survey', at: '2024-03-22T10:00:00.000Z', title: 'CSAT 2.0', detail: 'ticket', user_id: 'u1' },
			{
				kind: 'ticket',
				at: '2024-03-21T09:00:00.000Z',
				title: 'SSO keeps failing',
				detail: 'open · email · 4 messages · reopened',
				user_id: 'u1'
			},
			{ kind: 'search', at: '2024-03-20T12:02:00.000Z', title: 'sso saml', detail: 'no results', user_id: 'u1' }
		]);
		// An event's page, else its properties; no properties, no detail.
		expect(view.timeline.items.at(-1)).toMatchObject({ title: 'User Invited', detail: '{"invitee":"u2"}' });
		expect(view.timeline.items.find((t: { title: string }) => t.title === 'Integration Connected').detail).toBeNull();
	});

	it('filters the timeline by kind and pages it, the counts staying whole', async () => {
		const some = await (await account('A1', '?kind=ticket&kind=survey')).json();
		expect(some.timeline.items.map((t: { kind: string }) => t.kind)).toEqual(['survey', 'ticket']);
		expect(some.timeline).toMatchObject({
			total: 2,
			counts: { event: 7, ticket: 1, search: 1, survey: 1 },
			last_at: '2024-03-22T10:00:00.000Z'
		});
		const later = await (await account('A1', '?kind=event&offset=5')).json();
		expect(later.timeline.items.map((t: { title: string }) => t.title)).toEqual(['Integration Connected', 'User Invited']);
	});

	it('downloads the whole timeline of the kinds asked for as CSV', async () => {
		const res = await account('A1', '?format=csv&kind=ticket,survey');
		expect(res.headers.get('content-type')).toMatch(/text\/csv/);
		expect((await res.text()).trim().split('\n')).toEqual([
			'kind,at,title,detail,user_id',
			'survey,2024-03-22T10:00:00.000Z,CSAT 2.0,ticket,u1',
			'ticket,2024-03-21T09:00:00.000Z,SSO keeps failing,open · email · 4 messages · reopened,u1'
		]);
		// Every row, not a page: all 10 of A1's and the header.
		expect((await (await account('A1', '?format=csv')).text()).trim().split('\n')).toHaveLength(11);
		expect(await failure('NOPE', '?format=csv')).toEqual({ status: 404, message: "There is no account 'NOPE'." });
	});

	it('keeps every scoring run, oldest first', async () => {
		const view = await (await account('A4')).json();
		expect(view.scores.map((s: { as_of: string; churn_probability: number }) => [s.as_of.slice(0, 10), s.churn_probability])).toEqual([
			['2024-03-01', 0.99],
			['2024-04-01', 0.05]
		]);
	});

	it('is a 404 for an unknown account and a 400 naming a bad parameter', async () => {
		expect(await failure('NOPE')).toEqual({ status: 404, message: "There is no account 'NOPE'." });
		expect(await failure('A1', '?kind=emails')).toEqual({
			status: 400,
			message: "Query parameter 'kind': must be one of event, ticket, search, survey (got 'emails')."
		});
		expect((await failure('A1', '?page=2')).message).toMatch(/^Unknown query parameter 'page'/);
	});
});

describe('the worklist page (/accounts)', () => {
	const page = (query: string) =>
		(loadWorklistPage as unknown as (e: { url: URL }) => Promise<{ page: number; list: { rows: unknown[]; total: number } | null }>)({
			url: new URL(`http://localhost/accounts${query}`)
		});

	it('answers a page number too large to be exact with a 400 naming it, not a 500', async () => {
		const failure = await page('?page=99999999999999999999').catch((err) => err);
		expect(isHttpError(failure) && failure.status).toBe(400);
		expect(failure.body.message).toMatch(/^Query parameter 'page' is too large/);
	});

	it('shows a page past the last account as an empty page of the whole total', async () => {
		const past = await page('?page=9007199254740991');
		expect(past.list).toMatchObject({ rows: [], total: 4 });
	});
});

describe('GET /api/accounts before any scoring', () => {
	it('returns an empty list with no run', async () => {
		const file = path.join(dir, 'empty.duckdb');
		(await openDatabase(file, { threads: 1 })).close();
		process.env.ADOPTION_DB = file;
		const body = await (await call('')).json();
		expect(body).toMatchObject({ as_of: null, version: null, summary: null, total: 0, rows: [] });
		expect((await (await call('?format=csv')).text()).split('\n')[0]).toMatch(/^rank,account_id,/);
	});
});
