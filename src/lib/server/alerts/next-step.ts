/**
 * The next best step for an alert: what the CSM (or the customer, in a nudge) should do, in words and with
 * a link where there is one. The config's `nextSteps` map a milestone, a page or a rule to a KB article or
 * a self-service automation; without a mapping each rule says what its evidence calls for.
 */
import type { Config } from '../config/config.js';
import { words } from './rule.js';

export interface NextStep {
	text: string;
	url: string | null;
}

/** The step for an alert of `rule` with `evidence` (as frozen on the alert). */
export function nextStepFor(config: Config, rule: string, evidence: Record<string, unknown>): NextStep {
	const steps = config.nextSteps;
	const mapped = (m: (s: Config['nextSteps'][number]) => boolean) => {
		const s = steps.find(m);
		return s ? { text: s.title, url: s.url ?? null } : null;
	};
	switch (rule) {
		case 'onboarding_stall': {
			const overdue = (evidence.milestones as { name: string }[] | undefined) ?? [];
			const first = overdue[0]?.name;
			return (
				(first ? mapped((s) => s.milestone === first) : null) ?? {
					text: first
						? `Help them with "${first}": it is overdue (${words(overdue.map((m) => m.name))}).`
						: 'Walk them through the overdue milestones.',
					url: null
				}
			);
		}
		case 'first_value_miss': {
			const first = config.milestones.find((m) => config.firstValueEvents.includes(m.event));
			return (
				(first && mapped((s) => s.milestone === first.name)) ??
				mapped((s) => s.rule === rule) ?? {
					text: `Get them to first value (${words(config.firstValueEvents)}) on a call this week.`,
					url: null
				}
			);
		}
		case 'repeat_automation': {
			const automations = (evidence.automations as string[] | undefined) ?? [];
			return (
				mapped((s) => s.rule === rule) ?? {
					text: `Tell product: ${words(automations) || 'an automation'} keeps repeating for this account, which content will not fix.`,
					url: null
				}
			);
		}
		case 'product_gap':
			return mapped((s) => s.rule === rule) ?? { text: 'Escalate to product and engineering with the tickets listed.', url: null };
		default:
			return (
				mapped((s) => s.rule === rule) ?? {
					text: "Review the account's risk drivers and reach out to the sponsor within 24 hours.",
					url: null
				}
			);
	}
}
