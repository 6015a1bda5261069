import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/lib/server/config/config.js';
import type { Database } from '../../src/lib/server/db/connection.js';
import type { Filters } from '../../src/lib/server/metrics/filters.js';
import type { Funnel } from '../../src/lib/server/metrics/funnel.js';
import { runMetric } from '../../src/lib/server/metrics/engine.js';
import { computeMetrics, METRICS } from '../../src/lib/server/metrics/registry.js';
import { rate, wilson } from '../../src/lib/server/metrics/rate.js';
import { resolveRange } from '../../src/lib/server/metrics/filters.js';
import { memoryDb } from '../helpers.js';
import { loadFixture } from './fixture.js';

let db: Database;
const config = parseConfig({});
beforeAll(async () => {
	db = await memoryDb();
	await loadFixture(db);
});
afterAll(() => db.close());

const metrics = (f: Filters = {}) => computeMetrics(db.kysely, config, f);

describe('metrics on the hand-made fixture (see fixture.ts)', () => {
	it('deflection: 4 of 5 self-service sessions are not followed by a ticket within 24 h', async () => {
		// Sessions (30-minute gaps, per user, in UTC):
		//  S1 u1 10:00–10:10 on 1 Mar (search, article 10 min later); T1 on 2 Mar 10:30 is 24 h 20 min after → deflected
		//  S2 u1 10:50 (40 min after 10:10: a new session); T1 is 23 h 40 min after → not deflected
		//  S3 u3 5 Mar 23:50 → 6 Mar 00:10 (spans midnight); T9 is deleted → deflected
		//  S4 u5 1 Apr 09:00; T2 came an hour before → deflected
		//  S5 u2 31 Mar 00:50 → 01:10 UTC (across the EU's DST change, 20 min in UTC: one session) → deflected
		// The anonymous search s4 has no user: no session.
		const m = await metrics();
		expect(m.deflection_rate).toBe(0.8);
		expect(m.details.deflection_rate).toMatchObject({ numerator: 4, denominator: 5 });
		// Self-service score: 5 sessions ÷ 3 distinct requesters (u1, u5, ext-9; T9 deleted) = 1.667.
		expect(m.self_service_score).toBeCloseTo(5 / 3, 10);
	});

	it('search: 1 of 4 searches found and clicked, 2 of 4 found nothing', async () => {
		const m = await metrics();
		expect(m.kb_search_success).toBe(0.25); // s1 (3 results, clicked); s3 had results but no click
		expect(m.zero_result_rate).toBe(0.5); // s2, s4
	});

	it('portal adoption: 3 of the 4 active accounts used self-service or filed a ticket', async () => {
		// Active: A1, A2, A3 (self-service, tickets), A4 (a page view only). Adopted: A1, A2, A3.
		const m = await metrics();
		expect(m.portal_adoption_rate).toBe(0.75);
	});

	it('satisfaction: self-service CSAT, CES without the deleted ticket, NPS', async () => {
		const m = await metrics();
		expect(m.self_service_csat).toBe(4); // (5 + 3 + 4) / 3; the agent CSAT of 1 is not self-service
		expect(m.self_service_csat_top2).toBeCloseTo(2 / 3, 10); // 5 and 4
		expect(m.ces).toBe(5.5); // (7 + 4) / 2; the 1 about deleted ticket T9 is left out
		expect(m.nps).toBe(25); // promoters 10, 9; passive 8; detractor 6 → (2 − 1) / 4 × 100
	});

	it('time to first value: median days and the on-time share', async () => {
		// First value (Integration Connected or Workflow Triggered): A1 5 days, A2 40, A3 1, A4 2.5; A5 none.
		// Median of 1, 2.5, 5, 40 = 3.75 (A5 is not in it). Within 30 days, of accounts created ≥ 30 days before
		// the end of the data (10 Apr): A1 yes, A2 no, A3 yes; A4 (20 Mar) and A5 are too young → 2 / 3.
		const m = await metrics();
		expect(m.ttfv_median_days).toBe(3.75);
		expect(m.details.ttfv_median_days).toMatchObject({ accounts_reached: 4, accounts: 5 });
		expect(m.ttfv_within_30d).toBeCloseTo(2 / 3, 10);
		expect(m.details.ttfv_within_30d).toMatchObject({ numerator: 2, denominator: 3 });
	});

	it('funnel: ordered steps, an out-of-order step, in-progress accounts and the cliff', async () => {
		// A1 does all four steps; A2 only signs up (its workflow has no integration before it);
		// A3 connects before inviting, so its integration does not count after the invite; A4 reaches the
		// integration and its 90-day window is still open at the end of the data.
		// c = 4, 3, 2, 1: drop-offs 0.25, 0.33, 0.5 → the cliff is Workflow Triggered.
		const m = await metrics();
		const f = m.details.activation_cliff_step as Funnel;
		expect(f.steps.map((s) => s.completed)).toEqual([4, 3, 2, 1]);
		expect(f.steps.map((s) => s.in_progress)).toEqual([0, 0, 1, 1]); // A3 at step 3, A4 at step 4; A2's window closed 9 Apr
		expect(f.cliff).toBe('Workflow Triggered');
		expect(m.activation_cliff_step).toBe('Workflow Triggered');
	});

	it('ticket friction: volume, messages, reopens, reply and resolution times', async () => {
		// T1, T2, T3 (T9 is deleted). Messages 4 and 2 (T3 unknown) → 3. Reopened: T1 of T1, T2 (T3 unknown) → 0.5.
		// First reply 2 h (T1) and 1 h (T2) → median 1.5 h; solved after 26 h and 5 h → median 15.5 h.
		const m = await metrics();
		expect([m.ticket_volume, m.messages_per_ticket, m.reopen_rate, m.first_reply_hours, m.resolution_hours]).toEqual([
			3, 3, 0.5, 1.5, 15.5
		]);
		expect(m.bot_handoff_reopen_rate).toBe(0); // T2, the only handoff, was not reopened
	});

	it('knowledge base: staleness against releases and the five-section format', async () => {
		// KB1 (sso) reviewed 1 Feb, before R1 touched sso on 1 Mar: stale. KB2 reviewed after R2; KB3 after R3.
		// Healthy: KB1 only (KB2 has no owner, KB3 lacks the Verify section) → 1 / 3.
		const m = await metrics();
		expect(m.stale_articles).toBe(1);
		expect(m.kb_article_health).toBeCloseTo(1 / 3, 10);
		expect(m.details.kb_article_health).toMatchObject({ no_owner: 1, missing_sections: 1 });
	});

	it('bot quality, confusion bursts and repeating automations', async () => {
		const m = await metrics();
		expect(m.bot_flags_per_1000).toBe(1000); // one flag on the one bot conversation
		// u9 views /settings/sso at 09:00:00, 09:00:40, 09:01:20 (a burst), again at 09:10 (alone);
		// /billing at 09:20:00, 09:22:30, 09:23:00 (only two within any two minutes).
		expect(m.confusion_bursts).toBe(1);
		expect(m.details.confusion_bursts).toEqual({ bursts: 1, accounts: 1, users: 1 });
		// A1's validate_credentials runs 10:00, 10:20, 10:40 (3 within an hour), 10:50 (same run); A2's two runs are 2 h apart.
		expect(m.repeat_automation_accounts).toBe(1);
	});

	it('milestone levels at the end of the range, with a revoked milestone', async () => {
		// A1: invited + integrated (level 1 complete), no dashboard → 1. A2: no invite → 0.
		// A3: invited and integrated, but the integration went outdated on 20 Mar → 0, one milestone lost.
		// A4: invited + integrated → 1. A5: nothing → 0. Mean (1 + 0 + 0 + 1 + 0) / 5 = 0.4.
		const m = await metrics();
		expect(m.milestone_level).toBeCloseTo(0.4, 10);
		expect(m.details.milestone_level).toEqual({ accounts: 5, by_level: [3, 2, 0, 0], lost_a_milestone: 1 });
		// As of 15 Mar (before the outdated event) A3 still held its integration and is at level 1.
		const before = await metrics({ asOf: '2024-03-15' });
		expect(before.details.milestone_level).toMatchObject({ accounts: 3, by_level: [1, 2, 0, 0] });
	});

	it('filters by plan: only pro accounts (A1, A4)', async () => {
		const m = await metrics({ plan: 'pro' });
		expect(m.deflection_rate).toBeCloseTo(2 / 3, 10); // S1, S2, S5 of A1: S1 and S5 deflected
		expect(m.zero_result_rate).toBe(0.5); // s1, s2
		expect(m.portal_adoption_rate).toBe(0.5); // A1 adopted, A4 only active
		expect(m.ttfv_median_days).toBe(3.75); // A1 5 days, A4 2.5 days
		expect(m.filters).toEqual({ plan: 'pro' });
	});

	it('filters by date range, both days included', async () => {
		const m = await metrics({ from: '2024-04-01', to: '2024-04-30' });
		expect(m.range).toEqual({ from: '2024-04-01T00:00:00.000Z', to: '2024-05-01T00:00:00.000Z', end_of_data: '2024-04-10T12:00:00.000Z' });
		expect(m.deflection_rate).toBe(1); // S4 only
		expect(m.kb_search_success).toBe(0); // s3 (no click), s4 (no results)
		expect(m.zero_result_rate).toBe(0.5);
	});

	it('gives null, never NaN, for an empty period, and keeps numerator and denominator', async () => {
		const m = await metrics({ from: '2023-01-01', to: '2023-01-31' });
		for (const def of METRICS.filter((d) => !d.timeless)) expect(m[def.id], def.id).toBe(def.unit === 'count' ? 0 : null);
		expect(m.details.deflection_rate).toEqual({ value: null, numerator: 0, denominator: 0, interval: null });
		expect(JSON.stringify(m)).not.toContain('NaN');
	});
});

