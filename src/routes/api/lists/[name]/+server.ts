import { error, json } from '@sveltejs/kit';
import { loadConfig } from '$lib/server/config/config.js';
import { rowsCsv } from '$lib/server/metrics/export.js';
import { metricContext } from '$lib/server/metrics/context.js';
import { listById, runList } from '$lib/server/metrics/lists.js';
import { readCached } from '../../../db.server.js';
import { csvResponse, filtersFrom, formatFrom } from '../../metrics/query.js';
import type { RequestHandler } from './$types';

/** `GET /api/lists/<name>` (plus the metric filters and `format=csv`): a list people act on. */
export const GET: RequestHandler = async ({ url, params }) => {
	const list = listById(params.name);
	if (!list) error(404, `Unknown list '${params.name}'.`);
	const filters = filtersFrom(url, ['format']);
	const format = formatFrom(url);
	const config = loadConfig();
	const result = await readCached(['list', list.id, filters, config], async (db) =>
		runList(list, await metricContext(db.kysely, config, filters))
	);
	return format === 'csv' ? csvResponse(rowsCsv(result.rows), list.id) : json(result);
};
