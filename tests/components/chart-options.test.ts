/**
 * The charts' ECharts options as objects: what each axis and series holds, the target line, the
 * interval band, the funnel's cliff, and the empty flag the Chart wrapper turns into its empty state.
 */
import { describe, expect, it } from 'vitest';
import {
	barOptions,
	COLORS,
	fillPeriods,
	funnelBars,
	isolatedPoints,
	monthLabels,
	monthTicks,
	niceStep,
	sparklineOptions,
	SPARKLINE_WEEKS,
	stackedPeriodOptions,
	trendOptions,
	valueExtent,
	wrapLabel,
	type ChartOptions,
	type FunnelData
} from '../../src/lib/components/charts/options.js';
import { heatmapOptions, type HeatmapRow } from '../../src/lib/components/charts/heatmap.js';
import type { TrendPoint } from '../../src/lib/components/kpi/kpi.js';

/** The options' parts, loosely typed for assertions. */
interface Loose {
	[key: string]: Loose;
	(...args: unknown[]): Loose;
}
const xAxis = (o: ChartOptions) => o.xAxis as Loose;
const yAxis = (o: ChartOptions) => o.yAxis as Loose;
const series = (o: ChartOptions) => o.series as Loose[];
const mainSeries = (o: ChartOptions) => series(o).find((s) => s.name !== '95 % CI low' && s.name !== '95 % CI')!;

const weeks: TrendPoint[] = [
	{ group: '2026-01-05', value: 0.42, low: 0.38, high: 0.46, n: 500 },
	{ group: '2026-01-12', value: 0.4, low: 0.36, high: 0.44, n: 480 },
	// 2026-01-19 has no rows at all
	{ group: '2026-01-26', value: null, n: 0 },
	{ group: '2026-02-02', value: 0.45, low: 0.41, high: 0.49, n: 510 }
];

describe('trendOptions', () => {
	it('puts one category per week on the x axis, filling weeks without rows as gaps', () => {
		const { options, empty } = trendOptions(weeks, { unit: 'rate', name: 'Deflection' });
		expect(empty).toBe(false);
		expect(xAxis(options).data).toEqual(['2026-01-05', '2026-01-12', '2026-01-19', '2026-01-26', '2026-02-02']);
		expect(mainSeries(options).data).toEqual([0.42, 0.4, null, null, 0.45]);
		expect(mainSeries(options).connectNulls).toBe(false);
	});

	it('draws the target as a dashed horizontal line labelled with the goal, inside the value axis', () => {
		const { options } = trendOptions(weeks, { unit: 'rate', target: 0.6, direction: 'higher' });
		const markLine = mainSeries(options).markLine;
		expect(markLine.data).toEqual([{ yAxis: 0.6, name: 'Target' }]);
		expect(markLine.lineStyle.type).toBe('dashed');
		expect(markLine.label.formatter).toBe('Target ≥\u00a060\u00a0%');
		// The axis reaches the target even though every value is below it, and stays within 0–100 %.
		expect(yAxis(options).max).toBeGreaterThanOrEqual(0.6);
		expect(yAxis(options).max).toBeLessThanOrEqual(1);
		expect(yAxis(options).min).toBeGreaterThanOrEqual(0);
		expect(yAxis(options).axisLabel.formatter(0.4)).toBe('40\u00a0%');
	});

	it('has no target line without a target, and says "lower" targets with ≤', () => {
		expect(mainSeries(trendOptions(weeks, { unit: 'rate' }).options).markLine).toBeUndefined();
		const lower = trendOptions(weeks, { unit: 'rate', target: 0.1, direction: 'lower' });
		expect(mainSeries(lower.options).markLine.label.formatter).toBe('Target ≤\u00a010\u00a0%');
	});

	it('shades the 95 % interval as a stacked band: the low end, then the width', () => {
		const { options } = trendOptions(weeks, { unit: 'rate' });
		const [low, width] = series(options);
		expect(low.stack).toBe('ci');
		expect(width.stack).toBe('ci');
		expect(low.data).toEqual([0.38, 0.36, null, null, 0.41]);
		expect(width.data.map((v: number | null) => (v === null ? null : Math.round(v * 100) / 100))).toEqual([0.08, 0.08, null, null, 0.08]);
		expect(width.areaStyle.color).toBe(COLORS.band);
		// Without intervals (a median, a count) or when asked, no band.
		expect(series(trendOptions(weeks, { unit: 'rate', band: false }).options)).toHaveLength(1);
		expect(series(trendOptions([{ group: '2026-01-05', value: 9.5 }], { unit: 'days' }).options)).toHaveLength(1);
	});

	it('tells the period, value and its basis in the tooltip', () => {
		const { options } = trendOptions(weeks, { unit: 'rate', name: 'Deflection' });
		const html = (options.tooltip as Loose).formatter([{ dataIndex: 0 }]);
		expect(html).toContain('Week of 5 Jan 2026');
		expect(html).toContain('Deflection: 42.0\u00a0%');
		expect(html).toContain('n = 500');
		expect(html).toContain('95\u00a0% CI 38\u2060–\u206046\u00a0%');
	});

	it('labels the axis by month, with the year where it changes', () => {
		const groups = fillPeriods([
			{ group: '2025-11-03', value: 1 },
			{ group: '2026-02-23', value: 1 }
		]).map((p) => p.group);
		const ticks = monthTicks(groups);
		expect(ticks.map((i) => groups[i])).toEqual(['2025-11-03', '2025-12-01', '2026-01-05', '2026-02-02']);
		expect([...monthLabels(groups, ticks).values()]).toEqual(['Nov 2025', 'Dec', 'Jan 2026', 'Feb']);
		const { options } = trendOptions(
			[
				{ group: '2025-11-03', value: 1 },
				{ group: '2026-02-23', value: 1 }
			],
			{ unit: 'count' }
		);
		expect(xAxis(options).axisLabel.interval(4)).toBe(true); // 2025-12-01
		expect(xAxis(options).axisLabel.interval(5)).toBe(false);
		expect(xAxis(options).axisLabel.formatter('2026-01-05', 9)).toBe('Jan 2026');
	});

	it('is empty when no period has a value', () => {
		expect(trendOptions([], { unit: 'rate', target: 0.4 }).empty).toBe(true);
		expect(trendOptions([{ group: '2026-01-05', value: null }], { unit: 'rate' }).empty).toBe(true);
		expect(trendOptions([{ group: '2026-01-05', value: 0 }], { unit: 'rate' }).empty).toBe(false);
	});
});

