import { sql, type RawBuilder } from 'kysely';
import { automationTable, BOT_EVENTS, confusionTable, derivedOrBuilt } from '../derive/derived.js';
import { keyEventsSql } from './keyevents.js';
import type { MetricContext, MetricDefinition } from './metric.js';

/** Bot wrong-answer reports per 1,000 bot conversations = `Bot Answer Flagged` events ÷ `Bot Conversation Started` events × 1,000. */
export const botFlagRate: MetricDefinition = {
	id: 'bot_flags_per_1000',
	label: 'Bot answers flagged per 1,000 conversations',
	family: 'bot',
	formula: 'Bot Answer Flagged events ÷ Bot Conversation Started events × 1,000',
	unit: 'per_1000',
	direction: 'lower',
	facts: (ctx) => sql`SELECT timestamp AS at, account_id, event FROM (${keyEventsSql(ctx)}) WHERE event IN (${sql.join(BOT_EVENTS)})`,
	aggregate: () =>
		sql`count(*) FILTER (WHERE event = 'Bot Conversation Started') AS conversations, count(*) FILTER (WHERE event = 'Bot Answer Flagged') AS flagged`,
	finish: (r) => {
		const c = r.conversations ?? 0;
		const f = r.flagged ?? 0;
		return { value: c > 0 ? (1000 * f) / c : null, details: { numerator: f, denominator: c } };
	}
};

/**
 * Confusion bursts: a user viewing the same page at least `confusion.views` times (3) within
 * `confusion.withinMinutes` (2). One burst per run: it is dated by the view that reaches the threshold,
 * and a new one starts only after a view that does not.
 */
export function confusionBurstsSql(ctx: MetricContext): RawBuilder<unknown> {
	return derivedOrBuilt(ctx, confusionTable);
}

/** Confusion bursts = bursts (see {@link confusionBurstsSql}) in the range; details: how many accounts and users had one. */
export const confusionBursts: MetricDefinition = {
	id: 'confusion_bursts',
	label: 'Confusion bursts',
	family: 'confusion',
	formula: 'times a user viewed the same page at least 3 times within 2 minutes',
	unit: 'count',
	direction: 'lower',
	facts: confusionBurstsSql,
	aggregate: () => sql`count(*) AS bursts, count(DISTINCT account_id) AS accounts, count(DISTINCT user_id) AS users`,
	finish: (r) => ({ value: r.bursts ?? 0, details: { bursts: r.bursts ?? 0, accounts: r.accounts ?? 0, users: r.users ?? 0 } })
};

/**
 * Repeated automation runs: an account's self-service automation (`repeatAutomation.event`, named by
 * `properties.automation`) firing at least `runs` (3) times within `withinHours` (1). One per run of
 * repeats, dated by the run that reaches the threshold: a product problem, not a content one.
 */
export function repeatAutomationsSql(ctx: MetricContext): RawBuilder<unknown> {
	return derivedOrBuilt(ctx, automationTable);
}

/** Accounts with repeat automations = accounts where an automation repeated (see {@link repeatAutomationsSql}) in the range. */
export const repeatAutomations: MetricDefinition = {
	id: 'repeat_automation_accounts',
	label: 'Accounts with repeating automations',
	family: 'automation',
	formula: 'accounts where one self-service automation fired 3+ times within an hour',
	unit: 'count',
	direction: 'lower',
	facts: repeatAutomationsSql,
	aggregate: () => sql`count(DISTINCT account_id) AS accounts, count(*) AS repeats`,
	finish: (r) => ({ value: r.accounts ?? 0, details: { accounts: r.accounts ?? 0, repeats: r.repeats ?? 0 } })
};
