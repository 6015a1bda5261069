import { error, json } from '@sveltejs/kit';
import { loadConfig } from '$lib/server/config/config.js';
import { metricsCsv } from '$lib/server/metrics/export.js';
import { readMemo } from '$lib/server/cache/reads.js';
import { computeMetrics, metricById } from '$lib/server/metrics/registry.js';
import { readCached } from '../../db.server.js';
import { csvResponse, filtersFrom, formatFrom } from './query.js';
import type { RequestHandler } from './$types';

/**
 * `GET /api/metrics?from=&to=&plan=&segment=&region=&csm=&cohort=&as_of=&metrics=a,b&format=csv`: the
 * metrics in the shape of `adoption metrics --json`, or as CSV. A bad parameter is a 400 naming it.
 */
export const GET: RequestHandler = async ({ url }) => {
	const filters = filtersFrom(url, ['metrics', 'format']);
	const format = formatFrom(url);
	const ids = url.searchParams.get('metrics')?.split(',').filter(Boolean);
	const bad = ids?.find((id) => !metricById(id));
	if (bad) error(400, `Query parameter 'metrics' names an unknown metric '${bad}': use ids from GET /api/metrics, comma-separated.`);
	const config = loadConfig();
	const report = await readCached(['metrics', filters, ids, config], async (db) =>
		computeMetrics(db.kysely, config, filters, ids, undefined, undefined, await readMemo(db))
	);
	return format === 'csv' ? csvResponse(metricsCsv(report), 'metrics') : json(report);
};
