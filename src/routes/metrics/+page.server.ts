import { readMemo } from '$lib/server/cache/reads.js';
import { loadConfig } from '$lib/server/config/config.js';
import { TablesRepository } from '$lib/server/db/repositories/tables.repository.js';
import { filterOptions } from '$lib/server/metrics/filters.js';
import { LISTS } from '$lib/server/metrics/lists.js';
import { describeMetric } from '$lib/server/metrics/describe.js';
import { FAMILIES } from '$lib/server/metrics/metric.js';
import { trendPoints } from '$lib/server/metrics/summary.js';
import { computeMetrics, METRICS, metricById } from '$lib/server/metrics/registry.js';
import type { MetricSummary, TrendPoint } from '$lib/components/kpi/kpi.js';
import type { FunnelData } from '$lib/components/charts/options.js';
import { readCached } from '../db.server.js';
import { KPI_IDS, TRENDED_IDS } from './dashboard.js';
import { parseFilters } from './filters.server.js';
import type { PageServerLoad } from './$types';

/**
 * The metrics dashboard: every metric under the filters with its weekly trend (one pass of the engine),
 * the KPIs' targets from the config, the funnel, and the lists to act on. A bad filter value is shown on
 * the page (with the filter bar, to fix it), not thrown; a database that cannot be opened is the 503 page.
 */
export const load: PageServerLoad = async ({ url }) => {
	const parsed = parseFilters(url);
	const config = loadConfig();
	const lists = LISTS.map(({ id, label, description }) => ({ id, label, description }));
	return readCached(['metrics-page', parsed.values, config], async (db) => {
		const [options, span] = await Promise.all([filterOptions(db.kysely), new TablesRepository(db.kysely).dataRange()]);
		const base = { values: parsed.values, options, lists, span };
		if (parsed.error !== null) return { ...base, error: parsed.error, report: null };

		const report = await computeMetrics(db.kysely, config, parsed.filters, undefined, { trend: 'week' }, TRENDED_IDS, await readMemo(db));
		const metrics: MetricSummary[] = METRICS.map((m) => describeMetric(m, config, report[m.id], report.details[m.id]));
		const trends: Record<string, TrendPoint[]> = {};
		for (const id of KPI_IDS) {
			const groups = report.groups?.[id];
			const def = metricById(id);
			if (groups && def) trends[id] = trendPoints(def, groups);
		}
		return {
			...base,
			error: null,
			report: {
				range: report.range,
				/** Nothing to measure: no events, tickets, searches or surveys are loaded. */
				empty: report.range.end_of_data === null,
				metrics,
				/** The families in the order the table groups the other metrics. */
				families: Object.keys(FAMILIES),
				trends,
				funnel: report.details.activation_cliff_step as FunnelData
			}
		};
	});
};
