/**
 * What the KPI cards and the metrics table say: values in their unit and scale, and the target verdict
 * respecting which way is good (and flagging a close call). The basis in words is each metric's own
 * (tests/metrics/describe.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { targetView, type MetricSummary } from '../../src/lib/components/kpi/kpi.js';
import { formatInterval, formatTarget, formatValue, valueParts } from '../../src/lib/components/kpi/units.js';

/** Spaces and word joiners as plain spaces/nothing, so expectations read naturally. */
const plain = (s: string | null) => (s ?? '').replaceAll('\u00a0', ' ').replaceAll('\u2060', '');

const rate = (
	id: string,
	value: number | null,
	numerator: number,
	denominator: number,
	interval: [number, number] | null,
	target: number | null,
	direction: 'higher' | 'lower'
): MetricSummary => ({
	id,
	label: id,
	formula: '',
	family: 'x',
	family_label: 'X',
	unit: 'rate',
	direction,
	scale: null,
	value,
	basis: '',
	interval,
	details: { value, numerator, denominator, interval },
	target
});

describe('values by unit', () => {
	it('formats rates as percentages, days, hours, scores with their scale, and NPS signed', () => {
		expect(plain(formatValue(0.43636, 'rate'))).toBe('43.6 %');
		expect(plain(formatValue(10.34375, 'days'))).toBe('10.3 days');
		expect(plain(formatValue(25.25, 'hours'))).toBe('25.3 h');
		expect(plain(formatValue(3.7181, 'score', 5))).toBe('3.72 / 5');
		expect(plain(formatValue(4.83, 'score', 7))).toBe('4.83 / 7');
		expect(plain(formatValue(3.33, 'score'))).toBe('3.33');
		expect(formatValue(7.26, 'nps')).toBe('+7');
		expect(formatValue(-12.4, 'nps')).toBe('−12');
		expect(formatValue(25151, 'count')).toBe('25,151');
		expect(formatValue('Integration Connected', 'step')).toBe('Integration Connected');
		expect(formatValue(null, 'rate')).toBe('—');
		expect(valueParts(0.5, 'rate')).toEqual({ main: '50.0', suffix: '%' });
	});

	it('formats intervals with one suffix, and a decimal when a rate interval is narrow', () => {
		expect(plain(formatInterval([0.36, 0.43], 'rate'))).toBe('36–43 %');
		expect(plain(formatInterval([0.4234, 0.4494], 'rate'))).toBe('42–45 %');
		expect(plain(formatInterval([0.1034, 0.1102], 'rate'))).toBe('10.3–11.0 %');
		expect(plain(formatInterval([3.62, 3.81], 'score'))).toBe('3.62–3.81');
		expect(formatInterval(null, 'rate')).toBeNull();
	});

	it('writes targets as goals, without a measured value’s trailing zeros', () => {
		expect(plain(formatTarget(0.4, 'rate', 'higher'))).toBe('≥ 40 %');
		expect(plain(formatTarget(0.125, 'rate', 'lower'))).toBe('≤ 12.5 %');
		expect(plain(formatTarget(4, 'score', 'higher', 5))).toBe('≥ 4.0 / 5');
		expect(plain(formatTarget(14, 'days', 'lower'))).toBe('≤ 14.0 days');
	});
});

describe('target verdict', () => {
	it('is met above a "higher is better" target and below a "lower is better" one', () => {
		expect(targetView(rate('deflection_rate', 0.45, 450, 1000, [0.42, 0.48], 0.4, 'higher'))).toEqual({
			status: 'met',
			target: '≥\u00a040\u00a0%',
			uncertain: false
		});
		expect(targetView(rate('deflection_rate', 0.35, 350, 1000, [0.32, 0.38], 0.4, 'higher')).status).toBe('missed');
		expect(targetView(rate('zero_result_rate', 0.08, 80, 1000, [0.06, 0.1], 0.1, 'lower')).status).toBe('met');
		expect(targetView(rate('zero_result_rate', 0.12, 120, 1000, [0.1, 0.14], 0.1, 'lower')).status).toBe('missed');
	});

	it('flags a close call when the 95 % interval contains the target (7 accounts, not 7,000)', () => {
		const small = targetView(rate('portal_adoption_rate', 5 / 7, 5, 7, [0.36, 0.92], 0.7, 'higher'));
		expect(small).toMatchObject({ status: 'met', uncertain: true });
		const large = targetView(rate('portal_adoption_rate', 5000 / 7000, 5000, 7000, [0.704, 0.725], 0.7, 'higher'));
		expect(large).toMatchObject({ status: 'met', uncertain: false });
	});

	it('has no verdict without a target or a value', () => {
		expect(targetView(rate('deflection_rate', 0.45, 450, 1000, null, null, 'higher')).status).toBe('none');
		expect(targetView(rate('deflection_rate', null, 0, 0, null, 0.4, 'higher'))).toMatchObject({
			status: 'unknown',
			target: '≥\u00a040\u00a0%'
		});
	});
});
