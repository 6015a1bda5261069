/**
 * The cohort heatmap's options: signup cohorts down, weeks since signup across, each cell coloured by its
 * share. A cell no account of the cohort has reached yet (censored: the week has not ended by the end of
 * the data) gets no data item at all, so it stays blank rather than reading as 0 %. Built as a plain object
 * so it is tested without a browser (see `options.ts` for the shared conventions).
 */
import type { HeatmapSeriesOption } from 'echarts/charts';
import { formatNumber, formatPercent } from '../kpi/units.js';
import { COLORS, type ChartSpec } from './options.js';

/** One cohort's row as the cohort matrix gives it (see `metrics/cohorts.ts`). */
export interface HeatmapRow {
	cohort: string;
	accounts: number;
	cells: { week: number; value: number | null; numerator: number; denominator: number }[];
}

/** What the cells count, for the tooltip: `Activated` of `accounts`. */
export interface HeatmapInput {
	rows: HeatmapRow[];
	weeks: number;
	/** The share's name (`Activated`, `Active`). */
	name: string;
}

/** The app's font stack (app.css `--font`), as `options.ts` gives it to ECharts. */
const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Liberation Sans', sans-serif";
/** From no accounts to all: a pale tint of the accent to the accent itself. */
const RAMP = ['#eef2fc', '#b9c9f1', '#6f8fe0', COLORS.accent, '#1d3a8a'];
/** Shares above this get white text (the darker half of the ramp). */
const DARK_FROM = 0.6;
/** Beyond this many columns or rows the cells are too small for a label; the tooltip still has the number. */
const LABEL_LIMIT = { weeks: 16, rows: 30 };

/** One drawn cell: its position (week, row) and share, and the counts the tooltip shows. */
export interface HeatmapCell {
	week: number;
	row: number;
	value: number;
	numerator: number;
	denominator: number;
}

/** The cells with a value; censored cells (null, nobody's week has ended) are left out. */
export function heatmapCells(rows: HeatmapRow[]): HeatmapCell[] {
	return rows.flatMap((r, row) =>
		r.cells.flatMap((c) =>
			c.value === null ? [] : [{ week: c.week, row, value: c.value, numerator: c.numerator, denominator: c.denominator }]
		)
	);
}

/** A share with no decimals, for a cell's label (`45 %`). */
const cellLabel = (v: number) => `${Math.round(v * 100)}`;

/**
 * The heatmap: oldest cohort at the top (so the unobservable cells form the familiar lower-right
 * triangle), a continuous 0–100 % colour scale, labels in the cells when they fit, and each cell's share
 * and n (of how many accounts) in its tooltip. Empty when no cell has a value.
 */
export function heatmapOptions(input: HeatmapInput): ChartSpec {
	const cells = heatmapCells(input.rows);
	const labels = input.weeks <= LABEL_LIMIT.weeks && input.rows.length <= LABEL_LIMIT.rows;
	const series: HeatmapSeriesOption = {
		name: input.name,
		type: 'heatmap',
		data: cells.map((c) => [c.week, c.row, c.value]),
		itemStyle: { borderColor: '#ffffff', borderWidth: 1 },
		emphasis: { itemStyle: { borderColor: COLORS.text, borderWidth: 1 } },
		label: labels
			? {
					show: true,
					fontSize: 10,
					formatter: (p: { dataIndex: number }) => {
						const c = cells[p.dataIndex];
						return c ? `{${c.value >= DARK_FROM ? 'dark' : 'light'}|${cellLabel(c.value)}}` : '';
					},
					rich: { dark: { color: '#ffffff', fontSize: 10 }, light: { color: COLORS.text, fontSize: 10 } }
				}
			: { show: false }
	};
	return {
		empty: cells.length === 0,
		options: {
			animation: false,
			textStyle: { fontFamily: FONT },
			grid: { left: 8, right: 16, top: 36, bottom: 28, containLabel: true },
			tooltip: {
				trigger: 'item',
				formatter: (p: unknown) => {
					const c = cells[(p as { dataIndex?: number }).dataIndex ?? -1];
					if (!c) return '';
					const r = input.rows[c.row];
					return [
						`<strong>${r.cohort} cohort · week ${c.week}</strong>`,
						`${input.name}: ${formatPercent(c.value)}`,
						`<span style="color:${COLORS.muted}">n = ${formatNumber(c.numerator)} of ${formatNumber(c.denominator)} accounts observable (cohort: ${formatNumber(r.accounts)})</span>`
					].join('<br>');
				}
			},
			visualMap: {
				type: 'continuous',
				min: 0,
				max: 1,
				dimension: 2,
				calculable: false,
				orient: 'horizontal',
				top: 0,
				right: 16,
				itemWidth: 10,
				itemHeight: 120,
				text: ['100 %', '0 %'],
				textStyle: { color: COLORS.muted, fontSize: 11 },
				inRange: { color: RAMP }
			},
			xAxis: {
				type: 'category',
				data: Array.from({ length: input.weeks }, (_, w) => String(w)),
				name: 'Weeks since signup',
				nameLocation: 'middle',
				nameGap: 22,
				nameTextStyle: { color: COLORS.muted, fontSize: 11 },
				axisTick: { show: false },
				axisLine: { show: false },
				splitArea: { show: false },
				axisLabel: { color: COLORS.muted, fontSize: 11 }
			},
			yAxis: {
				type: 'category',
				data: input.rows.map((r) => r.cohort),
				inverse: true,
				axisTick: { show: false },
				axisLine: { show: false },
				axisLabel: {
					color: COLORS.muted,
					fontSize: 11,
					formatter: (cohort: string, i: number) => `${cohort}  {n|${formatNumber(input.rows[i]?.accounts)}}`,
					rich: { n: { color: COLORS.faint, fontSize: 10 } }
				}
			},
			series: [series]
		}
	};
}
