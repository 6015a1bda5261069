/**
 * The next best step for an alert: what the CSM (or the customer, in a nudge) should do, in words and with
 * a link where there is one. In order:
 * 1. the config's `nextSteps`, which map a milestone, a page or a rule to a KB article or a self-service
 *    automation;
 * 2. for a milestone not reached (onboarding stalls, first value missed), what the data says helped: the
 *    article most read by accounts that went on to reach that milestone, read before they reached it
 *    (see {@link learnedSteps});
 * 3. what the rule's evidence calls for, in words.
 */
import { sql, type Kysely } from 'kysely';
import type { Config } from '../config/config.js';
import type { Schema } from '../db/schema.js';
import { keyEventsSql } from '../facts/key-events.js';
import { words } from './rule.js';

export interface NextStep {
	text: string;
	url: string | null;
	/** Where the step comes from: the config's mapping, the data, or the rule. */
	source: 'config' | 'data' | 'rule';
}

/** Per milestone event, the articles most read before reaching it, by how many accounts that reached it read them. */
export type LearnedSteps = Map<string, { article_id: string; title: string | null; accounts: number }[]>;

/**
 * Learned steps for the milestone and first-value events: for each, the 3 articles (`Article Viewed`,
 * `properties.article_id`) read by the most accounts before their first such event.
 */
export async function learnedSteps(db: Kysely<Schema>, config: Config, derived: Set<string>): Promise<LearnedSteps> {
	const targets = [...new Set([...config.milestones.map((m) => m.event), ...config.firstValueEvents])];
	const { rows } = await sql<{ event: string; article_id: string; title: string | null; accounts: number }>`
		WITH reached AS (
			SELECT account_id, event, min(timestamp) AS at FROM (${keyEventsSql({ config, derived })})
			WHERE event IN (${sql.join(targets)}) AND account_id IS NOT NULL GROUP BY ALL
		),
		reads AS (
			SELECT account_id, properties ->> '$.article_id' AS article_id, min(timestamp) AS first_read FROM events
			WHERE event = 'Article Viewed' AND account_id IS NOT NULL AND (properties ->> '$.article_id') IS NOT NULL GROUP BY ALL
		)
		SELECT r.event, v.article_id, any_value(k.title) AS title, count(*) AS accounts
		FROM reached r JOIN reads v ON v.account_id = r.account_id AND v.first_read < r.at
		LEFT JOIN kb_articles k ON k.article_id = v.article_id
		GROUP BY r.event, v.article_id
		QUALIFY row_number() OVER (PARTITION BY r.event ORDER BY count(*) DESC, v.article_id) <= 3
		ORDER BY r.event, accounts DESC`.execute(db);
	const out: LearnedSteps = new Map();
	for (const { event, ...a } of rows) out.set(event, [...(out.get(event) ?? []), a]);
	return out;
}

/** The config's step for the first `nextSteps` entry `match` accepts, or null. */
export function configStep(config: Config, match: (s: Config['nextSteps'][number]) => boolean): NextStep | null {
	const s = config.nextSteps.find(match);
	return s ? { text: s.title, url: s.url ?? null, source: 'config' } : null;
}

/** The article read before reaching one of `events` by the most accounts that reached it (`goal` names it in the text), or null. */
export function learnedStep(learned: LearnedSteps | undefined, events: string[], goal: string): NextStep | null {
	const best = events.flatMap((e) => learned?.get(e) ?? []).sort((a, b) => b.accounts - a.accounts)[0];
	if (!best) return null;
	const name = best.title ? `"${best.title}" (${best.article_id})` : best.article_id;
	return {
		text: `Send them ${name}: ${best.accounts.toLocaleString('en-US')} accounts read it before they reached ${goal}.`,
		url: null,
		source: 'data'
	};
}

/** The step for an alert of `rule` with `evidence` (as frozen on the alert), with what the data learned when given. */
export function nextStepFor(config: Config, rule: string, evidence: Record<string, unknown>, learned?: LearnedSteps): NextStep {
	const mapped = (m: (s: Config['nextSteps'][number]) => boolean) => configStep(config, m);
	const fromData = (events: string[], goal: string) => learnedStep(learned, events, goal);
	switch (rule) {
		case 'onboarding_stall': {
			const overdue = (evidence.milestones as { name: string; event: string }[] | undefined) ?? [];
			const first = overdue[0];
			if (!first) return { text: 'Walk them through the overdue milestones.', url: null, source: 'rule' };
			return (
				mapped((s) => s.milestone === first.name) ??
				fromData([first.event], `"${first.name}"`) ?? {
					text: `Help them with "${first.name}": it is overdue (${words(overdue.map((m) => m.name))}).`,
					url: null,
					source: 'rule'
				}
			);
		}
		case 'first_value_miss': {
			const milestone = config.milestones.find((m) => config.firstValueEvents.includes(m.event));
			return (
				(milestone ? mapped((s) => s.milestone === milestone.name) : null) ??
				mapped((s) => s.rule === rule) ??
				fromData(config.firstValueEvents, 'first value') ?? {
					text: `Get them to first value (${words(config.firstValueEvents)}) on a call this week.`,
					url: null,
					source: 'rule'
				}
			);
		}
		case 'repeat_automation': {
			const automations = (evidence.automations as string[] | undefined) ?? [];
			return (
				mapped((s) => s.rule === rule) ?? {
					text: `Tell product: ${words(automations) || 'an automation'} keeps repeating for this account, which content will not fix.`,
					url: null,
					source: 'rule'
				}
			);
		}
		case 'product_gap':
			return (
				mapped((s) => s.rule === rule) ?? {
					text: 'Escalate to product and engineering with the tickets listed.',
					url: null,
					source: 'rule'
				}
			);
		default:
			return (
				mapped((s) => s.rule === rule) ?? {
					text: "Review the account's risk drivers and reach out to the sponsor within 24 hours.",
					url: null,
					source: 'rule'
				}
			);
	}
}
