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
	it('lists the latest run riskiest first, with the account, its renewal and drivers', async () => {
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
		expect(body.rows.map((r: { account_id: string }) => r.account_id)).toEqual(['A1', 'A3', 'A2', 'A4']);
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
		expect(body.rows[2]).toMatchObject({ account_id: 'A2', renewal_date: null, days_to_renewal: null, drivers: [] });
		expect(body.rows[3].drivers).toEqual([]);
		expect(body.summary).toEqual({ accounts: 4, bands: { high: 1, medium: 1, low: 2 }, arr_at_high_risk: 120000 });
	});

	it('filters by band, attribute and search, keeping each account’s overall rank', async () => {
		const byCsm = await (await call('?csm=Dana&plan=pro')).json();
		expect(byCsm.rows.map((r: { rank: number; account_id: string }) => [r.rank, r.account_id])).toEqual([
			[1, 'A1'],
			[2, 'A3']
		]);
		// The summary leaves the band out, so its counts say what each band would show.
		const low = await (await call('?band=low')).json();
		expect(low.rows.map((r: { account_id: string }) => r.account_id)).toEqual(['A2', 'A4']);
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
		expect(second.rows.map((r: { rank: number }) => r.rank)).toEqual([3, 4]);
		expect(await (await call('?offset=10')).json()).toMatchObject({ total: 4, rows: [] });
	});

	it('exports every matching account as CSV, drivers as sentences', async () => {
		const res = await call('?format=csv&band=high');
		expect(res.headers.get('content-type')).toMatch(/text\/csv/);
		expect(res.headers.get('content-disposition')).toContain('accounts.csv');
		const lines = (await res.text()).trim().split('\n');
		expect(lines[0]).toBe(
			'rank,account_id,name,plan,segment,region,arr,csm,renewal_date,days_to_renewal,risk_band,churn_probability,risk_percentile,health,sentiment,drivers,as_of,model_version'
		);
		expect(lines).toHaveLength(2);
		expect(lines[1]).toBe(
			'1,A1,Acme,pro,enterprise,EMEA,120000,Dana,2024-06-30,90,high,0.4,1,12,-55,No first value yet; Usage down 40 %,2024-04-01,v1'
		);
		const all = (await (await call('?format=csv')).text()).trim().split('\n');
		expect(all).toHaveLength(5);
		expect(all[3]).toMatch(/^3,A2,"Beta, Inc",/);
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
