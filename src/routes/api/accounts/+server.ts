import { error, json } from '@sveltejs/kit';
import { worklistCsv, worklistParquet } from '$lib/server/scores/export.js';
import { parseWorklistFilters, parseWorklistOrder, worklistFilterValues, WORKLIST_FILTER_KEYS } from '$lib/server/scores/filters.js';
import { ScoresRepository } from '$lib/server/scores/repository.js';
import { WORKLIST_PAGE_SIZE } from '../../accounts/query.js';
import { readCached } from '../../db.server.js';
import { intParam, MAX_LIMIT } from '../../params.js';
import { csvResponse, formatFrom, parquetResponse } from '../metrics/query.js';
import type { RequestHandler } from './$types';

const ALLOWED = [...WORKLIST_FILTER_KEYS, 'sort', 'dir', 'limit', 'offset', 'format'];

/**
 * `GET /api/accounts?band=&csm=&plan=&segment=&region=&q=&sort=&dir=&limit=&offset=&format=csv|parquet`: the
 * at-risk worklist of the latest scoring run, by default largest expected ARR at risk first (`sort=risk`:
 * riskiest first; see `WORKLIST_SORTS`), as `{as_of, model, version, filters, order, summary, thresholds,
 * total, limit, offset, rows}`. JSON pages by `limit` (default 50); CSV and Parquet (for notebooks: typed
 * columns) are every matching account unless `limit` is given, since a download is the whole list. A bad parameter is a 400 naming it.
 */
export const GET: RequestHandler = async ({ url }) => {
	const unknown = [...url.searchParams.keys()].find((k) => !ALLOWED.includes(k));
	if (unknown) error(400, `Unknown query parameter '${unknown}': use ${ALLOWED.join(', ')}.`);
	const parsed = parseWorklistFilters(worklistFilterValues(url));
	if (parsed.error) error(400, `Query parameter '${parsed.error.key}': ${parsed.error.message}.`);
	const ordered = parseWorklistOrder(url);
	if (ordered.error) error(400, `Query parameter '${ordered.error.key}': ${ordered.error.message}.`);
	const order = ordered.order;
	const format = formatFrom(url, ['json', 'csv', 'parquet'] as const);
	const limit = intParam(url, 'limit', { min: 1, max: MAX_LIMIT }) ?? (format === 'json' ? WORKLIST_PAGE_SIZE : null);
	const offset = intParam(url, 'offset') ?? 0;
	const filters = parsed.filters;

	const body = await readCached(['accounts', filters, order, limit, offset], async (db) => {
		const scores = new ScoresRepository(db.kysely);
		const run = await scores.latestRun();
		if (!run) return { run, summary: null, thresholds: null, total: 0, rows: [] };
		const [summary, thresholds, list] = await Promise.all([
			scores.summary(run.as_of, filters),
			scores.thresholds(run.as_of),
			scores.list(run.as_of, filters, { limit, offset }, order)
		]);
		return { run, summary, thresholds, ...list };
	});
	if (format === 'csv') return csvResponse(worklistCsv(body.rows, body.run), 'accounts');
	if (format === 'parquet') return parquetResponse(await worklistParquet(body.rows, body.run), 'accounts');
	const { run, summary, thresholds, total, rows } = body;
	return json({
		as_of: run?.as_of ?? null,
		model: run?.model ?? null,
		version: run?.version ?? null,
		filters,
		order,
		summary,
		thresholds,
		total,
		limit,
		offset,
		rows
	});
};
