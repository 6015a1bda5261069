/**
 * What a chart's CSV download holds (the builder's own table, or the category axis and the series a
 * reader sees), its quoting and file names, and the account page's risk history chart.
 */
import { describe, expect, it } from 'vitest';
import { chartTable, fileStem, tableCsv } from '../../src/lib/components/charts/export.js';
import { barOptions, trendOptions } from '../../src/lib/components/charts/options.js';
import { riskHistoryOptions } from '../../src/lib/components/charts/risk-history.js';

describe('a chart’s data for its CSV download', () => {
	it('takes a trend’s periods and values, leaving out the shaded interval’s helper series', () => {
		const spec = trendOptions(
			[
				{ group: '2026-01-05', value: 0.5, low: 0.4, high: 0.6 },
				{ group: '2026-01-19', value: 0.25, low: 0.2, high: 0.3 }
			],
			{ unit: 'rate', name: 'Deflection rate' }
		);
		// The week without rows is a gap in the line and an empty cell in the file.
		expect(chartTable(spec)).toEqual({
			columns: ['category', 'Deflection rate'],
			rows: [
				['2026-01-05', 0.5],
				['2026-01-12', null],
				['2026-01-19', 0.25]
			]
		});
	});

	it('takes bars’ categories and every stacked series', () => {
		const spec = barOptions({
			categories: ['Signed up', 'Invited'],
			unit: 'count',
			highlight: 1,
			series: [
				{ name: 'Completed', values: [10, 6] },
				{ name: 'In progress', values: [0, 2] }
			]
		});
		// The highlighted bar is an ECharts data item ({value, itemStyle}): its value is what the file holds.
		expect(chartTable(spec)).toEqual({
			columns: ['category', 'Completed', 'In progress'],
			rows: [
				['Signed up', 10, 0],
				['Invited', 6, 2]
			]
		});
	});

	it('writes RFC 4180 CSV and names files after the chart', () => {
		expect(
			tableCsv({
				columns: ['page', 'views'],
				rows: [
					['/a,b', 3],
					['say "hi"', null]
				]
			})
		).toBe('page,views\n"/a,b",3\n"say ""hi""",\n');
		expect(fileStem('Churn probability and health of Acme, Inc. by scoring run')).toBe(
			'churn-probability-and-health-of-acme-inc-by-scoring-run'
		);
		expect(fileStem('—')).toBe('chart');
	});
});

describe('an account’s risk history chart', () => {
	const runs = [
		{ as_of: '2026-09-01T00:00:00.000Z', churn_probability: 0.123, health: 41.6, version: 'v1' },
		{ as_of: '2026-10-31T00:00:00.000Z', churn_probability: 0.2, health: null, version: 'v2' }
	];

	it('plots both lines on one 0–100 scale, one point per run, a missing health as a gap', () => {
		const spec = riskHistoryOptions(runs);
		expect(spec.empty).toBe(false);
		const series = spec.options.series as { name: string; data: (number | null)[] }[];
		expect(series.map((s) => [s.name, s.data])).toEqual([
			['Churn probability (%)', [12.3, 20]],
			['Health (0–100)', [42, null]]
		]);
		expect(spec.options.yAxis).toMatchObject({ min: 0, max: 100 });
		expect(spec.data).toEqual({
			columns: ['as_of', 'churn_probability_pct', 'health', 'model_version'],
			rows: [
				['2026-09-01', 12.3, 42, 'v1'],
				['2026-10-31', 20, null, 'v2']
			]
		});
	});

	it('is empty before the first scoring run', () => {
		expect(riskHistoryOptions([]).empty).toBe(true);
	});
});
