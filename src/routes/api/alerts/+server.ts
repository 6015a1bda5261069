import { error, json } from '@sveltejs/kit';
import { ALERT_QUERY_KEYS, parseAlertQuery } from '$lib/server/alerts/query.js';
import { loadConfig } from '$lib/server/config/config.js';
import { AlertsRepository } from '$lib/server/db/repositories/alerts.repository.js';
import { readDatabase } from '../../db.server.js';
import { intParam } from '../../params.js';
import type { RequestHandler } from './$types';

const ALLOWED: readonly string[] = [...ALERT_QUERY_KEYS, 'limit'];

/**
 * `GET /api/alerts?state=&rule=&account=&csm=&assignee=&sla=&mine=1&limit=`: alerts (default: unresolved
 * ones) by due time, each with its account, evidence, SLA status and version, as `{total, alerts}`.
 */
export const GET: RequestHandler = async ({ url, locals }) => {
	const unknown = [...url.searchParams.keys()].find((k) => !ALLOWED.includes(k));
	if (unknown) error(400, `Unknown query parameter '${unknown}': use ${ALLOWED.join(', ')}.`);
	const parsed = parseAlertQuery(url, locals.principal);
	if ('key' in parsed) error(400, `Query parameter '${parsed.key}': ${parsed.message}.`);
	const limit = intParam(url, 'limit', { min: 1, max: 10_000 }) ?? 500;
	const config = loadConfig();
	return json(
		await readDatabase((db) =>
			new AlertsRepository(db.kysely, new Date().toISOString(), config.sla.dueSoonHours).list(parsed.filters, limit)
		)
	);
};
