/**
 * ECharts options for the app's charts, built by plain functions so they can be tested as objects (axis
 * data, series data, target lines) without a browser. Each returns a {@link ChartSpec}: the options and
 * whether there is anything to draw, which `Chart.svelte` turns into its empty state.
 *
 * Only types come from ECharts here: the library itself is loaded in the browser by `Chart.svelte`.
 */
import type { BarSeriesOption, HeatmapSeriesOption, LineSeriesOption } from 'echarts/charts';
import type {
	GridComponentOption,
	LegendComponentOption,
	MarkLineComponentOption,
	TooltipComponentOption,
	VisualMapComponentOption
} from 'echarts/components';
import type { ComposeOption } from 'echarts/core';
import type { TrendPoint } from '../kpi/kpi.js';
import { formatAxis, formatInterval, formatNumber, formatTarget, formatValue, type Direction, type Unit } from '../kpi/units.js';

/** The option types the registered charts and components accept (see `echarts.ts`). */
export type ChartOptions = ComposeOption<
	| LineSeriesOption
	| BarSeriesOption
	| HeatmapSeriesOption
	| GridComponentOption
	| TooltipComponentOption
	| MarkLineComponentOption
	| LegendComponentOption
	| VisualMapComponentOption
>;

/** A chart's data as a table, for its CSV download. */
export interface ChartData {
	columns: string[];
	rows: (string | number | null)[][];
}

/**
 * A chart ready to draw: its options, whether it has no data (then the wrapper shows its empty state),
 * and, when the options do not say it plainly, its data as a table (see `chartTable`).
 */
export interface ChartSpec {
	empty: boolean;
	options: ChartOptions;
	data?: ChartData;
}

/** The app's palette (app.css), as hex: ECharts draws outside CSS and cannot read its variables. */
export const COLORS = {
	accent: '#2f5bd3',
	band: 'rgba(47, 91, 211, 0.13)',
	soft: '#b9c9f1',
	target: '#5d6878',
	cliff: '#d9730d',
	text: '#1b2230',
	muted: '#5d6878',
	faint: '#8a94a3',
	grid: '#e2e5ea'
} as const;

export const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Liberation Sans', sans-serif";
const DAY = 86_400_000;
const month = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', month: 'short' });
const fullDay = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric' });

/** `2025-06-09` → `9 Jun 2025`. */
export function periodLabel(group: string): string {
	return fullDay.format(new Date(`${group}T00:00:00Z`));
}

/**
 * The points with the periods that had no rows filled in as gaps (value null), so a quiet week shows as
 * a break in the line rather than being skipped over. Points are `YYYY-MM-DD` period starts.
 */
export function fillPeriods(points: TrendPoint[], grain: 'day' | 'week' | 'month' = 'week'): TrendPoint[] {
	const sorted = [...points].filter((p) => /^\d{4}-\d{2}-\d{2}$/.test(p.group)).sort((a, b) => a.group.localeCompare(b.group));
	if (sorted.length < 2) return sorted;
	const byGroup = new Map(sorted.map((p) => [p.group, p]));
	const out: TrendPoint[] = [];
	const last = sorted[sorted.length - 1].group;
	let d = new Date(`${sorted[0].group}T00:00:00Z`);
	for (let guard = 0; guard < 5000; guard++) {
		const key = d.toISOString().slice(0, 10);
		if (key > last) break;
		out.push(byGroup.get(key) ?? { group: key, value: null });
		d =
			grain === 'month'
				? new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1))
				: new Date(d.getTime() + (grain === 'day' ? DAY : 7 * DAY));
	}
	return out;
}

/** A round tick step for a span split into about `ticks` parts (1, 2, 2.5 or 5 × 10ⁿ). */
export function niceStep(span: number, ticks = 4): number {
	if (!(span > 0)) return 1;
	const raw = span / ticks;
	const pow = 10 ** Math.floor(Math.log10(raw));
	const f = raw / pow;
	return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * pow;
}

/**
 * The value axis' range: the values and the target, padded, on round ticks; rates stay within 0–100 %,
 * scores within their scale (1–5, 1–7) when it is given, and only NPS goes below zero.
 */
