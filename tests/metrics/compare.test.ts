/**
 * The cohorts page's server side: the comparison's interval rules against published and hand-worked
 * figures, and the per-cohort, per-group and compared tables on the hand-made fixture (fixture.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/lib/server/config/config.js';
import type { Database } from '../../src/lib/server/db/connection.js';
import { compareMetric, compareSegments, normalDifference, rateDifference } from '../../src/lib/server/metrics/compare.js';
import { metricContext } from '../../src/lib/server/metrics/context.js';
import { breakdown, exploreRows, funnelBy, ttfvByCohort, type ExploreSelection } from '../../src/lib/server/metrics/explore.js';
import { npsInterval, rate, rateDisplay } from '../../src/lib/server/metrics/rate.js';
import { memoryDb } from '../helpers.js';
import { loadFixture } from './fixture.js';

const config = parseConfig({});

describe('the comparison rule', () => {
	it("rates: Newcombe's hybrid score interval of the difference (his 1998 paper, method 10)", () => {
		// 56/70 − 48/80 = 0.2, published interval 0.0524 to 0.3339; 9/10 − 3/10 = 0.6, published 0.1705 to 0.8090.
		const diff = (k1: number, n1: number, k2: number, n2: number) => {
			const a = rate(k1, n1);
			const b = rate(k2, n2);
			return rateDifference(a.value!, a.interval!, b.value!, b.interval!);
		};
		const [lo1, hi1] = diff(56, 70, 48, 80);
		expect(lo1).toBeCloseTo(0.0524, 4);
		expect(hi1).toBeCloseTo(0.3339, 4);
		const [lo2, hi2] = diff(9, 10, 3, 10);
		expect(lo2).toBeCloseTo(0.1705, 4);
		expect(hi2).toBeCloseTo(0.809, 4);
	});

	it('means: each SE from its interval, the difference ± 1.96·√(SE₁² + SE₂²)', () => {
		// Both intervals ± 0.2 → SE = 0.2 / 1.96 each; half-width 1.96 · √2 · 0.2 / 1.96 = 0.2828.
		const [lo, hi] = normalDifference(4, [3.8, 4.2], 3.5, [3.3, 3.7]);
		expect(lo).toBeCloseTo(0.5 - 0.2 * Math.SQRT2, 10);
		expect(hi).toBeCloseTo(0.5 + 0.2 * Math.SQRT2, 10);
		// An NPS interval cut at 100 on one side: its SE comes from the other, uncut side (25 − (−56.26) = 81.26).
		const [, top] = normalDifference(25, [-56.26, 100], 0, [0, 0]);
		expect(top).toBeCloseTo(25 + 81.26, 10);
	});

	it('NPS: answers score ±100 or 0, SE = 100·√((p + d − (p − d)²) ÷ n), clipped to −100…100', () => {
		// 100 answers, 50 promoters, 20 detractors: NPS 30, SE = 100·√((0.7 − 0.09) / 100) = 7.8102.
		const [lo, hi] = npsInterval(50, 20, 100)!;
		expect(lo).toBeCloseTo(30 - 1.96 * 7.81025, 3);
		expect(hi).toBeCloseTo(30 + 1.96 * 7.81025, 3);
		// The fixture's 4 answers (2 promoters, 1 detractor): 25 ± 81.3 reaches past 100.
		expect(npsInterval(2, 1, 4)![1]).toBe(100);
		expect(npsInterval(0, 0, 0)).toBeNull();
	});

	it('judges a difference clear only when its interval excludes 0, and names the better side by direction', () => {
		const def = { id: 'x', label: 'X', formula: () => 'x', unit: 'rate' as const, direction: 'lower' as const, ...rateDisplay('tickets') };
		const side = (k: number, n: number) => ({ value: k / n, details: rate(k, n) });
		const clear = compareMetric(def, config, side(9, 10), side(3, 10));
		expect(clear).toMatchObject({ verdict: 'a_higher', better: 'b', method: 'newcombe' });
		expect(clear.difference).toBeCloseTo(0.6, 10);
		expect(clear.a.n).toBe(10);
		expect(compareMetric(def, config, side(3, 10), side(9, 10)).verdict).toBe('b_higher');
		expect(compareMetric(def, config, side(5, 10), side(4, 10))).toMatchObject({ verdict: 'no_clear_difference', better: null });
		// A median has no interval: the difference is shown, not judged.
		const median = compareMetric(
			{ ...def, unit: 'days', interval: undefined, n: (d: object) => (d as { accounts_reached: number }).accounts_reached },
			config,
			{ value: 5, details: { accounts_reached: 3 } },
			{ value: 2, details: { accounts_reached: 4 } }
		);
		expect(median).toMatchObject({ difference: 3, difference_interval: null, verdict: 'not_tested', method: null });
		expect(median.b.n).toBe(4);
	});
});

describe('cohorts page tables (fixture.ts; the end of the data is 10 Apr 12:00)', () => {
	let db: Database;
	beforeAll(async () => {
		db = await memoryDb();
		await loadFixture(db);
	});
	afterAll(() => db.close());

	it('compares plan pro with plan starter, metric by metric', async () => {
		const c = await compareSegments(db.kysely, config, { plan: 'pro' }, { plan: 'starter' });
		const m = (id: string) => c.metrics.find((x) => x.id === id)!;
		// Knowledge-base metrics are not about accounts: no segment changes them, so they are left out.
		expect(c.metrics.some((x) => x.id === 'stale_articles' || x.id === 'kb_article_health')).toBe(false);
		// Deflection: pro 2 of 3 sessions (A1's S1, S2, S5), starter 1 of 1 (A2's S3: its ticket T9 is deleted).
		const d = m('deflection_rate');
		expect(d.a).toMatchObject({ value: 2 / 3, n: 3 });
		expect(d.b).toMatchObject({ value: 1, n: 1 });
		expect(d.difference).toBeCloseTo(-1 / 3, 10);
		// Wilson(2, 3) = 0.2077–0.9385 and Wilson(1, 1) = 0.2065–1: −1/3 − √((2/3 − 0.2077)² + (1 − 1)²) = −0.7923,
		// −1/3 + √((0.9385 − 2/3)² + (1 − 0.2065)²) = 0.5054. Far too few to tell.
		expect(d.difference_interval![0]).toBeCloseTo(-0.7923, 4);
		expect(d.difference_interval![1]).toBeCloseTo(0.5054, 4);
		expect(d.verdict).toBe('no_clear_difference');
		// TTFV median: pro A1 5 days and A4 2.5 → 3.75; starter A2 40 days (A5 none). A median: not judged.
		expect(m('ttfv_median_days')).toMatchObject({
			a: { value: 3.75, n: 2 },
			b: { value: 40, n: 1 },
			difference: -36.25,
			verdict: 'not_tested'
		});
		expect(c.a.filters).toEqual({ plan: 'pro' });
	});

	it('TTFV per signup cohort: the median and quartiles of those who reached it, the 30-day rate of those old enough', async () => {
		const rows = await ttfvByCohort(await metricContext(db.kysely, config, {}));
		// January: A1 5 days, A2 40 → median 22.5, quartiles 5 + 35/4 and 5 + 3·35/4; 30-day: A1 yes, A2 no.
		// March: A3 1 day, A4 2.5 → 1.75; only A3 (1 Mar) is 30 days old by 10 Apr. April: A5, nothing yet.
		expect(
			rows.map((r) => [r.cohort, r.accounts, r.reached, r.median, r.p25, r.p75, r.within_30d.numerator, r.within_30d.denominator])
		).toEqual([
			['2024-01', 2, 2, 22.5, 13.75, 31.25, 1, 2],
			['2024-03', 2, 2, 1.75, 1.375, 2.125, 1, 1],
			['2024-04', 1, 0, null, null, null, 0, 0]
		]);
	});

	it('the funnel per plan, and a breakdown with its n', async () => {
		const ctx = await metricContext(db.kysely, config, {});
		// pro: A1 all four steps, A4 to the integration; starter: A2 signs up only (A5 never enters); enterprise:
		// A3 connects before inviting, so it stops at the invite.
		const f = await funnelBy(ctx, 'plan');
		expect(f.map((g) => [g.group, g.steps.map((s) => s.completed), g.cliff])).toEqual([
			['enterprise', [1, 1, 0, 0], 'Integration Connected'],
			['pro', [2, 2, 2, 1], 'Workflow Triggered'],
			['starter', [1, 0, 0, 0], 'User Invited']
		]);
		// First value within 30 days by plan: enterprise A3 1/1; pro A1 1/1 (A4 too young); starter A2 0/1 (A5 too young).
		const b = await breakdown(ctx, 'ttfv_within_30d', 'plan');
		expect(b.groups.map((g) => [g.group, g.value, g.n])).toEqual([
			['enterprise', 1, 1],
			['pro', 1, 1],
			['starter', 0, 1]
		]);
		expect(b.overall).toMatchObject({ value: 2 / 3, n: 3 });
	});

	it('CSV rows: censored heatmap cells carry no value, and a comparison says what each side covers', async () => {
		const s: ExploreSelection = { filters: {}, weeks: 2, funnelBy: 'cohort', metric: 'ttfv_within_30d', by: 'plan', compare: null };
		const activation = (await exploreRows(db.kysely, config, 'activation', s))!;
		expect(activation.filter((r) => r.cohort === '2024-04')).toEqual([
			{ cohort: '2024-04', accounts: 1, week: 0, eligible: 1, qualified: 0, value: 0 },
			{ cohort: '2024-04', accounts: 1, week: 1, eligible: 0, qualified: 0, value: null }
		]);
		expect(await exploreRows(db.kysely, config, 'compare', s)).toBeNull();
		const rows = (await exploreRows(db.kysely, config, 'compare', { ...s, compare: { a: { plan: 'pro' }, b: { plan: 'starter' } } }))!;
		expect(rows.find((r) => r.metric === 'deflection_rate')).toMatchObject({
			a_n: 3,
			b_n: 1,
			a_filters: 'plan=pro',
			b_filters: 'plan=starter'
		});
	});
});
