import { error, json } from '@sveltejs/kit';
import { loadConfig } from '$lib/server/config/config.js';
import { cohortMatrix, ttfvDistribution } from '$lib/server/metrics/cohorts.js';
import { metricContext } from '$lib/server/metrics/context.js';
import { readCached } from '../../../db.server.js';
import { intParam } from '../../../params.js';
import { filtersFrom } from '../../metrics/query.js';
import type { RequestHandler } from './$types';

/** `GET /api/cohorts/activation|retention|ttfv?weeks=12` (plus the metric filters): signup-month cohort tables. */
export const GET: RequestHandler = async ({ url, params }) => {
	const view = params.view;
	if (view !== 'activation' && view !== 'retention' && view !== 'ttfv')
		error(404, `Unknown cohort view '${view}': use activation, retention or ttfv.`);
	const filters = filtersFrom(url, ['weeks']);
	const weeks = intParam(url, 'weeks', { min: 1, max: 104 }) ?? 12;
	const config = loadConfig();
	const body = await readCached(['cohorts', view, weeks, filters, config], async (db) => {
		const ctx = await metricContext(db.kysely, config, filters);
		const data = view === 'ttfv' ? await ttfvDistribution(ctx) : await cohortMatrix(ctx, view, weeks);
		return { view, range: ctx.range, filters, ...data };
	});
	return json(body);
};