export function valueExtent(
	values: number[],
	unit: Unit,
	target: number | null = null,
	scale?: number
): { min: number; max: number; interval: number } {
	const all = target === null ? values : [...values, target];
	let lo = Math.min(...all);
	let hi = Math.max(...all);
	if (!Number.isFinite(lo)) [lo, hi] = [0, 1];
	const pad = (hi - lo || Math.abs(hi) || 1) * 0.12;
	lo -= pad;
	hi += pad;
	if (unit !== 'nps') lo = Math.max(0, lo);
	if (unit === 'rate') hi = Math.min(1, hi);
	if (unit === 'nps') [lo, hi] = [Math.max(-100, lo), Math.min(100, hi)];
	if (unit === 'score' && scale) [lo, hi] = [Math.max(1, lo), Math.min(scale, hi)];
	const step = niceStep(hi - lo);
	const min = Math.floor(lo / step + 1e-9) * step;
	const max = Math.ceil(hi / step - 1e-9) * step;
	const round = (x: number) => Number(x.toPrecision(12));
	return { min: round(min), max: round(max === min ? min + step : max), interval: round(step) };
}

/** Indexes of values with no value on either side: a line cannot draw them, so they get a dot. */
export function isolatedPoints(points: TrendPoint[]): Set<number> {
	const has = (i: number) => typeof points[i]?.value === 'number';
	return new Set(points.flatMap((_, i) => (has(i) && !has(i - 1) && !has(i + 1) ? [i] : [])));
}

const numbers = (points: TrendPoint[]) =>
	points.map((p) => p.value).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));

/** A target as a dashed horizontal line with its goal as the label. */
function targetLine(
	target: number,
	unit: Unit,
	direction: Direction,
	scale: number | null | undefined,
	showLabel: boolean
): MarkLineComponentOption {
	return {
		silent: true,
		symbol: 'none',
		animation: false,
		lineStyle: { color: COLORS.target, type: 'dashed', width: 1 },
		label: showLabel
			? {
					show: true,
					position: 'insideEndTop',
					formatter: `Target ${formatTarget(target, unit, direction, scale)}`,
					color: COLORS.muted,
					fontSize: 11,
					backgroundColor: 'rgba(255, 255, 255, 0.85)',
					padding: [1, 4],
					borderRadius: 3
				}
			: { show: false },
		data: [{ yAxis: target, name: 'Target' }]
	};
}

/** Options of a weekly trend line. */
export interface TrendInput {
	unit: Unit;
	/** The target, drawn as a dashed horizontal line; null for none. */
	target?: number | null;
	direction?: Direction;
	/** A score's scale (5 for 1–5): labels read "3.72 / 5" and the axis runs to it. */
	scale?: number | null;
	/** The series name in the tooltip. */
	name?: string;
	/** Shade the 95 % interval (from the points' low/high). Default true. */
	band?: boolean;
	grain?: 'day' | 'week' | 'month';
}

/** Tooltip HTML for one period: its date, value, and what the value is made of. */
function periodTooltip(p: TrendPoint | undefined, input: TrendInput, grainWord: string): string {
	if (!p) return '';
	const lines = [
		`<strong>${[grainWord, periodLabel(p.group)].filter(Boolean).join(' ')}</strong>`,
		`${input.name ? `${input.name}: ` : ''}${formatValue(p.value, input.unit, input.scale)}`
	];
	const ci = p.low != null && p.high != null ? formatInterval([p.low, p.high], input.unit) : null;
	const basis = [p.n != null ? `n = ${formatNumber(p.n)}` : null, ci ? `95\u00a0% CI ${ci}` : null].filter(Boolean).join(', ');
	if (basis) lines.push(`<span style="color:${COLORS.muted}">${basis}</span>`);
	return lines.join('<br>');
}

/**
 * Which periods get a date label: the first period of a month (and the very first), thinned to every
 * 2nd, 3rd… month so at most `max` labels share the axis.
 */
