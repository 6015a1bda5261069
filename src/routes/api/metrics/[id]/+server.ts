import { error, json } from '@sveltejs/kit';
import { readMemo } from '$lib/server/cache/reads.js';
import { loadConfig } from '$lib/server/config/config.js';
import { DIMENSIONS, GRAINS, type GroupBy } from '$lib/server/metrics/engine.js';
import { groupsCsv } from '$lib/server/metrics/export.js';
import { metricContext } from '$lib/server/metrics/context.js';
import { metricById, metricResult } from '$lib/server/metrics/registry.js';
import { readCached } from '../../../db.server.js';
import { csvResponse, filtersFrom, formatFrom } from '../query.js';
import type { RequestHandler } from './$types';

/**
 * `GET /api/metrics/<id>?trend=day|week|month` or `?by=plan|segment|region|csm|cohort` (plus the filters
 * and `format=csv`): one metric with its definition, overall and, when asked, per period or per group.
 */
export const GET: RequestHandler = async ({ url, params }) => {
	const def = metricById(params.id);
	if (!def) error(404, `Unknown metric '${params.id}'.`);
	const filters = filtersFrom(url, ['trend', 'by', 'format']);
	const format = formatFrom(url);
	const trend = url.searchParams.get('trend');
	const by = url.searchParams.get('by');
	if (trend && by) error(400, `Ask for either 'trend' or 'by', not both.`);
	if (trend && !(GRAINS as readonly string[]).includes(trend))
		error(400, `Query parameter 'trend' must be one of ${GRAINS.join(', ')}, not '${trend}'.`);
	if (by && !(DIMENSIONS as readonly string[]).includes(by))
		error(400, `Query parameter 'by' must be one of ${DIMENSIONS.join(', ')}, not '${by}'.`);
	const group = (trend ? { trend } : by ? { by } : undefined) as GroupBy | undefined;
	const config = loadConfig();
	const body = await readCached(['metric', def.id, filters, group, config], async (db) => {
		const ctx = await metricContext(db.kysely, config, filters);
		// Shared with the dashboard and /api/metrics under the same filters (one grouped pass gives both).
		const { r: overall, groups } = await metricResult(def, ctx, group, await readMemo(db));
		const definition = {
			id: def.id,
			label: def.label,
			family: def.family,
			formula: def.formula(config),
			unit: def.unit,
			direction: def.direction,
			scale: def.scale ?? null
		};
		return { metric: definition, range: ctx.range, filters, ...overall, ...(group ? { group, groups } : {}) };
	});
	if (format === 'csv') {
		if (!body.groups) error(400, `CSV of one metric needs 'trend' or 'by'; use /api/metrics?format=csv for the overview.`);
		return csvResponse(groupsCsv(def, body.groups), `${def.id}-${trend ?? by}`);
	}
	return json(body);
};
