import { readMemo } from '$lib/server/cache/reads.js';
import { loadConfig } from '$lib/server/config/config.js';
import { TablesRepository } from '$lib/server/db/repositories/tables.repository.js';
import { BREAKDOWN_METRICS, explorePage } from '$lib/server/metrics/explore.js';
import { filterOptions } from '$lib/server/metrics/filters.js';
import { readCached } from '../db.server.js';
import { parseCohortParams } from './params.server.js';
import type { PageServerLoad } from './$types';

/**
 * The cohorts page: signup-cohort heatmaps, TTFV per cohort, the funnel per group, a breakdown and two
 * segments compared, under the metric filters. A bad parameter is shown on the page, naming it, not thrown.
 */
export const load: PageServerLoad = async ({ url }) => {
	const parsed = parseCohortParams(url);
	const config = loadConfig();
	const metrics = BREAKDOWN_METRICS.map((m) => ({ id: m.id, label: m.label }));
	return readCached(['cohorts-page', parsed.values, config], async (db) => {
		const [options, span] = await Promise.all([filterOptions(db.kysely), new TablesRepository(db.kysely).dataRange()]);
		const base = { values: parsed.values, options, span, metrics };
		if (parsed.error !== null) return { ...base, error: parsed.error, page: null };
		return { ...base, error: null, page: await explorePage(db.kysely, config, parsed.selection, await readMemo(db)) };
	});
};
