import { error } from '@sveltejs/kit';
import { mayAct, OUTCOMES } from '$lib/server/alerts/actions.js';
import { RULES } from '$lib/server/alerts/rules/index.js';
import { learnedSteps, nextStepFor } from '$lib/server/alerts/next-step.js';
import { freshDerived } from '$lib/server/derive/derived.js';
import type { RuleId } from '$lib/server/alerts/rule.js';
import { loadConfig } from '$lib/server/config/config.js';
import { AlertsRepository } from '$lib/server/db/repositories/alerts.repository.js';
import { readDatabase } from '../../db.server.js';
import { alertFormAction } from '../alerts.server.js';
import type { Actions, PageServerLoad } from './$types';

/** One alert: its evidence, SLA, history and (for whoever may act on it) the actions, with the people it can be assigned to. */
export const load: PageServerLoad = async ({ params, locals }) => {
	if (!/^\d{1,15}$/.test(params.id)) error(404, `There is no alert ${params.id}.`);
	const id = Number(params.id);
	const config = loadConfig();
	const now = new Date().toISOString();
	return readDatabase(async (db) => {
		const repo = new AlertsRepository(db.kysely, now, config.sla.dueSoonHours);
		const alert = await repo.get(id);
		if (!alert) error(404, `There is no alert ${id}.`);
		const refusal = locals.principal ? mayAct(locals.principal, alert) : 'Sign in first.';
		const people = refusal
			? []
			: await db.kysely.selectFrom('people').select(['email', 'name', 'role']).where('active', '=', true).orderBy('email').execute();
		const rule = RULES[alert.rule as RuleId];
		const milestoneRule = alert.rule === 'onboarding_stall' || alert.rule === 'first_value_miss';
		const learned = milestoneRule ? await learnedSteps(db.kysely, config, await freshDerived(db.kysely, config)) : undefined;
		return {
			now,
			alert,
			events: await repo.events(id),
			rule: rule ? { label: rule.label, description: rule.describe(config.alerts.rules[rule.id] as never, config) } : null,
			next: nextStepFor(config, alert.rule, alert.evidence, learned),
			refusal,
			people,
			outcomes: OUTCOMES
		};
	});
};

export const actions: Actions = {
	act: ({ request, locals, getClientAddress }) => alertFormAction(request, locals, getClientAddress())
};
