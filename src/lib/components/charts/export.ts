/**
 * What a chart's downloads hold: its data as CSV (the spec's own table, or else the category axis and
 * every named series the tooltip shows), and the file names both downloads take from the chart's label.
 */
import type { ChartData, ChartSpec } from './options.js';

type Series = { name?: string; data?: unknown[]; tooltip?: { show?: boolean } };
type Axis = { type?: string; data?: unknown[]; name?: string };

const first = <T>(v: T | T[] | undefined): T | undefined => (Array.isArray(v) ? v[0] : v);

/** A point's value: a number, a `[x, y]` pair's y, or an ECharts data item's `value`. */
function valueOf(point: unknown): string | number | null {
	if (point === null || point === undefined) return null;
	if (typeof point === 'number' || typeof point === 'string') return point;
	if (Array.isArray(point)) return valueOf(point[point.length - 1]);
	if (typeof point === 'object' && 'value' in point) return valueOf((point as { value: unknown }).value);
	return null;
}

/**
 * The chart's data as a table: `spec.data` when the builder gave it; else one row per category of the
 * category axis and one column per series, leaving out the helper series a reader never sees (the
 * shaded interval's parts, whose tooltips are off).
 */
export function chartTable(spec: ChartSpec): ChartData {
	if (spec.data) return spec.data;
	const o = spec.options as { xAxis?: Axis | Axis[]; yAxis?: Axis | Axis[]; series?: Series | Series[] };
	const x = first(o.xAxis);
	const y = first(o.yAxis);
	const axis = x?.type === 'category' ? x : y?.type === 'category' ? y : undefined;
	const series = (Array.isArray(o.series) ? o.series : o.series ? [o.series] : []).filter((s) => s.tooltip?.show !== false);
	const categories = axis?.data ?? series[0]?.data?.map((_, i) => i + 1) ?? [];
	return {
		columns: [axis?.name ?? 'category', ...series.map((s, i) => s.name ?? `series ${i + 1}`)],
		rows: categories.map((c, i) => [valueOf(c), ...series.map((s) => valueOf(s.data?.[i]))])
	};
}

const cell = (v: string | number | null) => {
	if (v === null) return '';
	const s = String(v);
	return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

/** A table as CSV (RFC 4180 quoting), header first. */
export function tableCsv(table: ChartData): string {
	return [table.columns, ...table.rows].map((r) => r.map(cell).join(',')).join('\n') + '\n';
}

/** A file name from a chart's label: `Deflection rate, weekly` → `deflection-rate-weekly`. */
export function fileStem(label: string): string {
	return (
		label
			.toLowerCase()
			.normalize('NFKD')
			.replace(/[^a-z0-9]+/g, '-')
			.replace(/^-+|-+$/g, '')
			.slice(0, 60) || 'chart'
	);
}
