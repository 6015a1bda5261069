/**
 * Two segments side by side: every metric of the registry under filter set A and under filter set B, each
 * with its 95 % interval from the metric itself, the difference A − B and whether that difference is more
 * than noise. The rule, by the kind of value:
 * - a rate (numerator of denominator, Wilson interval): Newcombe's hybrid score interval of the difference
 *   ({@link rateDifference});
 * - a mean or an NPS (a normal interval): the normal interval of the difference of two independent
 *   estimates ({@link normalDifference});
 * - anything else (medians, counts, ratios, levels, the cliff's step) has no interval here, so its
 *   difference is shown but not judged.
 * A difference is "clear" when its 95 % interval excludes 0.
 */
import type { Kysely } from 'kysely';
import type { Memo } from '../cache/reads.js';
import type { Config } from '../config/config.js';
import type { Schema } from '../db/schema.js';
import type { Filters } from './filters.js';
import type { MetricDefinition } from './metric.js';
import { computeMetrics, METRICS, type MetricsReport } from './registry.js';

/** The metrics a comparison covers: all but those not about accounts (the knowledge base), which no segment changes. */
export const COMPARED_METRICS: readonly MetricDefinition[] = METRICS.filter((m) => !m.accountless);

/** How a difference was judged. */
export type CompareMethod = 'newcombe' | 'normal';

/** A clear difference names the side with the higher value; `no_clear_difference` when the interval holds 0. */
export type Verdict = 'a_higher' | 'b_higher' | 'no_clear_difference' | 'not_tested';

/** One side's value of a metric. */
export interface SideValue {
	value: number | string | null;
	/** The metric's own 95 % interval, when it has one. */
	interval: [number, number] | null;
	/** What the value is made of: the denominator, the answers, the tickets or accounts counted. */
	n: number | null;
}

/** One metric compared. */
export interface MetricComparison {
	id: string;
	label: string;
	formula: string;
	unit: MetricDefinition['unit'];
	direction: MetricDefinition['direction'];
	/** A score's scale (5 for 1–5), or null. */
	scale: number | null;
	a: SideValue;
	b: SideValue;
	/** A − B, for numeric values on both sides. */
	difference: number | null;
	/** The 95 % interval of A − B, when both sides have an interval. */
	difference_interval: [number, number] | null;
	method: CompareMethod | null;
	verdict: Verdict;
	/** Which side is better, when the difference is clear and the metric has a better direction. */
	better: 'a' | 'b' | null;
}

/** A comparison of two filter sets. */
export interface Comparison {
	a: { filters: Filters; range: MetricsReport['range'] };
	b: { filters: Filters; range: MetricsReport['range'] };
	metrics: MetricComparison[];
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** A metric's value with its interval and n, as its definition reads them from its details. */
export function sideValue(m: Pick<MetricDefinition, 'interval' | 'n'>, s: { value: unknown; details: object }): SideValue {
	return {
		value: typeof s.value === 'number' || typeof s.value === 'string' ? s.value : null,
		interval: m.interval?.(s.details) ?? null,
		n: m.n?.(s.details) ?? null
	};
}

/**
 * Newcombe's hybrid score interval (his method 10) of p₁ − p₂ from each rate's own Wilson interval
 * [l₁, u₁] and [l₂, u₂]: d = p₁ − p₂, from d − √((p₁ − l₁)² + (u₂ − p₂)²) to d + √((u₁ − p₁)² + (p₂ − l₂)²).
 * It keeps the Wilson interval's good behaviour for small n and rates near 0 or 1, where p̂ ± z·SE does not.
 */
export function rateDifference(p1: number, ci1: [number, number], p2: number, ci2: [number, number]): [number, number] {
	const d = p1 - p2;
	return [d - Math.sqrt((p1 - ci1[0]) ** 2 + (ci2[1] - p2) ** 2), d + Math.sqrt((ci1[1] - p1) ** 2 + (p2 - ci2[0]) ** 2)];
}

/**
 * The normal interval of x₁ − x₂ for two independent estimates with 95 % intervals x ± z·SE: each SE is
 * the interval's half-width ÷ z (the wider side, as an NPS interval is cut at ±100 on one side only when
 * it is near there), and the difference is (x₁ − x₂) ± z·√(SE₁² + SE₂²).
 */
export function normalDifference(x1: number, ci1: [number, number], x2: number, ci2: [number, number], z = 1.96): [number, number] {
	const se = (x: number, ci: [number, number]) => Math.max(ci[1] - x, x - ci[0]) / z;
	const half = z * Math.sqrt(se(x1, ci1) ** 2 + se(x2, ci2) ** 2);
	return [x1 - x2 - half, x1 - x2 + half];
}

/**
 * One metric's comparison from its value and details on each side. Rates go through
 * {@link rateDifference}; means and the NPS through {@link normalDifference}.
 */
export function compareMetric(
	m: Pick<MetricDefinition, 'id' | 'label' | 'formula' | 'unit' | 'direction' | 'scale' | 'interval' | 'n'>,
	config: Config,
	a: { value: unknown; details: object },
	b: { value: unknown; details: object }
): MetricComparison {
	const sa = sideValue(m, a);
	const sb = sideValue(m, b);
	const va = num(sa.value);
	const vb = num(sb.value);
	const difference = va !== null && vb !== null ? va - vb : null;
	let method: CompareMethod | null = null;
	let ci: [number, number] | null = null;
	if (va !== null && vb !== null && sa.interval && sb.interval) {
		method = m.unit === 'rate' ? 'newcombe' : 'normal';
		ci = method === 'newcombe' ? rateDifference(va, sa.interval, vb, sb.interval) : normalDifference(va, sa.interval, vb, sb.interval);
	}
	const verdict: Verdict = ci === null ? 'not_tested' : ci[0] > 0 ? 'a_higher' : ci[1] < 0 ? 'b_higher' : 'no_clear_difference';
	const higher = verdict === 'a_higher' ? 'a' : verdict === 'b_higher' ? 'b' : null;
	const better = higher === null || m.direction === 'none' ? null : m.direction === 'higher' ? higher : higher === 'a' ? 'b' : 'a';
	return {
		id: m.id,
		label: m.label,
		formula: m.formula(config),
		unit: m.unit,
		direction: m.direction,
		scale: m.scale ?? null,
		a: sa,
		b: sb,
		difference,
		difference_interval: ci,
		method,
		verdict,
		better
	};
}

/**
 * Every compared metric under filters A and B (each run through the metrics engine and its cache, so a
 * segment already shown on /metrics is not recomputed), compared by {@link compareMetric}.
 */
export async function compareSegments(db: Kysely<Schema>, config: Config, a: Filters, b: Filters, memo?: Memo): Promise<Comparison> {
	const ids = COMPARED_METRICS.map((m) => m.id);
	const [ra, rb] = await Promise.all([
		computeMetrics(db, config, a, ids, undefined, undefined, memo),
		computeMetrics(db, config, b, ids, undefined, undefined, memo)
	]);
	return {
		a: { filters: a, range: ra.range },
		b: { filters: b, range: rb.range },
		metrics: COMPARED_METRICS.map((m) =>
			compareMetric(m, config, { value: ra[m.id], details: ra.details[m.id] }, { value: rb[m.id], details: rb.details[m.id] })
		)
	};
}
