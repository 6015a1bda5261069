import type { MetricSummary } from '../../components/kpi/kpi.js';
import type { Config } from '../config/config.js';
import { FAMILIES, type MetricDefinition } from './metric.js';

/**
 * A metric's value as pages and the API show it, everything about its display from its own definition:
 * the formula under the config in force, the family's name, the scale, the basis in words, the interval
 * and the target. Adding a metric is its definition; nothing here or in the pages names it.
 */
export function describeMetric(def: MetricDefinition, config: Config, value: unknown, details: object): MetricSummary {
	return {
		id: def.id,
		label: def.label,
		formula: def.formula(config),
		family: def.family,
		family_label: FAMILIES[def.family],
		unit: def.unit,
		direction: def.direction,
		scale: def.scale ?? null,
		value: value as number | string | null,
		basis: def.basis(details),
		interval: def.interval?.(details) ?? null,
		details: details as Record<string, unknown>,
		target: config.targets[def.id] ?? null,
		...(def.timeless ? { timeless: true } : {})
	};
}

/** A chart point's sample size from a metric's details, when its definition says how many rows make the value. */
export function sampleSize(def: MetricDefinition, details: object): number | null {
	return def.n?.(details) ?? null;
}
