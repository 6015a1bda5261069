import { readMemo } from '$lib/server/cache/reads.js';
import { loadConfig } from '$lib/server/config/config.js';
import { TablesRepository } from '$lib/server/db/repositories/tables.repository.js';
import { knowledgeReport } from '$lib/server/knowledge/knowledge.js';
import { metricContext } from '$lib/server/metrics/context.js';
import { filterOptions } from '$lib/server/metrics/filters.js';
import { readCached } from '../db.server.js';
import { parseFilters } from '../metrics/filters.server.js';
import type { PageServerLoad } from './$types';

/**
 * Knowledge base & search under the metrics filters (see `knowledge/knowledge.ts`). A bad filter value is
 * shown on the page with the filter bar, not thrown; a database that cannot be opened is the 503 page.
 */
export const load: PageServerLoad = async ({ url }) => {
	const parsed = parseFilters(url);
	const config = loadConfig();
	return readCached(['knowledge-page', parsed.values, config], async (db) => {
		const [options, span] = await Promise.all([filterOptions(db.kysely), new TablesRepository(db.kysely).dataRange()]);
		const base = { values: parsed.values, options, span };
		if (parsed.error !== null) return { ...base, error: parsed.error, report: null };
		const ctx = await metricContext(db.kysely, config, parsed.filters);
		const report = await knowledgeReport(ctx, await readMemo(db));
		return { ...base, error: null, report: { ...report, range: ctx.range, empty: ctx.range.end_of_data === null } };
	});
};
