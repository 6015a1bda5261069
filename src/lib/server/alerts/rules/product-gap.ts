import { sql } from 'kysely';
import { topicSql } from '../../facts/topics.js';
import { at, dayOf, type AlertRule } from '../rule.js';

/**
 * `product_gap`: at least `accounts` distinct accounts opened tickets on one topic (the config's taxonomy;
 * `Other` is no topic) within the `withinDays` before the clock. Subject: the topic. Value: the accounts.
 */
export const productGap: AlertRule<'product_gap'> = {
	id: 'product_gap',
	label: 'Product gap',
	describe: (s) => `${s.accounts} or more accounts opened tickets on the same topic within ${s.withinDays} days.`,
	async find(ctx, s) {
		const { rows } = await sql<{
			topic: string;
			accounts: number;
			tickets: number;
			account_ids: string[];
			ticket_ids: string[];
			first: string;
			last: string;
		}>`
			SELECT topic, count(DISTINCT account_id) AS accounts, count(*) AS tickets,
				list(DISTINCT account_id ORDER BY account_id)[1:20] AS account_ids, list(ticket_id ORDER BY created_at DESC)[1:20] AS ticket_ids,
				min(created_at) AS first, max(created_at) AS last
			FROM (
				SELECT ticket_id, account_id, created_at, ${topicSql(ctx.config, sql`tags`, sql`subject`)} AS topic FROM tickets
				WHERE NOT coalesce(deleted, false) AND account_id IS NOT NULL
					AND created_at >= ${at(ctx.clock)} - to_microseconds(CAST(${s.withinDays * 86400e6} AS BIGINT)) AND created_at < ${at(ctx.clock)}
			)
			WHERE topic <> 'Other' GROUP BY topic HAVING count(DISTINCT account_id) >= ${s.accounts} ORDER BY topic`.execute(ctx.db);
		return rows.map((r) => ({
			account_id: null,
			topic: r.topic,
			value: r.accounts,
			evidence: {
				summary: `${r.accounts} accounts opened ${r.tickets} tickets on ${r.topic} between ${dayOf(r.first)} and ${dayOf(r.last)} (the rule: ${s.accounts} within ${s.withinDays} days).`,
				accounts: r.accounts,
				tickets: r.tickets,
				account_ids: r.account_ids,
				ticket_ids: r.ticket_ids
			}
		}));
	},
	async cleared(_ctx, s, subjects) {
		return new Map(subjects.map((t) => [t, `Fewer than ${s.accounts} accounts opened tickets on it in the last ${s.withinDays} days.`]));
	}
};
