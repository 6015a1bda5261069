import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/lib/server/config/config.js';
import type { Database } from '../../src/lib/server/db/connection.js';
import { cohortMatrix, ttfvDistribution } from '../../src/lib/server/metrics/cohorts.js';
import { resolveRange } from '../../src/lib/server/metrics/filters.js';
import { memoryDb } from '../helpers.js';
import { loadFixture } from './fixture.js';

let db: Database;
beforeAll(async () => {
	db = await memoryDb();
	await loadFixture(db);
});
afterAll(() => db.close());

const ctx = async () => ({ db: db.kysely, config: parseConfig({}), filters: {}, range: await resolveRange(db.kysely, {}) });
const cells = (row: { cells: { value: number | null; denominator: number }[] }) => row.cells.map((c) => [c.value, c.denominator]);

describe('cohorts (fixture.ts; the end of the data is 10 Apr 12:00)', () => {
	it('activation: reached first value by the end of week n, among accounts whose week n has ended', async () => {
		const m = await cohortMatrix(await ctx(), 'activation', 6);
		expect(m.cohorts.map((c) => [c.cohort, c.accounts])).toEqual([
			['2024-01', 2],
			['2024-03', 2],
			['2024-04', 1]
		]);
		// January: A1 on day 5 (week 0), A2 on day 40 (week 5).
		expect(cells(m.cohorts[0])).toEqual([
			[0.5, 2],
			[0.5, 2],
			[0.5, 2],
			[0.5, 2],
			[0.5, 2],
			[1, 2]
		]);
		// March: A3 (1 Mar) and A4 (20 Mar) both in week 0; A4's week 3 ends 17 Apr and A3's week 5 ends
		// 12 Apr, both after the data: they drop out of those cells rather than count as not activated.
		expect(cells(m.cohorts[1])).toEqual([
			[1, 2],
			[1, 2],
			[1, 2],
			[1, 1],
			[1, 1],
			[null, 0]
		]);
		// April: A5 (1 Apr) has week 0 only (ends 8 Apr), without first value; later weeks are unknown.
		expect(cells(m.cohorts[2])).toEqual([
			[0, 1],
			[null, 0],
			[null, 0],
			[null, 0],
			[null, 0],
			[null, 0]
		]);
	});

	it('retention: any event in week n since signup', async () => {
		const m = await cohortMatrix(await ctx(), 'retention', 2);
		// A1 week 0 (1–7 Jan): signup, invite, integration, workflow; A2 week 0: signup. Week 1: neither.
		expect(cells(m.cohorts[0])).toEqual([
			[1, 2],
			[0, 2]
		]);
		// A3 week 0: signup, integration, invite; week 1 (8–14 Mar): nothing (its next event is on 20 Mar).
		// A4 week 0: signup, invite, integration, page views on 25 Mar (day 5); week 1 (27 Mar–2 Apr): nothing.
		expect(cells(m.cohorts[1])).toEqual([
			[1, 2],
			[0, 2]
		]);
		expect(cells(m.cohorts[2])).toEqual([
			[0, 1],
			[null, 0]
		]);
	});

	it('TTFV distribution per cohort', async () => {
		const d = await ttfvDistribution(await ctx());
		const jan = d.cohorts.find((c) => c.cohort === '2024-01')!;
		expect(jan).toMatchObject({ accounts: 2, not_yet: 0 });
		expect(jan.buckets).toMatchObject({ '3–7 days': 1, '30–60 days': 1 });
		const apr = d.cohorts.find((c) => c.cohort === '2024-04')!;
		expect(apr).toMatchObject({ accounts: 1, not_yet: 1 });
	});
});