describe('trends and breakdowns, written once for every metric', () => {
	const ctx = async (c = config, f: Filters = {}) => ({ db: db.kysely, config: c, filters: f, range: await resolveRange(db.kysely, f) });
	const deflection = METRICS.find((m) => m.id === 'deflection_rate')!;
	const success = METRICS.find((m) => m.id === 'kb_search_success')!;

	it('breaks a metric down by an account attribute', async () => {
		const rows = await runMetric(deflection, await ctx(), { by: 'plan' });
		// pro: A1's S1, S2, S5 (2 deflected); starter: A2's S3; enterprise: A3's S4.
		expect(rows.map((r) => [r.group, r.value])).toEqual([
			['enterprise', 1],
			['pro', 2 / 3],
			['starter', 1]
		]);
	});

	it('trends a metric by month', async () => {
		const rows = await runMetric(success, await ctx(), { trend: 'month' });
		expect(rows.map((r) => [r.group, r.value])).toEqual([
			['2024-03-01', 0.5], // s1 found and clicked, s2 nothing
			['2024-04-01', 0] // s3 no click, s4 nothing
		]);
	});

	it('starts weeks on the configured day', async () => {
		const monday = await runMetric(deflection, await ctx(), { trend: 'week' });
		expect(monday.map((r) => [r.group, (r.details as { denominator: number }).denominator])).toEqual([
			['2024-02-26', 2], // S1, S2 on Fri 1 Mar
			['2024-03-04', 1], // S3 Tue 5 Mar
			['2024-03-25', 1], // S5 Sun 31 Mar
			['2024-04-01', 1] // S4 Mon 1 Apr
		]);
		const sundayConfig = parseConfig({ reporting: { weekStart: 'sunday' } });
		const sunday = await runMetric(deflection, await ctx(sundayConfig), { trend: 'week' });
		expect(sunday.map((r) => [r.group, (r.details as { denominator: number }).denominator])).toEqual([
			['2024-02-25', 2],
			['2024-03-03', 1],
			['2024-03-31', 2] // S5 and S4 share the week starting Sunday 31 Mar
		]);
	});

	it('gives the same overall values when computed together with a trend or breakdown', async () => {
		const plain = await metrics({ from: '2024-02-01' });
		for (const group of [{ trend: 'week' as const }, { by: 'plan' as const }]) {
			const grouped = await computeMetrics(db.kysely, config, { from: '2024-02-01' }, undefined, group);
			for (const def of METRICS) expect(grouped[def.id], `${def.id} with ${JSON.stringify(group)}`).toEqual(plain[def.id]);
			expect(grouped.groups!.deflection_rate.length).toBeGreaterThan(1);
		}
	});

	it('puts days in the reporting time zone, storage staying UTC', async () => {
		const utc = await runMetric(deflection, await ctx(), { trend: 'day' });
		expect(utc.map((r) => r.group)).toEqual(['2024-03-01', '2024-03-05', '2024-03-31', '2024-04-01']);
		const ny = parseConfig({ reporting: { timeZone: 'America/New_York' } });
		const local = await runMetric(deflection, await ctx(ny), { trend: 'day' });
		// S5 at 00:50 UTC on 31 Mar is 20:50 on 30 Mar in New York (EDT); S4 at 09:00 UTC is 05:00 on 1 Apr.
		expect(local.map((r) => r.group)).toEqual(['2024-03-01', '2024-03-05', '2024-03-30', '2024-04-01']);
	});
});

describe('rates', () => {
	it('carry a 95 % Wilson interval', () => {
		// 3 of 4: p = 0.75, z = 1.96 → (0.75 + 0.4802 ± 1.96·√(0.046875 + 0.060025)) / 1.9604 = [0.3006, 0.9544]
		const [lo, hi] = wilson(3, 4)!;
		expect(lo).toBeCloseTo(0.3006, 4);
		expect(hi).toBeCloseTo(0.9544, 4);
		// The same share on 7,000 is far tighter.
		const [lo2, hi2] = wilson(5250, 7000)!;
		expect(hi2 - lo2).toBeLessThan(0.021);
		expect(rate(0, 0)).toEqual({ value: null, numerator: 0, denominator: 0, interval: null });
		expect(wilson(0, 10)![0]).toBe(0);
	});
});