export function monthTicks(groups: string[], max = 7): number[] {
	const starts = groups.flatMap((g, i) => (i === 0 || g.slice(0, 7) !== groups[i - 1].slice(0, 7) ? [i] : []));
	const step = Math.max(1, Math.ceil(starts.length / max));
	return starts.filter((_, k) => k % step === 0);
}

/** Labels of the ticked periods: the month (`Aug`), with the year on the first and wherever it changes (`Feb 2026`). */
export function monthLabels(groups: string[], ticks: number[]): Map<number, string> {
	const labels = new Map<number, string>();
	let year: number | null = null;
	for (const i of ticks) {
		const d = new Date(`${groups[i]}T00:00:00Z`);
		const m = month.format(d);
		labels.set(i, d.getUTCFullYear() === year ? m : `${m} ${d.getUTCFullYear()}`);
		year = d.getUTCFullYear();
	}
	return labels;
}

/**
 * The category axis of periods (`YYYY-MM-DD` starts): a tick and a label only where a month begins (see
 * {@link monthTicks}), so a year of weeks reads as months. `boundaryGap` puts each period in a band (bars)
 * rather than on a line's point.
 */
function periodAxis(groups: string[], boundaryGap: boolean) {
	const tickList = monthTicks(groups);
	const ticks = new Set(tickList);
	const labels = monthLabels(groups, tickList);
	return {
		type: 'category' as const,
		data: groups,
		boundaryGap,
		axisLine: { lineStyle: { color: COLORS.grid } },
		axisTick: { show: true, interval: (i: number) => ticks.has(i), lineStyle: { color: COLORS.grid } },
		axisLabel: {
			color: COLORS.muted,
			fontSize: 11,
			interval: (i: number) => ticks.has(i),
			formatter: (_: string, i: number) => labels.get(i) ?? ''
		}
	};
}

/**
 * A trend chart: one point per period (gaps for periods without rows), the 95 % interval as a shaded
 * band when the points carry one, and the target as a dashed horizontal line. Empty when no period has
 * a value.
 */
export function trendOptions(points: TrendPoint[], input: TrendInput): ChartSpec {
	const filled = fillPeriods(points, input.grain ?? 'week');
	const values = numbers(filled);
	const target = input.target ?? null;
	const grainWord = input.grain === 'month' ? 'Month of' : input.grain === 'day' ? '' : 'Week of';
	const extent = valueExtent(values, input.unit, target, input.scale ?? undefined);
	const groups = filled.map((p) => p.group);
	const isolated = isolatedPoints(filled);
	const band = (input.band ?? true) && filled.some((p) => p.low != null && p.high != null);
	const series: LineSeriesOption[] = [];
	if (band) {
		// The band is two stacked invisible lines: the lower end, then the width, shaded down to the first.
		series.push(
			{
				name: '95 % CI low',
				type: 'line',
				stack: 'ci',
				data: filled.map((p) => p.low ?? null),
				lineStyle: { opacity: 0 },
				symbol: 'none',
				silent: true,
				tooltip: { show: false }
			},
			{
				name: '95 % CI',
				type: 'line',
				stack: 'ci',
				data: filled.map((p) => (p.low != null && p.high != null ? p.high - p.low : null)),
				lineStyle: { opacity: 0 },
				areaStyle: { color: COLORS.band },
				symbol: 'none',
				silent: true,
				tooltip: { show: false }
			}
		);
	}
	series.push({
		name: input.name ?? 'Value',
		type: 'line',
		data: filled.map((p) => p.value),
		connectNulls: false,
		// Only a value between two gaps gets a dot (a line cannot draw it); the others show on hover.
		showSymbol: isolated.size > 0,
		symbol: 'circle',
		symbolSize: (_: unknown, p: { dataIndex: number }) => (isolated.has(p.dataIndex) ? 4 : 0),
		lineStyle: { color: COLORS.accent, width: 2 },
		itemStyle: { color: COLORS.accent },
		z: 3,
		...(target !== null ? { markLine: targetLine(target, input.unit, input.direction ?? 'none', input.scale, true) } : {})
	});
	return {
		empty: values.length === 0,
		options: {
			animation: false,
			textStyle: { fontFamily: FONT },
			grid: { left: 8, right: 16, top: 24, bottom: 8, containLabel: true },
			tooltip: {
				trigger: 'axis',
				axisPointer: { type: 'line', lineStyle: { color: COLORS.faint } },
				formatter: (params: unknown) => {
					const first = (Array.isArray(params) ? params : [params])[0] as { dataIndex?: number } | undefined;
					return periodTooltip(filled[first?.dataIndex ?? -1], input, grainWord);
				}
			},
			xAxis: periodAxis(groups, false),
			yAxis: {
				type: 'value',
				min: extent.min,
				max: extent.max,
				interval: extent.interval,
				axisLabel: { color: COLORS.muted, fontSize: 11, formatter: (v: number) => formatAxis(v, input.unit) },
				splitLine: { lineStyle: { color: COLORS.grid } }
			},
			series
		}
	};
}

