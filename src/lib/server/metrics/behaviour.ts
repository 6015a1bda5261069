import { sql } from 'kysely';
import { confusionBurstsSql, repeatAutomationsSql } from '../facts/bursts.js';
import { BOT_EVENTS, keyEventsSql } from '../facts/key-events.js';
import { formatNumber } from '../../components/kpi/units.js';
import { defineMetric } from './metric.js';

/** Bot wrong-answer reports per 1,000 bot conversations = `Bot Answer Flagged` events ÷ `Bot Conversation Started` events × 1,000. */
export const botFlagRate = defineMetric({
	id: 'bot_flags_per_1000',
	label: 'Bot answers flagged per 1,000 conversations',
	family: 'bot',
	formula: () => 'Bot Answer Flagged events ÷ Bot Conversation Started events × 1,000',
	unit: 'per_1000',
	direction: 'lower',
	facts: (ctx) => sql`SELECT timestamp AS at, account_id, event FROM (${keyEventsSql(ctx)}) WHERE event IN (${sql.join(BOT_EVENTS)})`,
	aggregate: () =>
		sql`count(*) FILTER (WHERE event = 'Bot Conversation Started') AS conversations, count(*) FILTER (WHERE event = 'Bot Answer Flagged') AS flagged`,
	finish: (r) => {
		const c = r.conversations ?? 0;
		const f = r.flagged ?? 0;
		return { value: c > 0 ? (1000 * f) / c : null, details: { numerator: f, denominator: c } };
	},
	basis: (d) => `${formatNumber(d.numerator)} flags in ${formatNumber(d.denominator)} bot conversations`,
	n: (d) => d.denominator
});

/** Confusion bursts = bursts (see {@link confusionBurstsSql}) in the range; details: how many accounts and users had one. */
export const confusionBursts = defineMetric({
	id: 'confusion_bursts',
	label: 'Confusion bursts',
	family: 'confusion',
	formula: (c) =>
		`times a user viewed the same page at least ${c.confusion.views} times within ${plural(c.confusion.withinMinutes, 'minute')}`,
	unit: 'count',
	direction: 'lower',
	facts: confusionBurstsSql,
	aggregate: () => sql`count(*) AS bursts, count(DISTINCT account_id) AS accounts, count(DISTINCT user_id) AS users`,
	finish: (r) => ({ value: r.bursts ?? 0, details: { bursts: r.bursts ?? 0, accounts: r.accounts ?? 0, users: r.users ?? 0 } }),
	basis: (d) => `in ${formatNumber(d.accounts)} accounts, by ${formatNumber(d.users)} users`,
	n: (d) => d.bursts
});

/** Accounts with repeat automations = accounts where an automation repeated (see {@link repeatAutomationsSql}) in the range. */
export const repeatAutomations = defineMetric({
	id: 'repeat_automation_accounts',
	label: 'Accounts with repeating automations',
	family: 'automation',
	formula: (c) =>
		`accounts where one self-service automation (${c.repeatAutomation.event}) fired ${c.repeatAutomation.runs}+ times within ${plural(c.repeatAutomation.withinHours, 'hour')}`,
	unit: 'count',
	direction: 'lower',
	facts: repeatAutomationsSql,
	aggregate: () => sql`count(DISTINCT account_id) AS accounts, count(*) AS repeats`,
	finish: (r) => ({ value: r.accounts ?? 0, details: { accounts: r.accounts ?? 0, repeats: r.repeats ?? 0 } }),
	basis: (d) => `${formatNumber(d.repeats)} repeated runs`,
	n: (d) => d.accounts
});

/** `2 minutes`, `1 hour`. */
function plural(n: number, unit: string): string {
	return `${n} ${unit}${n === 1 ? '' : 's'}`;
}
