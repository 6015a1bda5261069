import { mayAct } from '$lib/server/alerts/actions.js';
import { parseAlertQuery } from '$lib/server/alerts/query.js';
import { RULE_IDS } from '$lib/server/alerts/rule.js';
import { RULES } from '$lib/server/alerts/rules/index.js';
import { fail } from '@sveltejs/kit';
import { actorOf } from '$lib/server/auth/audit.js';
import { loadConfig } from '$lib/server/config/config.js';
import { notifying } from '$lib/server/notify/outbox.js';
import { notifyReport, retryDead } from '$lib/server/notify/report.js';
import { nudge } from '$lib/server/notify/worker.js';
import { AlertsRepository } from '$lib/server/db/repositories/alerts.repository.js';
import { readDatabase } from '../db.server.js';
import { alertFormAction } from './alerts.server.js';
import type { Actions, PageServerLoad } from './$types';

/** Rows on the page; the API serves more. */
const LIMIT = 200;

/**
 * The alerts by due time under the URL's filters, each with whether the signed-in person may act on it;
 * the SLA view by CSM; the rules with their settings in words, their unresolved alerts and opt-out rates;
 * for leaders, the outbox by state and its dead messages.
 */
export const load: PageServerLoad = async ({ url, locals }) => {
	const config = loadConfig();
	const now = new Date().toISOString();
	const parsed = parseAlertQuery(url, locals.principal);
	return readDatabase(async (db) => {
		const repo = new AlertsRepository(db.kysely, now, config.sla.dueSoonHours);
		const leader = locals.principal?.role === 'leader';
		const [list, sla, perRule, notify, evaluations] = await Promise.all([
			'key' in parsed ? null : repo.list(parsed.filters, LIMIT),
			repo.slaByCsm(),
			repo.unresolvedByRule(),
			notifyReport(db.kysely),
			repo.evaluations(8)
		]);
		return {
			now,
			error: 'key' in parsed ? `${parsed.key}: ${parsed.message}` : null,
			values: Object.fromEntries([...url.searchParams.entries()].filter(([, v]) => v !== '')),
			total: list?.total ?? 0,
			alerts: (list?.alerts ?? []).map((a) => ({ ...a, can_act: locals.principal !== null && mayAct(locals.principal, a) === null })),
			sla,
			evaluations,
			person: locals.principal?.kind === 'person',
			// Everyone sees the opt-out rates; the outbox's states and dead messages are a leader's to fix.
			notify: {
				on: notifying(config),
				states: leader ? notify.states : null,
				dead: leader ? notify.dead : [],
				optouts: notify.optouts
			},
			rules: RULE_IDS.map((id) => {
				const s = config.alerts.rules[id];
				return {
					id,
					label: RULES[id].label,
					description: RULES[id].describe(s as never, config),
					enabled: s.enabled,
					severity: s.severity,
					respond: s.respondWithinHours,
					unresolved: perRule.get(id) ?? 0
				};
			})
		};
	});
};

export const actions: Actions = {
	act: ({ request, locals, getClientAddress }) => alertFormAction(request, locals, getClientAddress()),
	/** A leader sends a dead message again, once its channel works. */
	retry: async ({ request, locals, getClientAddress }) => {
		if (locals.principal?.role !== 'leader') return fail(403, { message: 'Only leaders send dead messages again.' });
		const id = Number((await request.formData()).get('message'));
		const done =
			Number.isInteger(id) && (await readDatabase((db) => retryDead(db.kysely, id, actorOf(locals.principal, getClientAddress()))));
		if (!done) return fail(404, { message: `Message ${id} is not dead (it was sent or retried already).` });
		nudge();
		return { retried: id };
	}
};