/** Periods a sparkline shows: the recent half year, not the noisy first weeks of the data. */
export const SPARKLINE_WEEKS = 26;

/**
 * A sparkline: the last `last` (26) periods' line alone (no axes), the target as a faint dashed line, on
 * the same scale as the values and target. Empty with fewer than two values (no trend to show).
 */
export function sparklineOptions(points: TrendPoint[], input: TrendInput & { last?: number }): ChartSpec {
	const filled = fillPeriods(points, input.grain ?? 'week').slice(-(input.last ?? SPARKLINE_WEEKS));
	const values = numbers(filled);
	const target = input.target ?? null;
	const extent = valueExtent(values, input.unit, target, input.scale ?? undefined);
	const isolated = isolatedPoints(filled);
	return {
		empty: values.length < 2,
		options: {
			animation: false,
			textStyle: { fontFamily: FONT },
			grid: { left: 1, right: 1, top: 3, bottom: 3 },
			tooltip: {
				trigger: 'axis',
				confine: true,
				axisPointer: { type: 'line', lineStyle: { color: COLORS.faint } },
				formatter: (params: unknown) => {
					const first = (Array.isArray(params) ? params : [params])[0] as { dataIndex?: number } | undefined;
					return periodTooltip(filled[first?.dataIndex ?? -1], { ...input, name: undefined }, 'Week of');
				}
			},
			xAxis: { type: 'category', data: filled.map((p) => p.group), show: false, boundaryGap: false },
			yAxis: { type: 'value', min: extent.min, max: extent.max, show: false },
			series: [
				{
					name: input.name ?? 'Value',
					type: 'line',
					data: filled.map((p) => p.value),
					showSymbol: isolated.size > 0,
					symbol: 'circle',
					symbolSize: (_: unknown, p: { dataIndex: number }) => (isolated.has(p.dataIndex) ? 3 : 0),
					connectNulls: false,
					lineStyle: { color: COLORS.accent, width: 1.5 },
					itemStyle: { color: COLORS.accent },
					areaStyle: { color: 'rgba(47, 91, 211, 0.07)' },
					...(target !== null ? { markLine: targetLine(target, input.unit, input.direction ?? 'none', input.scale, false) } : {})
				}
			]
		}
	};
}

/** One series of a bar chart. */
export interface BarSeriesInput {
	name: string;
	values: (number | null)[];
	color?: string;
	/** Series with the same stack id are stacked. */
	stack?: string;
	/** A label per bar (shown above it), or null for none. */
	labels?: (string | null)[];
}

/** A bar chart's data: categories, series, and a category to highlight (e.g. the funnel's cliff). */
export interface BarInput {
	categories: string[];
	series: BarSeriesInput[];
	unit: Unit;
	/** Index of the category to mark: its first series' bar takes `highlightColor`, its axis label is bold. */
	highlight?: number | null;
	highlightColor?: string;
	/** A word under the highlighted category's label (e.g. `Cliff`). */
	highlightTag?: string;
}

/**
 * A vertical bar chart for breakdowns and funnels: stacked series when they share a stack id, labels
 * above the bars, one category highlighted. Empty when there are no categories or no values.
 */
