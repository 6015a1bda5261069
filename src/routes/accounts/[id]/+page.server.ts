import { error } from '@sveltejs/kit';
import { parseTimelineKinds, TIMELINE_KINDS, TIMELINE_PAGE_SIZE } from '$lib/server/accounts/account.js';
import { accountView } from '$lib/server/accounts/view.js';
import { RULES } from '$lib/server/alerts/rules/index.js';
import { loadConfig } from '$lib/server/config/config.js';
import { AlertsRepository } from '$lib/server/db/repositories/alerts.repository.js';
import { readCached, readDatabase } from '../../db.server.js';
import { intParam } from '../../params.js';
import type { PageServerLoad } from './$types';

/**
 * One account: its profile, risk and health at every scoring run, milestones, suggested steps, users and
 * a page of its timeline (the kinds ticked), read through the cache; its unresolved alerts read apart,
 * since they change without the data changing. No such account is a 404; a bad timeline kind is a notice.
 */
export const load: PageServerLoad = async ({ params, url }) => {
	const config = loadConfig();
	const page = intParam(url, 'page', { min: 1 }) ?? 1;
	const parsed = parseTimelineKinds(url);
	const kinds = parsed.kinds ?? [...TIMELINE_KINDS];
	const offset = (page - 1) * TIMELINE_PAGE_SIZE;
	const view = await readCached(['account-page', params.id, kinds, offset, config], (db) =>
		accountView(db, config, params.id, { kinds, offset })
	);
	if (!view) error(404, `There is no account '${params.id}'.`);
	const now = new Date().toISOString();
	const alerts = await readDatabase(
		async (db) =>
			(await new AlertsRepository(db.kysely, now, config.sla.dueSoonHours).list({ state: 'unresolved', account_id: params.id })).alerts
	);
	return {
		view,
		alerts: alerts.map((a) => ({ ...a, label: RULES[a.rule as keyof typeof RULES]?.label ?? a.rule })),
		now,
		kinds,
		kindError: parsed.error,
		page,
		pageSize: TIMELINE_PAGE_SIZE,
		offset
	};
};
