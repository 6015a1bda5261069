import { sql } from 'kysely';
import { repeatAutomationsSql } from '../../facts/bursts.js';
import { at, dayOf, liveAt, words, type AlertRule } from '../rule.js';

/**
 * `repeat_automation`: a live account for which a self-service automation repeated (the repeat-automation
 * metric's bursts: `repeatAutomation.runs` runs within `repeatAutomation.withinHours`) within the
 * `withinDays` before the clock: a product problem, not a content one. Value: the bursts.
 */
export const repeatAutomation: AlertRule<'repeat_automation'> = {
	id: 'repeat_automation',
	label: 'Automation repeating',
	describe: (s, c) =>
		`A self-service automation ran ${c.repeatAutomation.runs} times within ${c.repeatAutomation.withinHours} h for one account, in the last ${s.withinDays} days.`,
	async find(ctx, s) {
		const { rows } = await sql<{ account_id: string; bursts: number; automations: string[]; last: string }>`
			SELECT r.account_id, count(*) AS bursts, list(DISTINCT r.automation ORDER BY r.automation) AS automations, max(r.at) AS last
			FROM (${repeatAutomationsSql(ctx)}) r JOIN accounts a ON a.account_id = r.account_id
			WHERE r.at >= ${at(ctx.clock)} - to_microseconds(CAST(${s.withinDays * 86400e6} AS BIGINT)) AND r.at < ${at(ctx.clock)} AND ${liveAt(ctx.clock)}
			GROUP BY r.account_id ORDER BY r.account_id`.execute(ctx.db);
		const { runs, withinHours } = ctx.config.repeatAutomation;
		return rows.map((r) => ({
			account_id: r.account_id,
			topic: null,
			value: r.bursts,
			evidence: {
				summary: `${words(r.automations)} ran ${runs}+ times within ${withinHours} h, ${r.bursts} time${r.bursts === 1 ? '' : 's'} in the last ${s.withinDays} days (latest ${dayOf(r.last)}).`,
				bursts: r.bursts,
				automations: r.automations,
				latest: r.last
			}
		}));
	},
	async cleared(_ctx, s, subjects) {
		return new Map(subjects.map((a) => [a, `No automation repeated in the last ${s.withinDays} days.`]));
	}
};