export function barOptions(input: BarInput): ChartSpec {
	const hi = input.highlight ?? null;
	const hiColor = input.highlightColor ?? COLORS.cliff;
	const any = input.series.some((s) => s.values.some((v) => typeof v === 'number' && Number.isFinite(v)));
	const series: BarSeriesOption[] = input.series.map((s, si) => ({
		name: s.name,
		type: 'bar',
		...(s.stack ? { stack: s.stack } : {}),
		barMaxWidth: 64,
		itemStyle: { color: s.color ?? COLORS.accent, borderRadius: s.stack && si < input.series.length - 1 ? 0 : [3, 3, 0, 0] },
		data: s.values.map((v, i) => (si === 0 && i === hi ? { value: v, itemStyle: { color: hiColor } } : v)),
		...(s.labels
			? {
					label: {
						show: true,
						position: 'top',
						color: COLORS.text,
						fontSize: 11,
						formatter: (p: { dataIndex: number }) => s.labels?.[p.dataIndex] ?? ''
					}
				}
			: {})
	}));
	return {
		empty: input.categories.length === 0 || !any,
		options: {
			animation: false,
			textStyle: { fontFamily: FONT },
			grid: { left: 8, right: 12, top: 36, bottom: input.highlightTag && hi !== null ? 20 : 8, containLabel: true },
			legend:
				input.series.length > 1
					? { top: 0, right: 0, itemWidth: 12, itemHeight: 10, textStyle: { color: COLORS.muted, fontSize: 12 } }
					: { show: false },
			tooltip: {
				trigger: 'axis',
				axisPointer: { type: 'shadow' },
				valueFormatter: (v: unknown) => (typeof v === 'number' ? formatValue(v, input.unit) : '—')
			},
			xAxis: {
				type: 'category',
				data: input.categories,
				axisTick: { show: false },
				axisLine: { lineStyle: { color: COLORS.grid } },
				axisLabel: {
					color: COLORS.muted,
					fontSize: 12,
					lineHeight: 15,
					interval: 0,
					formatter: (value: string, index: number) => {
						const lines = wrapLabel(value);
						if (index !== hi) return lines.join('\n');
						return [...lines.map((l) => `{hi|${l}}`), ...(input.highlightTag ? [`{tag|${input.highlightTag}}`] : [])].join('\n');
					},
					rich: {
						hi: { color: hiColor, fontWeight: 'bold', fontSize: 12, lineHeight: 15 },
						tag: { color: hiColor, fontSize: 11, lineHeight: 15 }
					}
				}
			},
			yAxis: {
				type: 'value',
				axisLabel: { color: COLORS.muted, fontSize: 11, formatter: (v: number) => formatAxis(v, input.unit) },
				splitLine: { lineStyle: { color: COLORS.grid } }
			},
			series
		}
	};
}

/** A category name on at most two lines, split at the space nearest its middle (`Integration` / `Connected`). */
export function wrapLabel(label: string, max = 14): string[] {
	if (label.length <= max || !label.includes(' ')) return [label];
	const mid = label.length / 2;
	let best = -1;
	for (let i = label.indexOf(' '); i !== -1; i = label.indexOf(' ', i + 1))
		if (best === -1 || Math.abs(i - mid) < Math.abs(best - mid)) best = i;
	return [label.slice(0, best), label.slice(best + 1)];
}

/** The activation funnel as the metric's details carry it (see `metrics/funnel.ts`). */
export interface FunnelData {
	entered: number;
	steps: {
		step: number;
		event: string;
		completed: number;
		conversion: { value: number | null };
		in_progress: number;
		drop_off: number | null;
	}[];
	cliff: string | null;
}

/**
 * The funnel as bars: accounts completing each step, with those still inside their window stacked on
 * top (shown apart, never subtracted), each step labelled with its conversion from the previous one, and
 * the cliff (the step with the largest drop-off) highlighted.
 */
