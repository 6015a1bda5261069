/**
 * What a metric card or table row says besides the value: the target and whether it is met (respecting
 * which way is good, and saying so when the 95 % interval still straddles the target). The basis in words
 * comes from the metric's own definition, with the summary.
 */
import { formatTarget, type Direction, type Unit } from './units.js';

/** One week (or other period) of a metric's trend, as the page sends it to the browser. */
export interface TrendPoint {
	/** The period's first day, `YYYY-MM-DD`. */
	group: string;
	value: number | null;
	/** The 95 % interval's ends, when the metric has one. */
	low?: number | null;
	high?: number | null;
	/** How many rows the value is made of (the denominator or count), when known. */
	n?: number | null;
}

/**
 * A metric as the page has it: what its definition says about itself (label, formula under the current
 * config, family, unit, scale) and its value with the basis in words, the interval, the details and
 * the target. Made on the server by `describeMetric` (`metrics/describe.ts`).
 */
export interface MetricSummary {
	id: string;
	label: string;
	formula: string;
	family: string;
	/** The family's name on pages. */
	family_label: string;
	unit: Unit;
	direction: Direction;
	/** A score's scale (5 for 1–5), or null. */
	scale: number | null;
	value: number | string | null;
	/** What the value is made of, in words ("312 of 780 sessions, 95 % CI 36–43 %"). */
	basis: string;
	/** The 95 % interval, when the metric has one. */
	interval: [number, number] | null;
	details: Record<string, unknown>;
	target: number | null;
	/** The date range does not apply (a state of things now). */
	timeless?: boolean;
}

/** Whether the value meets its target; `none` without a target, `unknown` without a value. */
export type TargetStatus = 'met' | 'missed' | 'none' | 'unknown';

/** The target verdict. */
export interface TargetView {
	status: TargetStatus;
	/** `≥ 40 %`, or null without a target. */
	target: string | null;
	/** The 95 % interval contains the target: met or missed, but not clearly. */
	uncertain: boolean;
}

/** The target verdict: met when the value is on the good side of the target (or on it). */
export function targetView(m: Pick<MetricSummary, 'unit' | 'direction' | 'scale' | 'value' | 'interval' | 'target'>): TargetView {
	if (m.target === null || m.direction === 'none') return { status: 'none', target: null, uncertain: false };
	const target = formatTarget(m.target, m.unit, m.direction, m.scale);
	if (typeof m.value !== 'number') return { status: 'unknown', target, uncertain: false };
	const met = m.direction === 'higher' ? m.value >= m.target : m.value <= m.target;
	const ci = m.interval;
	const uncertain = ci !== null && ci[0] <= m.target && m.target <= ci[1];
	return { status: met ? 'met' : 'missed', target, uncertain };
}
