/**
 * Metrics describe themselves: each definition's basis in words from its own typed details, its scale,
 * family name and interval, and a formula that says the windows and thresholds of the config in force.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/lib/server/config/config.js';
import { confusionBursts, repeatAutomations } from '../../src/lib/server/metrics/behaviour.js';
import { deflectionRate } from '../../src/lib/server/metrics/deflection.js';
import { describeMetric } from '../../src/lib/server/metrics/describe.js';
import { activationCliffStep } from '../../src/lib/server/metrics/funnel.js';
import { FAMILIES } from '../../src/lib/server/metrics/metric.js';
import { rate } from '../../src/lib/server/metrics/rate.js';
import { METRICS } from '../../src/lib/server/metrics/registry.js';
import { nps, selfServiceCsat } from '../../src/lib/server/metrics/satisfaction.js';
import { portalAdoptionRate } from '../../src/lib/server/metrics/adoption.js';
import { ttfvMedianDays, ttfvWithin30d } from '../../src/lib/server/metrics/ttfv.js';

/** No-break spaces and word joiners as plain spaces/nothing, so expectations read naturally. */
const plain = (s: string) => s.replaceAll('\u00a0', ' ').replaceAll('\u2060', '');
const config = parseConfig({});

describe('a metric’s basis, from its own details', () => {
	it('gives a rate’s numerator, denominator and interval in the metric’s own noun', () => {
		expect(plain(deflectionRate.basis({ ...rate(312, 780), interval: [0.365, 0.435] }))).toBe('312 of 780 sessions, 95 % CI 37–44 %');
		expect(plain(portalAdoptionRate.basis({ ...rate(1741, 2000), interval: [0.86, 0.88] }))).toBe(
			'1,741 of 2,000 active accounts, 95 % CI 86–88 %'
		);
		expect(deflectionRate.basis(rate(0, 0))).toBe('No sessions in this selection');
	});

	it('gives a mean’s count and interval, NPS’s shares, TTFV’s reach and the funnel’s cliff', () => {
		expect(plain(selfServiceCsat.basis({ value: 3.72, count: 337, interval: [3.623, 3.813] }))).toBe(
			'mean of 337 responses, 95 % CI 3.62–3.81'
		);
		expect(plain(nps.basis({ responses: 200, promoters: 80, detractors: 50, passives: 70, interval: [-4.1, 34.1] }))).toBe(
			'200 responses: 40 % promoters, 25 % detractors, 95 % CI −4 to +34'
		);
		expect(plain(ttfvMedianDays.basis({ accounts_reached: 182, accounts: 300, p25: 5.11, p75: 15.89 }))).toBe(
			'182 of 300 accounts reached it; middle half 5.1–15.9 days'
		);
		const step = (event: string, completed: number, drop_off: number | null) => ({
			step: 0,
			event,
			completed,
			conversion: rate(0, 0),
			in_progress: 0,
			drop_off
		});
		const funnel = {
			entered: 300,
			cliff: 'Integration Connected',
			steps: [step('Account Created', 300, null), step('User Invited', 252, 0.16), step('Integration Connected', 143, 0.4325)]
		};
		expect(plain(activationCliffStep.basis(funnel))).toBe('43 % of the 252 accounts past User Invited did not reach it');
	});
});

describe('a metric’s formula', () => {
	it('says the windows and thresholds of the config in force', () => {
		const custom = parseConfig({
			confusion: { views: 4, withinMinutes: 5 },
			repeatAutomation: { event: 'Automation Run', runs: 5, withinHours: 2 },
			windows: { deflectionHours: 48, sessionGapMinutes: 20, firstValueDays: 14 }
		});
		expect(confusionBursts.formula(config)).toBe('times a user viewed the same page at least 3 times within 2 minutes');
		expect(confusionBursts.formula(custom)).toBe('times a user viewed the same page at least 4 times within 5 minutes');
		expect(repeatAutomations.formula(config)).toContain('fired 3+ times within 1 hour');
		expect(repeatAutomations.formula(custom)).toContain('fired 5+ times within 2 hours');
		expect(deflectionRate.formula(config)).toContain('within 24 h after their last activity');
		expect(deflectionRate.formula(custom)).toContain('within 48 h after their last activity');
		expect(deflectionRate.formula(custom)).toContain('a gap of 20 minutes ends one');
		expect(ttfvWithin30d.formula(custom)).toBe(
			'accounts created ≥ 14 days before the end of the data that reached first value within 14 days ÷ those accounts'
		);
		expect(activationCliffStep.formula(config)).toContain('Account Created → User Invited → Integration Connected → Workflow Triggered');
	});
});

describe('a metric as pages show it', () => {
	it('carries everything about its display from its definition', () => {
		const summary = describeMetric(selfServiceCsat, config, 3.72, { value: 3.72, count: 337, interval: [3.623, 3.813] });
		expect(summary).toMatchObject({
			id: 'self_service_csat',
			family: 'satisfaction',
			family_label: 'Satisfaction',
			unit: 'score',
			scale: 5,
			interval: [3.623, 3.813],
			target: 4
		});
		expect(plain(summary.basis)).toBe('mean of 337 responses, 95 % CI 3.62–3.81');
	});

	it('gives every registered metric a named family and a formula', () => {
		for (const m of METRICS) {
			expect(FAMILIES[m.family], m.id).toBeTruthy();
			expect(m.formula(config).length, m.id).toBeGreaterThan(10);
		}
	});
});
