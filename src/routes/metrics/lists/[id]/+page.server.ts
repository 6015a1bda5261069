import { error } from '@sveltejs/kit';
import { loadConfig } from '$lib/server/config/config.js';
import { TablesRepository } from '$lib/server/db/repositories/tables.repository.js';
import { metricContext } from '$lib/server/metrics/context.js';
import { filterOptions } from '$lib/server/metrics/filters.js';
import { listById, runList } from '$lib/server/metrics/lists.js';
import { readCached } from '../../../db.server.js';
import { parseFilters } from '../../filters.server.js';
import type { PageServerLoad } from './$types';

/** One list to act on, as a table, under the same filters as the dashboard (a bad value is shown, not thrown). */
export const load: PageServerLoad = async ({ url, params }) => {
	const list = listById(params.id);
	if (!list) error(404, `There is no list '${params.id}'.`);
	const parsed = parseFilters(url);
	const config = loadConfig();
	const meta = { id: list.id, label: list.label, description: list.description };
	return readCached(['list-page', list.id, parsed.values, config], async (db) => {
		const [options, span] = await Promise.all([filterOptions(db.kysely), new TablesRepository(db.kysely).dataRange()]);
		const base = { list: meta, values: parsed.values, options, span };
		if (parsed.error !== null) return { ...base, error: parsed.error, result: null };
		const result = await runList(list, await metricContext(db.kysely, config, parsed.filters));
		return { ...base, error: null, result: { range: result.range, rows: result.rows } };
	});
};
