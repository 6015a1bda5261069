/** `GET /api/metrics`: JSON and CSV of the metrics, and 400s (never 500s) for bad parameters. */
import { isHttpError } from '@sveltejs/kit';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/lib/server/db/connection.js';
import { GET } from '../../src/routes/api/metrics/+server.js';
import { GET as GET_ONE } from '../../src/routes/api/metrics/[id]/+server.js';
import { tempDir } from '../helpers.js';
import { loadFixture } from '../metrics/fixture.js';

const saved = process.env.ADOPTION_DB;
beforeAll(async () => {
	const file = path.join(tempDir(), 'metrics.duckdb');
	const db = await openDatabase(file, { threads: 1 });
	await loadFixture(db);
	db.close();
	process.env.ADOPTION_DB = file;
});
afterAll(() => {
	if (saved === undefined) delete process.env.ADOPTION_DB;
	else process.env.ADOPTION_DB = saved;
});

const call = (query: string) =>
	(GET as unknown as (e: { url: URL }) => Promise<Response>)({ url: new URL(`http://localhost/api/metrics${query}`) });

const callOne = (id: string, query: string) =>
	(GET_ONE as unknown as (e: { url: URL; params: { id: string } }) => Promise<Response>)({
		url: new URL(`http://localhost/api/metrics/${id}${query}`),
		params: { id }
	});

async function failure(run: () => Promise<Response>, status = 400): Promise<string> {
	try {
		await run();
	} catch (err) {
		if (isHttpError(err) && err.status === status) return err.body.message;
		throw err;
	}
	throw new Error(`expected a ${status}`);
}
const status400 = (query: string) => failure(() => call(query));

describe('GET /api/metrics', () => {
	it('returns the metrics with their range and filters', async () => {
		const res = await call('?plan=pro');
		const body = await res.json();
		expect(body.deflection_rate).toBeCloseTo(2 / 3, 10);
		expect(body.filters).toEqual({ plan: 'pro' });
		expect(body.details.deflection_rate).toMatchObject({ numerator: 2, denominator: 3 });
	});

	it('exports CSV with one row per metric', async () => {
		const res = await call('?format=csv&metrics=deflection_rate,nps&from=2024-03-01&to=2024-04-30');
		expect(res.headers.get('content-type')).toMatch(/text\/csv/);
		const lines = (await res.text()).trim().split('\n');
		expect(lines[0]).toBe('metric,label,unit,value,numerator,denominator,interval_low,interval_high,from,to,filters');
		expect(lines).toHaveLength(3);
		expect(lines[1]).toMatch(
			/^deflection_rate,Ticket deflection rate,rate,0\.8,4,5,0\.37\d*,0\.96\d*,2024-03-01T00:00:00.000Z,2024-05-01T00:00:00.000Z,from=2024-03-01;to=2024-04-30$/
		);
		// Only n4 (a 6) falls in March–April: NPS −100, and one answer has no spread, so its interval is the point itself.
		expect(lines[2]).toMatch(/^nps,Net promoter score,nps,-100,,,-100,-100,/);
	});

	it('answers 400 with a message naming the parameter', async () => {
		expect(await status400('?from=2024-13-01')).toMatch(/'from'.*real date/);
		expect(await status400('?to=2024-02-30')).toMatch(/'to'.*real date/);
		expect(await status400('?from=2024-05-01&to=2024-04-01')).toMatch(/from must not be after to/);
		expect(await status400('?cohort=2024')).toMatch(/'cohort'.*YYYY-MM/);
		expect(await status400('?colour=blue')).toMatch(/Unknown query parameter 'colour'/);
		expect(await status400('?metrics=happiness')).toMatch(/Query parameter 'metrics' names an unknown metric 'happiness'/);
		expect(await status400('?format=xml')).toMatch(/json or csv/);
	});
});

describe('GET /api/metrics/<id>', () => {
	it('returns one metric with its definition and a monthly trend', async () => {
		const body = await (await callOne('kb_search_success', '?trend=month')).json();
		expect(body.metric).toMatchObject({ id: 'kb_search_success', unit: 'rate', direction: 'higher' });
		expect(body.value).toBe(0.25);
		expect(body.groups.map((g: { group: string; value: number }) => [g.group, g.value])).toEqual([
			['2024-03-01', 0.5],
			['2024-04-01', 0]
		]);
	});

	it('exports a breakdown as CSV', async () => {
		const text = await (await callOne('deflection_rate', '?by=plan&format=csv')).text();
		const lines = text.trim().split('\n');
		expect(lines[0]).toBe('group,deflection_rate,numerator,denominator,interval_low,interval_high');
		expect(lines.slice(1).map((l) => l.split(',').slice(0, 4).join(','))).toEqual([
			'enterprise,1,1,1',
			'pro,0.6666666666666666,2,3',
			'starter,1,1,1'
		]);
	});

	it('answers 404 for an unknown metric and 400 for bad grouping', async () => {
		expect(await failure(() => callOne('happiness', ''), 404)).toMatch(/Unknown metric 'happiness'/);
		expect(await failure(() => callOne('nps', '?trend=year'))).toMatch(/'trend' must be one of day, week, month/);
		expect(await failure(() => callOne('nps', '?by=colour'))).toMatch(/'by' must be one of plan, segment/);
		expect(await failure(() => callOne('nps', '?trend=week&by=plan'))).toMatch(/either 'trend' or 'by'/);
	});
});
