import { describe, expect, it } from 'vitest';
import type { FeatureFrame } from '../../src/lib/server/features/store.js';
import { describe as sentence, driverPlan, topDrivers } from '../../src/lib/server/models/explain.js';
import { healthScore, percentiles, riskBand, sentimentFromScores } from '../../src/lib/server/models/health.js';

const frame: FeatureFrame = {
	account_id: ['A1'],
	as_of: ['2026-10-31T00:00:00.000Z'],
	categorical: { plan: ['starter'], segment: ['smb'], region: ['NA'] },
	numeric: {
		events_7d: [0],
		days_since_last_event: [21],
		ticket_trend: [Math.log(3)],
		first_value_reached: [0],
		first_value_within_30d: [0],
		days_to_first_value: [21],
		tenure_days: [21],
		csat_mean: [null]
	},
	label: [null]
};
const row = (name: string) => frame.numeric[name]?.[0] ?? frame.categorical[name]?.[0] ?? null;

describe('drivers', () => {
	it('tells a feature as a sentence with the account’s values', () => {
		expect(sentence('first_value_reached', row)).toBe('No first value yet, 21 days after signup');
		expect(sentence('ticket_trend', row)).toBe('Tickets up 3× in the last 30 days');
		expect(sentence('events_7d', row)).toBe('No product events in the last 7 days');
		expect(sentence('days_since_last_event', row)).toBe('Last product activity 21 days ago');
		expect(sentence('csat_mean', row)).toBe('No CSAT answers yet');
		expect(sentence('plan', row)).toBe('Plan: starter');
	});

	it('sums contributions per story and per one-hot column, keeps only what raises the risk, largest first', () => {
		const inputs = ['events_7d', 'days_since_last_event', 'ticket_trend', 'first_value_reached', 'first_value_within_30d', 'plan=starter', 'plan=pro', 'csat_mean'];
		// Usage: 0.3 + 0.5 = 0.8, told by its stronger member (days since the last event); first value: 0.4 + 0.2 = 0.6;
		// plan: 0.1 − 0.05 = 0.05; tickets 0.7; CSAT −0.2 lowers the risk and is no driver.
		const d = topDrivers([0.3, 0.5, 0.7, 0.4, 0.2, 0.1, -0.05, -0.2], driverPlan(inputs), frame, 0);
		expect(d.map((x) => [x.feature, Number(x.impact.toFixed(2))])).toEqual([
			['days_since_last_event', 0.8],
			['ticket_trend', 0.7],
			['first_value_reached', 0.6]
		]);
		expect(d[0].text).toBe('Last product activity 21 days ago');
		expect(topDrivers([0.3, 0.5, 0.7, 0.4, 0.2, 0.1, -0.05, -0.2], driverPlan(inputs), frame, 0, 5).map((x) => x.feature)).toEqual([
			'days_since_last_event',
			'ticket_trend',
			'first_value_reached',
			'plan'
		]);
	});
});

describe('health score', () => {
	const weights = { risk: 0.5, adoption: 0.3, sentiment: 0.2 };
	it('weights the parts an account has, leaving out an unknown sentiment', () => {
		// 100 × (0.5 × 0.8 + 0.3 × 2/3 + 0.2 × 0.25) / 1 = 40 + 20 + 5 = 65
		expect(healthScore({ risk: 0.8, adoption: 2 / 3, sentiment: 0.25 }, weights)).toBeCloseTo(65, 10);
		// Without sentiment: 100 × (0.4 + 0.2) / 0.8 = 75
		expect(healthScore({ risk: 0.8, adoption: 2 / 3, sentiment: null }, weights)).toBeCloseTo(75, 10);
	});

	it('maps CSAT and CES onto −100…100 and ranks risk by mid-rank percentiles', () => {
		expect(sentimentFromScores(5, 7)).toBe(100);
		expect(sentimentFromScores(2, null)).toBe(-50); // (2 − 3) / 2 × 100
		expect(sentimentFromScores(null, null)).toBeNull();
		expect([...percentiles([0.1, 0.3, 0.3, 0.9])]).toEqual([0, 0.5, 0.5, 1]);
		expect([riskBand(0.95), riskBand(0.75), riskBand(0.2)]).toEqual(['high', 'medium', 'low']);
	});
});
