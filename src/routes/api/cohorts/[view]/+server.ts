import { error, json } from '@sveltejs/kit';
import { loadConfig } from '$lib/server/config/config.js';
import { COHORT_VIEWS, cohortsDoc, type CohortView } from '$lib/server/jobs/reads.js';
import { readCached } from '../../../db.server.js';
import { intParam } from '../../../params.js';
import { filtersFrom } from '../../metrics/query.js';
import type { RequestHandler } from './$types';

/** `GET /api/cohorts/activation|retention|ttfv?weeks=12` (plus the metric filters): signup-month cohort tables. */
export const GET: RequestHandler = async ({ url, params }) => {
	const view = params.view as CohortView;
	if (!COHORT_VIEWS.includes(view)) error(404, `Unknown cohort view '${view}': use activation, retention or ttfv.`);
	const filters = filtersFrom(url, ['weeks']);
	const weeks = intParam(url, 'weeks', { min: 1, max: 104 }) ?? 12;
	const config = loadConfig();
	const body = await readCached(['cohorts', view, weeks, filters, config], (db) => cohortsDoc(db, config, view, weeks, filters));
	return json(body);
};
