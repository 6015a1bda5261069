/**
 * The calibration chart's ECharts options as an object: the dots per non-empty bin sized by their
 * counts and labelled with them, the 95 % whiskers, the diagonal, the shared axes, the tooltip and the
 * empty flag the Chart wrapper turns into its empty state.
 */
import { describe, expect, it } from 'vitest';
import { calibrationExtent, calibrationOptions, dotSize, type CalibrationBinInput } from '../../src/lib/components/charts/calibration.js';
import type { ChartOptions } from '../../src/lib/components/charts/options.js';

/** The options' parts, loosely typed for assertions. */
interface Loose {
	[key: string]: Loose;
	(...args: unknown[]): Loose;
}
const series = (o: ChartOptions) => o.series as Loose[];
const named = (o: ChartOptions, name: string) => series(o).find((s) => s.name === name)!;

const bin = (
	b: number,
	count: number,
	mean: number | null,
	observed: number | null,
	interval: [number, number] | null = null
): CalibrationBinInput => ({
	bin: b,
	from: (b - 1) / 10,
	to: b / 10,
	count,
	mean_predicted: mean,
	observed_rate: observed,
	interval
});

// As `trainChurn` saves them, with most bins empty (predictions rarely reach far up the scale).
const bins: CalibrationBinInput[] = [
	bin(1, 1044, 0.052, 0.057, [0.044, 0.073]),
	bin(2, 205, 0.127, 0.137, [0.096, 0.191]),
	bin(3, 16, 0.228, 0.125, [0.035, 0.36]),
	bin(4, 0, null, null),
	bin(5, 1, 0.428, 1, [0.207, 1]),
	...[6, 7, 8, 9, 10].map((b) => bin(b, 0, null, null))
];

describe('calibrationOptions', () => {
	it('plots observed against mean predicted churn for each non-empty bin, dots only', () => {
		const { options, empty } = calibrationOptions(bins);
		expect(empty).toBe(false);
		const observed = named(options, 'Observed churn');
		expect(observed.type).toBe('line');
		expect(observed.data.map((d: Loose) => d.value)).toEqual([
			[0.052, 0.057],
			[0.127, 0.137],
			[0.228, 0.125],
			[0.428, 1]
		]);
		// Not joined: a line would give the one-account bin as much ink as the 1,044-account one.
		expect(observed.lineStyle.opacity).toBe(0);
		expect(observed.showSymbol).toBe(true);
	});

	it('sizes each dot by its bin’s count and labels it with the count', () => {
		const { options } = calibrationOptions(bins);
		const observed = named(options, 'Observed churn');
		const sizes = (observed.data as unknown as Loose[]).map((d) => d.symbolSize as unknown as number);
		expect(sizes[0]).toBe(22);
		expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
		expect(sizes[3]).toBe(dotSize(1, 1044));
		expect(observed.label.show).toBe(true);
		expect([0, 1, 2, 3].map((i) => observed.label.formatter({ dataIndex: i }))).toEqual(['1,044', '205', '16', '1']);
	});

	it('draws the diagonal of perfect calibration across the shared axes', () => {
		const { options } = calibrationOptions(bins);
		const diagonal = named(options, 'Perfect calibration');
		expect(diagonal.data).toEqual([
			[0, 0],
			[1, 1]
		]);
		expect(diagonal.lineStyle.type).toBe('dashed');
		expect(diagonal.tooltip.show).toBe(false);
		const [x, y] = [options.xAxis as Loose, options.yAxis as Loose];
		expect([x.type, x.min, x.max, x.interval]).toEqual(['value', 0, 1, 0.2]);
		expect([y.min, y.max, y.interval]).toEqual([0, 1, 0.2]);
		expect(x.name).toBe('Predicted churn probability');
		expect(y.name).toBe('Observed churn rate');
		expect(x.axisLabel.formatter(0.4)).toBe('40\u00a0%');
	});

	it('gives each bin with an interval a vertical whisker, clipped to the axes', () => {
		const { options } = calibrationOptions(bins);
		const whiskers = series(options).filter((s) => s.name.startsWith('95 % interval'));
		expect(whiskers).toHaveLength(4);
		expect(whiskers[2].data).toEqual([
			[0.228, 0.035],
			[0.228, 0.36]
		]);
		expect(whiskers.every((w) => w.silent && w.clip && (w.symbol as unknown) === 'none')).toBe(true);
		// Without intervals, no whiskers.
		const plain = calibrationOptions(bins.map((b) => ({ ...b, interval: null })));
		expect(series(plain.options).map((s) => s.name)).toEqual(['Perfect calibration', 'Observed churn']);
	});

	it('ends both axes just above the data, so the dots are not squeezed into a corner', () => {
		const low = bins.filter((b) => b.bin <= 3);
		// The top bin with accounts ends at 30 %.
		expect(calibrationExtent(low)).toEqual({ max: 0.3, step: 0.1 });
		const { options } = calibrationOptions(low);
		expect(named(options, 'Perfect calibration').data).toEqual([
			[0, 0],
			[0.3, 0.3]
		]);
		expect((options.yAxis as Loose).max).toBe(0.3);
		// A tiny range still gets a 10 % scale, and nothing goes past 100 %.
		expect(calibrationExtent([bin(1, 50, 0.01, 0.02)]).max).toBe(0.1);
		expect(calibrationExtent([bin(10, 5, 0.95, 1)]).max).toBe(1);
	});

	it('explains a dot in its tooltip: the bin, its accounts, predicted and observed with the interval', () => {
		const { options } = calibrationOptions(bins);
		const formatter = (options.tooltip as Loose).formatter;
		const text = formatter({ seriesName: 'Observed churn', dataIndex: 1 });
		expect(text).toContain('Predicted 10–20\u00a0%');
		expect(text).toContain('205 accounts');
		expect(text).toContain('Mean predicted: 12.7\u00a0%');
		expect(text).toContain('Observed churn: 13.7\u00a0% (95\u00a0% interval 10–19\u00a0%)');
		expect(formatter({ seriesName: 'Observed churn', dataIndex: 3 })).toContain('1 account<br>');
		expect(formatter({ seriesName: 'Perfect calibration', dataIndex: 0 })).toBe('');
	});

	it('is empty when no bin has accounts', () => {
		expect(calibrationOptions(bins.map((b) => ({ ...b, count: 0, mean_predicted: null, observed_rate: null }))).empty).toBe(true);
		expect(calibrationOptions([]).empty).toBe(true);
	});
});