describe('sparklineOptions', () => {
	it('shows the last 26 weeks without axes, the target faint and unlabelled', () => {
		const many: TrendPoint[] = Array.from({ length: 40 }, (_, i) => ({
			group: new Date(Date.UTC(2026, 0, 5) + i * 7 * 86_400_000).toISOString().slice(0, 10),
			value: i / 100
		}));
		const { options, empty } = sparklineOptions(many, { unit: 'rate', target: 0.3, direction: 'higher' });
		expect(empty).toBe(false);
		expect(xAxis(options).show).toBe(false);
		expect(yAxis(options).show).toBe(false);
		expect(xAxis(options).data).toHaveLength(SPARKLINE_WEEKS);
		expect(series(options)[0].data[0]).toBe(0.14);
		expect(series(options)[0].markLine.data).toEqual([{ yAxis: 0.3, name: 'Target' }]);
		expect(series(options)[0].markLine.label.show).toBe(false);
	});

	it('is empty with fewer than two values', () => {
		expect(sparklineOptions([{ group: '2026-01-05', value: 0.4 }], { unit: 'rate' }).empty).toBe(true);
		expect(sparklineOptions([], { unit: 'rate' }).empty).toBe(true);
	});
});

const funnel: FunnelData = {
	entered: 300,
	cliff: 'Integration Connected',
	steps: [
		{ step: 1, event: 'Account Created', completed: 300, conversion: { value: 1 }, in_progress: 0, drop_off: null },
		{ step: 2, event: 'User Invited', completed: 252, conversion: { value: 0.84 }, in_progress: 18, drop_off: 0.16 },
		{ step: 3, event: 'Integration Connected', completed: 143, conversion: { value: 0.5675 }, in_progress: 45, drop_off: 0.4325 },
		{ step: 4, event: 'Workflow Triggered', completed: 126, conversion: { value: 0.881 }, in_progress: 4, drop_off: 0.119 }
	]
};

