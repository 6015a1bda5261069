import type { GroupResult } from './engine.js';
import type { MetricDefinition } from './metric.js';
import { METRICS, type MetricsReport } from './registry.js';

const csvCell = (v: unknown) => {
	if (v === null || v === undefined) return '';
	const s = Array.isArray(v) ? v.join(';') : String(v);
	return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

/**
 * A metrics report as CSV, one row per metric: id, label, unit, value, numerator, denominator, the
 * interval's ends, and the range and filters it covers (so an exported file says what it is).
 */
export function metricsCsv(report: MetricsReport): string {
	const header = ['metric', 'label', 'unit', 'value', 'numerator', 'denominator', 'interval_low', 'interval_high', 'from', 'to', 'filters'];
	const filters = Object.entries(report.filters)
		.map(([k, v]) => `${k}=${v}`)
		.join(';');
	const rows = METRICS.filter((m) => m.id in report).map((m) => {
		const d = report.details[m.id] as { numerator?: number; denominator?: number; interval?: [number, number] | null };
		return [
			m.id,
			m.label,
			m.unit,
			report[m.id],
			d.numerator,
			d.denominator,
			d.interval?.[0],
			d.interval?.[1],
			report.range.from,
			report.range.to,
			filters
		];
	});
	return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}

/** One metric per period or group as CSV: group, value, numerator, denominator, the interval's ends. */
export function groupsCsv(def: MetricDefinition, groups: GroupResult[]): string {
	const header = ['group', def.id, 'numerator', 'denominator', 'interval_low', 'interval_high'];
	const rows = groups.map((g) => {
		const d = g.details as { numerator?: number; denominator?: number; interval?: [number, number] | null };
		return [g.group, g.value, d.numerator, d.denominator, d.interval?.[0], d.interval?.[1]];
	});
	return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}

/** Rows of a list as CSV, columns in the first row's order. */
export function rowsCsv(rows: Record<string, unknown>[]): string {
	if (!rows.length) return '\n';
	const header = Object.keys(rows[0]);
	return [header, ...rows.map((r) => header.map((h) => r[h]))].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}