export function funnelBars(funnel: FunnelData): BarInput {
	const cliff = funnel.cliff === null ? null : funnel.steps.findIndex((s) => s.event === funnel.cliff);
	return {
		categories: funnel.steps.map((s) => s.event),
		unit: 'count',
		highlight: cliff === -1 ? null : cliff,
		highlightColor: COLORS.cliff,
		highlightTag: 'Cliff',
		series: [
			{ name: 'Completed', values: funnel.steps.map((s) => s.completed), color: COLORS.accent, stack: 'accounts' },
			{
				name: 'Still in window',
				values: funnel.steps.map((s) => s.in_progress),
				color: COLORS.soft,
				stack: 'accounts',
				labels: funnel.steps.map((s, i) =>
					i === 0 ? `${formatNumber(s.completed)} entered` : `${formatNumber(s.completed)} · ${formatValue(s.conversion.value, 'rate')}`
				)
			}
		]
	};
}

/** Distinct colours for the series of a many-series chart (ticket topics), in order; they repeat past ten. */
export const SERIES_COLORS = [
	'#2f5bd3',
	'#d9730d',
	'#2e9e6b',
	'#8b5cf6',
	'#d64550',
	'#0f9bb5',
	'#b58b00',
	'#6b7a90',
	'#d45fb0',
	'#7f4f24'
] as const;

/** Counts per period for several series (e.g. tickets per week per topic), stacked. */
export interface StackedPeriodInput {
	/** Period starts, `YYYY-MM-DD`, in order; periods between them without rows are filled in with zeros. */
	periods: string[];
	/** One series per stacked part, its values aligned with `periods`. */
	series: { name: string; values: number[] }[];
	unit: Unit;
	grain?: 'day' | 'week' | 'month';
}

/**
 * Stacked bars per period: one colour per series, a legend on top, month labels on the axis (as the trend
 * lines have), and a tooltip listing the period's non-zero parts, largest first, with their total. A period
 * with no rows had none (a count), so it is a zero-height bar, not a gap. Empty with no series or no periods.
 */
export function stackedPeriodOptions(input: StackedPeriodInput): ChartSpec {
	const grain = input.grain ?? 'week';
	const groups = fillPeriods(
		input.periods.map((group) => ({ group, value: 0 })),
		grain
	).map((p) => p.group);
	const at = new Map(input.periods.map((p, i) => [p, i]));
	const values = input.series.map((s) => groups.map((g) => (at.has(g) ? (s.values[at.get(g)!] ?? 0) : 0)));
	const grainWord = grain === 'month' ? 'Month of' : grain === 'day' ? '' : 'Week of';
	return {
		empty: groups.length === 0 || input.series.length === 0,
		options: {
			animation: false,
			textStyle: { fontFamily: FONT },
			color: [...SERIES_COLORS],
			grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
			legend: { top: 0, left: 0, itemWidth: 12, itemHeight: 10, textStyle: { color: COLORS.muted, fontSize: 12 } },
			tooltip: {
				trigger: 'axis',
				axisPointer: { type: 'shadow' },
				formatter: (params: unknown) => {
					const i = ((Array.isArray(params) ? params : [params])[0] as { dataIndex?: number } | undefined)?.dataIndex ?? -1;
					if (!groups[i]) return '';
					const parts = input.series.map((s, k) => ({ name: s.name, v: values[k][i] })).filter((p) => p.v > 0);
					parts.sort((a, b) => b.v - a.v);
					const total = parts.reduce((a, p) => a + p.v, 0);
					return [
						`<strong>${[grainWord, periodLabel(groups[i])].filter(Boolean).join(' ')}</strong>: ${formatValue(total, input.unit)}`,
						...parts.map((p) => `${p.name}: ${formatValue(p.v, input.unit)}`)
					].join('<br>');
				}
			},
			xAxis: periodAxis(groups, true),
			yAxis: {
				type: 'value',
				axisLabel: { color: COLORS.muted, fontSize: 11, formatter: (v: number) => formatAxis(v, input.unit) },
				splitLine: { lineStyle: { color: COLORS.grid } }
			},
			series: input.series.map((s, k) => ({ name: s.name, type: 'bar', stack: 'total', barCategoryGap: '20%', data: values[k] }))
		}
	};
}