describe('funnel bars', () => {
	it('has a bar per step: completed, with those still in their window stacked on top', () => {
		const { options, empty } = barOptions(funnelBars(funnel));
		expect(empty).toBe(false);
		expect(xAxis(options).data).toEqual(['Account Created', 'User Invited', 'Integration Connected', 'Workflow Triggered']);
		const [completed, inWindow] = series(options);
		expect(completed.name).toBe('Completed');
		expect(completed.stack).toBe('accounts');
		expect(inWindow.stack).toBe('accounts');
		expect(inWindow.data).toEqual([0, 18, 45, 4]);
		expect(completed.data.map((d: number | Loose) => (typeof d === 'number' ? d : d.value))).toEqual([300, 252, 143, 126]);
	});

	it('marks the cliff: its bar in the cliff colour, its axis label bold with a "Cliff" tag', () => {
		const { options } = barOptions(funnelBars(funnel));
		const [completed, inWindow] = series(options);
		expect(completed.data[2]).toEqual({ value: 143, itemStyle: { color: COLORS.cliff } });
		expect(completed.data[1]).toBe(252);
		const label = xAxis(options).axisLabel.formatter('Integration Connected', 2);
		expect(label).toBe('{hi|Integration}\n{hi|Connected}\n{tag|Cliff}');
		expect(xAxis(options).axisLabel.formatter('User Invited', 1)).toBe('User Invited');
		// Each bar is labelled with its count and the conversion from the step before.
		expect(inWindow.label.formatter({ dataIndex: 0 })).toBe('300 entered');
		expect(inWindow.label.formatter({ dataIndex: 2 })).toBe('143 · 56.8\u00a0%');
	});

	it('marks nothing without a cliff, and is empty without steps or values', () => {
		const flat = barOptions(funnelBars({ ...funnel, cliff: null }));
		expect(series(flat.options)[0].data[2]).toBe(143);
		expect(barOptions(funnelBars({ entered: 0, cliff: null, steps: [] })).empty).toBe(true);
		expect(barOptions({ categories: ['a', 'b'], series: [{ name: 'x', values: [null, null] }], unit: 'count' }).empty).toBe(true);
	});
});

describe('helpers', () => {
	it('fills missing weeks and months between the first and last period', () => {
		expect(
			fillPeriods([
				{ group: '2026-01-26', value: 1 },
				{ group: '2026-01-05', value: 2 }
			]).map((p) => [p.group, p.value])
		).toEqual([
			['2026-01-05', 2],
			['2026-01-12', null],
			['2026-01-19', null],
			['2026-01-26', 1]
		]);
		expect(
			fillPeriods(
				[
					{ group: '2025-11-01', value: 1 },
					{ group: '2026-02-01', value: 2 }
				],
				'month'
			).map((p) => p.group)
		).toEqual(['2025-11-01', '2025-12-01', '2026-01-01', '2026-02-01']);
	});

	it('picks round ticks and keeps rates within 0–100 %', () => {
		expect(niceStep(0.37)).toBe(0.1);
		expect(niceStep(9)).toBe(2.5);
		expect(valueExtent([0.95, 0.99], 'rate', 0.8)).toEqual({ min: 0.7, max: 1, interval: 0.1 });
		expect(valueExtent([3.6, 3.9], 'score', 4)).toEqual({ min: 3.4, max: 4.2, interval: 0.2 });
		expect(valueExtent([-20, 10], 'nps').min).toBeLessThan(-20);
		// A 1–5 score's axis stops at 5 and 1, however noisy the weeks.
		expect(valueExtent([1, 5], 'score', 4, 5)).toMatchObject({ min: 1, max: 5 });
		expect(valueExtent([1, 5], 'score', 4).max).toBeGreaterThan(5);
		expect(valueExtent([], 'rate')).toEqual({ min: 0, max: 1, interval: 0.25 });
	});

	it('wraps long category names at the space nearest the middle', () => {
		expect(wrapLabel('Integration Connected')).toEqual(['Integration', 'Connected']);
		expect(wrapLabel('User Invited')).toEqual(['User Invited']);
	});
});

describe('isolated values', () => {
	it('get a dot, since a line between gaps cannot draw them', () => {
		const points: TrendPoint[] = [
			{ group: '2026-01-05', value: 0.4 },
			{ group: '2026-01-12', value: null },
			{ group: '2026-01-19', value: 0.5 },
			{ group: '2026-01-26', value: null },
			{ group: '2026-02-02', value: 0.45 },
			{ group: '2026-02-09', value: 0.47 }
		];
		expect([...isolatedPoints(points)]).toEqual([0, 2]);
		const line = mainSeries(trendOptions(points, { unit: 'rate' }).options);
		expect(line.showSymbol).toBe(true);
		expect(line.symbolSize(0.5, { dataIndex: 2 })).toBe(4);
		expect(line.symbolSize(0.45, { dataIndex: 4 })).toBe(0);
		expect(mainSeries(trendOptions(weeks.slice(0, 2), { unit: 'rate' }).options).showSymbol).toBe(false);
	});
});

