import { error, json } from '@sveltejs/kit';
import { loadConfig } from '$lib/server/config/config.js';
import { metricsCsv } from '$lib/server/metrics/export.js';
import { filtersSchema } from '$lib/server/metrics/filters.js';
import { computeMetrics, metricById } from '$lib/server/metrics/registry.js';
import { readDatabase } from '../../db.server.js';
import type { RequestHandler } from './$types';

const FILTER_PARAMS = ['from', 'to', 'plan', 'segment', 'region', 'csm', 'cohort', 'as_of'];

/**
 * `GET /api/metrics?from=&to=&plan=&segment=&region=&csm=&cohort=&as_of=&metrics=a,b&format=csv`: the
 * metrics in the shape of `adoption metrics --json`, or as CSV. A bad parameter is a 400 naming it.
 */
export const GET: RequestHandler = async ({ url }) => {
	const unknown = [...url.searchParams.keys()].filter((k) => !FILTER_PARAMS.includes(k) && k !== 'metrics' && k !== 'format');
	if (unknown.length) error(400, `Unknown query parameter '${unknown[0]}': use ${[...FILTER_PARAMS, 'metrics', 'format'].join(', ')}.`);
	const raw = Object.fromEntries(FILTER_PARAMS.filter((k) => url.searchParams.get(k)).map((k) => [k === 'as_of' ? 'asOf' : k, url.searchParams.get(k)]));
	const parsed = filtersSchema.safeParse(raw);
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		error(400, `Query parameter '${String(issue.path[0]).replace('asOf', 'as_of')}': ${issue.message}.`);
	}
	const ids = url.searchParams.get('metrics')?.split(',').filter(Boolean);
	const bad = ids?.find((id) => !metricById(id));
	if (bad) error(400, `Unknown metric '${bad}'.`);
	const format = url.searchParams.get('format') ?? 'json';
	if (format !== 'json' && format !== 'csv') error(400, `Query parameter 'format' must be json or csv, not '${format}'.`);
	const report = await readDatabase((db) => computeMetrics(db.kysely, loadConfig(), parsed.data, ids));
	if (format === 'csv') {
		return new Response(metricsCsv(report), {
			headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="metrics.csv"' }
		});
	}
	return json(report);
};
