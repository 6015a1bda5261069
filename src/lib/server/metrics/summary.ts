/** Metric results in the shapes pages show them: weekly chart points and headline figures. */
import type { MetricSummary, TrendPoint } from '../../components/kpi/kpi.js';
import type { Config } from '../config/config.js';
import { describeMetric, sampleSize } from './describe.js';
import type { GroupResult } from './engine.js';
import type { MetricDefinition, MetricResult } from './metric.js';

/** Five significant digits: plenty for a chart, and a third of the bytes of a full double. */
const round = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? Number(x.toPrecision(5)) : null);

/**
 * A metric's periods as chart points: each period's value, its 95 % interval's ends and its sample size,
 * as the metric's definition reads them from its details. The overall row (group null) is left out.
 */
export function trendPoints(def: MetricDefinition, groups: GroupResult[]): TrendPoint[] {
	return groups
		.filter((g) => g.group !== null)
		.map((g) => {
			const ci = def.interval?.(g.details) ?? null;
			const n = sampleSize(def, g.details);
			return {
				group: g.group ?? '',
				value: round(g.value),
				...(ci ? { low: round(ci[0]), high: round(ci[1]) } : {}),
				...(n !== null ? { n } : {})
			};
		});
}

/** A metric's result as a page shows it (see `describeMetric`). */
export type Headline = MetricSummary;

/** `result` of metric `def` as a {@link Headline}, under `config`. */
export function headline(def: MetricDefinition, result: MetricResult, config: Config): Headline {
	return describeMetric(def, config, result.value, result.details);
}