describe('stackedPeriodOptions', () => {
	const input = {
		periods: ['2026-01-05', '2026-01-19'],
		series: [
			{ name: 'SSO', values: [3, 1] },
			{ name: 'Billing', values: [2, 0] }
		],
		unit: 'count' as const
	};

	it('stacks one series per part over every week, a week without rows as zeros', () => {
		const { options, empty } = stackedPeriodOptions(input);
		expect(empty).toBe(false);
		expect(xAxis(options).data).toEqual(['2026-01-05', '2026-01-12', '2026-01-19']);
		expect(series(options).map((s) => [s.name, s.type, s.stack, s.data])).toEqual([
			['SSO', 'bar', 'total', [3, 0, 1]],
			['Billing', 'bar', 'total', [2, 0, 0]]
		]);
		expect((options.legend as Loose).show).not.toBe(false);
	});

	it('lists a week’s non-zero parts, largest first, under its total', () => {
		const { options } = stackedPeriodOptions(input);
		const tip = (options.tooltip as Loose).formatter([{ dataIndex: 0 }]) as unknown as string;
		expect(tip).toBe('<strong>Week of 5 Jan 2026</strong>: 5<br>SSO: 3<br>Billing: 2');
		expect((options.tooltip as Loose).formatter([{ dataIndex: 2 }])).toBe('<strong>Week of 19 Jan 2026</strong>: 1<br>SSO: 1');
	});

	it('is empty without periods or series', () => {
		expect(stackedPeriodOptions({ ...input, periods: [] }).empty).toBe(true);
		expect(stackedPeriodOptions({ ...input, series: [] }).empty).toBe(true);
	});
});

describe('cohort heatmap', () => {
	// January: 4 accounts, both weeks observed. March: week 0 only; its week 1 has not ended for anyone (censored).
	const rows: HeatmapRow[] = [
		{
			cohort: '2024-01',
			accounts: 4,
			cells: [
				{ week: 0, value: 0.25, numerator: 1, denominator: 4 },
				{ week: 1, value: 0, numerator: 0, denominator: 4 }
			]
		},
		{
			cohort: '2024-03',
			accounts: 2,
			cells: [
				{ week: 0, value: 1, numerator: 2, denominator: 2 },
				{ week: 1, value: null, numerator: 0, denominator: 0 }
			]
		}
	];

	it('leaves censored cells out (blank, not 0 %) and keeps a real 0 %', () => {
		const { empty, options } = heatmapOptions({ rows, weeks: 2, name: 'Activated' });
		expect(empty).toBe(false);
		expect(series(options)[0].data).toEqual([
			[0, 0, 0.25],
			[1, 0, 0],
			[0, 1, 1]
		]);
		expect(xAxis(options).data).toEqual(['0', '1']);
		expect(yAxis(options).data).toEqual(['2024-01', '2024-03']);
		expect(yAxis(options).inverse).toBe(true); // the oldest cohort on top
		expect(options.visualMap).toMatchObject({ min: 0, max: 1, dimension: 2 });
	});

	it("shows each cell's share and n in its tooltip, and white labels on dark cells", () => {
		const { options } = heatmapOptions({ rows, weeks: 2, name: 'Activated' });
		const html = (options.tooltip as Loose).formatter({ dataIndex: 0 }) as unknown as string;
		expect(html).toContain('2024-01 cohort · week 0');
		expect(html).toContain('Activated: 25\u00a0%');
		expect(html).toContain('n = 1 of 4 accounts observable (cohort: 4)');
		const label = series(options)[0].label;
		expect(label.formatter({ dataIndex: 2 })).toBe('{dark|100}');
		expect(label.formatter({ dataIndex: 1 })).toBe('{light|0}');
	});

	it('is empty when no cell can be observed yet', () => {
		const young = [{ ...rows[1], cells: [{ week: 0, value: null, numerator: 0, denominator: 0 }] }];
		expect(heatmapOptions({ rows: young, weeks: 1, name: 'Active' }).empty).toBe(true);
	});
});
