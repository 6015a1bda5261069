/** Metric results in the shapes pages show them: weekly chart points and headline figures. */
import type { TrendPoint } from '../../components/kpi/kpi.js';
import type { GroupResult } from './engine.js';
import type { MetricDefinition, MetricResult } from './metric.js';

/** Five significant digits: plenty for a chart, and a third of the bytes of a full double. */
const round = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? Number(x.toPrecision(5)) : null);

/**
 * A metric's periods as chart points: each period's value, its 95 % interval's ends and its sample size
 * (the denominator, count or responses) where the details have them. The overall row (group null) is left out.
 */
export function trendPoints(groups: GroupResult[]): TrendPoint[] {
	return groups
		.filter((g) => g.group !== null)
		.map((g) => {
			const d = g.details as Record<string, unknown>;
			const ci = Array.isArray(d.interval) ? (d.interval as [number, number]) : null;
			const n = d.denominator ?? d.count ?? d.responses ?? null;
			return {
				group: g.group ?? '',
				value: round(g.value),
				...(ci ? { low: round(ci[0]), high: round(ci[1]) } : {}),
				...(typeof n === 'number' ? { n } : {})
			};
		});
}

/** A metric's result with what a page needs to show it: its id, label, formula, unit and which way is good. */
export interface Headline extends MetricResult {
	details: Record<string, unknown>;
	id: string;
	label: string;
	formula: string;
	unit: MetricDefinition['unit'];
	direction: MetricDefinition['direction'];
}

/** `result` of metric `def` as a {@link Headline}. */
export function headline(def: MetricDefinition, result: MetricResult): Headline {
	return {
		id: def.id,
		label: def.label,
		formula: def.formula,
		unit: def.unit,
		direction: def.direction,
		value: result.value,
		details: result.details as Record<string, unknown>
	};
}
