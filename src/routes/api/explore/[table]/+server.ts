import { error, json } from '@sveltejs/kit';
import { readMemo } from '$lib/server/cache/reads.js';
import { loadConfig } from '$lib/server/config/config.js';
import { rowsCsv } from '$lib/server/metrics/export.js';
import { EXPLORE_TABLES, exploreRows, type ExploreTable } from '$lib/server/metrics/explore.js';
import { FILTER_KEYS } from '../../../metrics/query.js';
import { CHOICE_KEYS, SIDES } from '../../../cohorts/params.js';
import { parseCohortParams } from '../../../cohorts/params.server.js';
import { readCached } from '../../../db.server.js';
import { csvResponse, formatFrom } from '../../metrics/query.js';
import type { RequestHandler } from './$types';

const ALLOWED = [...FILTER_KEYS, ...CHOICE_KEYS, ...SIDES.flatMap((s) => FILTER_KEYS.map((k) => `${s}.${k}`)), 'format'];

/**
 * `GET /api/explore/activation|retention|ttfv|funnel|breakdown|compare` with the cohorts page's parameters
 * (and `format=csv`): one of its tables as rows. A bad or unknown parameter is a 400 naming it.
 */
export const GET: RequestHandler = async ({ url, params }) => {
	const table = params.table as ExploreTable;
	if (!EXPLORE_TABLES.includes(table)) error(404, `Unknown table '${params.table}': use ${EXPLORE_TABLES.join(', ')}.`);
	const unknown = [...url.searchParams.keys()].find((k) => !ALLOWED.includes(k));
	if (unknown) error(400, `Unknown query parameter '${unknown}': use ${ALLOWED.join(', ')}.`);
	const format = formatFrom(url);
	const parsed = parseCohortParams(url);
	if (parsed.error !== null) error(400, parsed.error);
	if (table === 'compare' && !parsed.selection.compare)
		error(
			400,
			"The comparison needs two segments: give at least one 'a.<filter>' or 'b.<filter>' parameter (e.g. a.plan=enterprise&b.plan=pro)."
		);
	const config = loadConfig();
	const rows = await readCached(['explore', table, parsed.values, config], async (db) =>
		exploreRows(db.kysely, config, table, parsed.selection, await readMemo(db))
	);
	return format === 'csv' ? csvResponse(rowsCsv(rows ?? []), `cohorts-${table}`) : json({ table, rows });
};
