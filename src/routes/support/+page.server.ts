import { readMemo } from '$lib/server/cache/reads.js';
import { loadConfig } from '$lib/server/config/config.js';
import { TablesRepository } from '$lib/server/db/repositories/tables.repository.js';
import { metricContext } from '$lib/server/metrics/context.js';
import { filterOptions } from '$lib/server/metrics/filters.js';
import { supportReport } from '$lib/server/support/support.js';
import { readCached } from '../db.server.js';
import { parseFilters } from '../metrics/filters.server.js';
import type { PageServerLoad } from './$types';

/**
 * Tickets & bot under the metrics filters (see `support/support.ts`). A bad filter value is shown on the
 * page with the filter bar, not thrown; a database that cannot be opened is the 503 page.
 */
export const load: PageServerLoad = async ({ url }) => {
	const parsed = parseFilters(url);
	const config = loadConfig();
	return readCached(['support-page', parsed.values, config], async (db) => {
		const [options, span] = await Promise.all([filterOptions(db.kysely), new TablesRepository(db.kysely).dataRange()]);
		const base = { values: parsed.values, options, span, confusion: config.confusion, repeatAutomation: config.repeatAutomation };
		if (parsed.error !== null) return { ...base, error: parsed.error, report: null };
		const ctx = await metricContext(db.kysely, config, parsed.filters);
		const report = await supportReport(ctx, await readMemo(db));
		return { ...base, error: null, report: { ...report, range: ctx.range, empty: ctx.range.end_of_data === null } };
	});
};
