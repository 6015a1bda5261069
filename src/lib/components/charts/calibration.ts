/**
 * The calibration (reliability) chart's options: per bin of predicted probability, the mean prediction
 * against the share that actually churned, with the diagonal a calibrated model would sit on. Built as a
 * plain object so it is tested without a browser (see `options.ts` for the shared conventions).
 */
import type { LineSeriesOption } from 'echarts/charts';
import type { CalibrationBin } from '$lib/server/models/evaluations.js';
import { formatNumber } from '../kpi/units.js';
import { COLORS, niceStep, type ChartSpec } from './options.js';

/** One bin of the churn evaluation's calibration table, with the observed rate's 95 % interval when known (drawn as a whisker). */
export type CalibrationBinInput = CalibrationBin & { interval?: [number, number] | null };

/** The app's font stack (app.css `--font`), as `options.ts` gives it to ECharts. */
const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Liberation Sans', sans-serif";
const pct = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const pct1 = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const NBSP = '\u00a0';
/** Dot diameters in pixels: the smallest bin's and the largest's. */
const DOT = { min: 6, max: 22 };

/** A share as a percentage with one decimal (`12.7 %`). */
const share = (x: number) => `${pct1.format(x * 100)}${NBSP}%`;

/**
 * Both axes' upper end and tick step: the non-empty bins' upper edges and observed rates (at least 10 %),
 * rounded up to a round step, at most 100 %. Predictions seldom reach far up the scale; an axis to 100 %
 * would squeeze every dot into a corner.
 */
export function calibrationExtent(bins: CalibrationBinInput[]): { max: number; step: number } {
	const used = bins.filter((b) => b.count > 0);
	const top = Math.min(1, Math.max(0.1, ...used.map((b) => b.to), ...used.map((b) => b.observed_rate ?? 0)));
	const step = niceStep(top, 5);
	const max = Number((Math.ceil(top / step - 1e-9) * step).toPrecision(12));
	return { max: Math.min(1, max), step };
}

/**
 * A dot's diameter: its area grows with the bin's count (relative to the largest bin), so a bin of three
 * accounts, whose observed rate is mostly noise, looks as slight as it is.
 */
export function dotSize(count: number, largest: number): number {
	return largest > 0 ? Math.round(DOT.min + (DOT.max - DOT.min) * Math.sqrt(count / largest)) : DOT.min;
}

/**
 * The calibration chart: observed churn against mean predicted churn per non-empty bin (dots sized by
 * the bin's accounts and labelled with their number, each with its 95 % interval as a whisker), and the
 * dashed diagonal of perfect calibration, both axes on one 0–max scale. The dots are not joined: a line
 * would make a bin of one account as prominent as one of a thousand. Whiskers beyond the axes (which
 * follow the dots) are clipped. Empty bins are left out; the chart is empty when every bin is.
 */
export function calibrationOptions(bins: CalibrationBinInput[]): ChartSpec {
	const used = bins.filter(
		(b): b is CalibrationBinInput & { mean_predicted: number; observed_rate: number } =>
			b.count > 0 && b.mean_predicted !== null && b.observed_rate !== null
	);
	const { max, step } = calibrationExtent(used);
	const largest = Math.max(0, ...used.map((b) => b.count));
	const axis = (name: string, nameGap: number) => ({
		type: 'value' as const,
		min: 0,
		max,
		interval: step,
		name,
		nameLocation: 'middle' as const,
		nameGap,
		nameTextStyle: { color: COLORS.muted, fontSize: 12 },
		axisLine: { lineStyle: { color: COLORS.grid } },
		axisLabel: { color: COLORS.muted, fontSize: 11, formatter: (v: number) => `${pct.format(v * 100)}${NBSP}%` },
		splitLine: { lineStyle: { color: COLORS.grid } }
	});
	const diagonal: LineSeriesOption = {
		name: 'Perfect calibration',
		type: 'line',
		data: [
			[0, 0],
			[max, max]
		],
		symbol: 'none',
		silent: true,
		lineStyle: { color: COLORS.faint, type: 'dashed', width: 1 },
		tooltip: { show: false },
		z: 1
	};
	// One two-point line per bin: with only line series registered (echarts.ts), that is a whisker.
	const whiskers: LineSeriesOption[] = used.flatMap((b) =>
		b.interval
			? [
					{
						name: `95 % interval, bin ${b.bin}`,
						type: 'line',
						data: [
							[b.mean_predicted, b.interval[0]],
							[b.mean_predicted, b.interval[1]]
						],
						symbol: 'none',
						silent: true,
						clip: true,
						lineStyle: { color: COLORS.soft, width: 2 },
						tooltip: { show: false },
						z: 2
					} satisfies LineSeriesOption
				]
			: []
	);
	// A line series drawn as dots only: the scatter chart is not registered either.
	const observed: LineSeriesOption = {
		name: 'Observed churn',
		type: 'line',
		data: used.map((b) => ({ value: [b.mean_predicted, b.observed_rate], symbolSize: dotSize(b.count, largest) })),
		symbol: 'circle',
		showSymbol: true,
		lineStyle: { opacity: 0 },
		itemStyle: { color: COLORS.accent, borderColor: '#ffffff', borderWidth: 1 },
		label: {
			show: true,
			position: 'right',
			distance: 8,
			color: COLORS.muted,
			fontSize: 11,
			// Just the count: neighbouring bins' labels would collide with an "n = " in front.
			formatter: (p: { dataIndex: number }) => formatNumber(used[p.dataIndex]?.count)
		},
		z: 3
	};
	return {
		empty: used.length === 0,
		options: {
			animation: false,
			textStyle: { fontFamily: FONT },
			// containLabel leaves room for the tick labels only: the bottom and left margins hold the axis names.
			grid: { left: 28, right: 40, top: 16, bottom: 30, containLabel: true },
			legend: { show: false },
			tooltip: {
				trigger: 'item',
				formatter: (p: unknown) => {
					const item = p as { seriesName?: string; dataIndex?: number };
					const b = item.seriesName === observed.name ? used[item.dataIndex ?? -1] : undefined;
					if (!b) return '';
					const ci = b.interval
						? ` (95${NBSP}% interval ${pct.format(b.interval[0] * 100)}–${pct.format(b.interval[1] * 100)}${NBSP}%)`
						: '';
					return [
						`<strong>Predicted ${pct.format(b.from * 100)}–${pct.format(b.to * 100)}${NBSP}%</strong>`,
						`${formatNumber(b.count)} ${b.count === 1 ? 'account' : 'accounts'}`,
						`Mean predicted: ${share(b.mean_predicted)}`,
						`Observed churn: ${share(b.observed_rate)}${ci}`
					].join('<br>');
				}
			},
			xAxis: axis('Predicted churn probability', 26),
			yAxis: axis('Observed churn rate', 44),
			series: [diagonal, ...whiskers, observed]
		}
	};
}
