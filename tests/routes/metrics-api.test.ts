/** `GET /api/metrics`: JSON and CSV of the metrics, and 400s (never 500s) for bad parameters. */
import { isHttpError } from '@sveltejs/kit';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/lib/server/db/connection.js';
import { GET } from '../../src/routes/api/metrics/+server.js';
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

const call = (query: string) => (GET as unknown as (e: { url: URL }) => Promise<Response>)({ url: new URL(`http://localhost/api/metrics${query}`) });

async function status400(query: string): Promise<string> {
	try {
		await call(query);
	} catch (err) {
		if (isHttpError(err) && err.status === 400) return err.body.message;
		throw err;
	}
	throw new Error(`expected a 400 for ${query}`);
}

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
		expect(lines[1]).toMatch(/^deflection_rate,Ticket deflection rate,rate,0\.8,4,5,0\.37\d*,0\.96\d*,2024-03-01T00:00:00.000Z,2024-05-01T00:00:00.000Z,from=2024-03-01;to=2024-04-30$/);
		expect(lines[2]).toMatch(/^nps,Net promoter score,nps,-100,,,,/); // only n4 (a 6) falls in March–April
	});

	it('answers 400 with a message naming the parameter', async () => {
		expect(await status400('?from=2024-13-01')).toMatch(/'from'.*real date/);
		expect(await status400('?from=2024-05-01&to=2024-04-01')).toMatch(/from must not be after to/);
		expect(await status400('?cohort=2024')).toMatch(/'cohort'.*YYYY-MM/);
		expect(await status400('?colour=blue')).toMatch(/Unknown query parameter 'colour'/);
		expect(await status400('?metrics=happiness')).toMatch(/Unknown metric 'happiness'/);
		expect(await status400('?format=xml')).toMatch(/json or csv/);
	});
});
