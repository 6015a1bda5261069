import { error, json } from '@sveltejs/kit';
import { readMemo } from '$lib/server/cache/reads.js';
import { loadConfig } from '$lib/server/config/config.js';
import { KNOWLEDGE_TABLES, knowledgeTable } from '$lib/server/knowledge/knowledge.js';
import { metricContext } from '$lib/server/metrics/context.js';
import { rowsCsv } from '$lib/server/metrics/export.js';
import { runList } from '$lib/server/metrics/lists.js';
import { readDatabase } from '../../../db.server.js';
import { csvResponse, filtersFrom, formatFrom } from '../../metrics/query.js';
import type { RequestHandler } from './$types';

/** `GET /api/knowledge/<table>` (plus the metric filters and `format=csv`): one table of the knowledge page. */
export const GET: RequestHandler = async ({ url, params }) => {
	const table = knowledgeTable(params.table);
	if (!table) error(404, `Unknown table '${params.table}': use ${KNOWLEDGE_TABLES.map((t) => t.id).join(', ')}.`);
	const filters = filtersFrom(url, ['format']);
	const format = formatFrom(url);
	const config = loadConfig();
	// Through the read memo, so a download after viewing the page reuses the page's rows.
	const result = await readDatabase(async (db) => runList(table, await metricContext(db.kysely, config, filters), await readMemo(db)));
	return format === 'csv' ? csvResponse(rowsCsv(result.rows), table.id) : json(result);
};
