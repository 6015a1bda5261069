import { sql } from 'kysely';
import { keyEventsSql } from '../../facts/key-events.js';
import { at, dayOf, liveAt, words, type AlertRule } from '../rule.js';

/**
 * `onboarding_stall`: a live account at most `maxAgeDays` old with a milestone that has a due time
 * (`dueDays` after signup in the config's milestones) whose event has not happened more than
 * `overdueHours` after it was due. Value: the most days any milestone is overdue. Reaching every
 * overdue milestone clears it.
 */
export const onboardingStall: AlertRule<'onboarding_stall'> = {
	id: 'onboarding_stall',
	label: 'Onboarding stalled',
	describe: (s, c) => {
		const due = c.milestones.filter((m) => m.dueDays !== undefined).map((m) => `${m.name} by day ${m.dueDays}`);
		return due.length
			? `A milestone not reached ${s.overdueHours} h after it was due (${words(due)}), for accounts up to ${s.maxAgeDays} days old.`
			: 'No milestone has dueDays in the config, so this rule finds nothing.';
	},
	async find(ctx, s) {
		const due = ctx.config.milestones.filter((m) => m.dueDays !== undefined);
		if (!due.length) return [];
		const defs = sql.join(due.map((m) => sql`(${m.name}, ${m.event}, ${m.dueDays!})`));
		const { rows } = await sql<{ account_id: string; milestones: { name: string; event: string; due_at: string; overdue_days: number }[] }>`
			WITH m(name, event, due_days) AS (VALUES ${defs}),
			got AS (
				SELECT DISTINCT account_id, event FROM (${keyEventsSql(ctx)})
				WHERE event IN (${sql.join([...new Set(due.map((m) => m.event))])}) AND timestamp < ${at(ctx.clock)}
			)
			SELECT a.account_id,
				list({'name': m.name, 'event': m.event, 'due_at': a.created_at + to_microseconds(CAST(m.due_days * 86400e6 AS BIGINT)),
					'overdue_days': floor(date_diff('hour', a.created_at + to_microseconds(CAST(m.due_days * 86400e6 AS BIGINT)), ${at(ctx.clock)}) / 24)::INTEGER}
					ORDER BY m.due_days, m.name) AS milestones
			FROM accounts a CROSS JOIN m
			LEFT JOIN got ON got.account_id = a.account_id AND got.event = m.event
			WHERE ${liveAt(ctx.clock)} AND got.account_id IS NULL AND a.created_at > ${at(ctx.clock)} - to_days(${s.maxAgeDays})
				AND a.created_at + to_microseconds(CAST(m.due_days * 86400e6 AS BIGINT)) + to_microseconds(CAST(${s.overdueHours * 3600e6} AS BIGINT)) < ${at(ctx.clock)}
			GROUP BY a.account_id ORDER BY a.account_id`.execute(ctx.db);
		return rows.map((r) => ({
			account_id: r.account_id,
			topic: null,
			value: Math.max(...r.milestones.map((m) => m.overdue_days)),
			evidence: {
				summary: `Not reached: ${words(r.milestones.map((m) => `${m.name} (due ${dayOf(m.due_at)}, ${m.overdue_days} days overdue)`))}.`,
				milestones: r.milestones
			}
		}));
	},
	async cleared(ctx, s, subjects) {
		const { rows } = await sql<{ account_id: string; churned_at: string | null; created_at: string }>`
			SELECT account_id, churned_at, created_at FROM accounts WHERE account_id IN (${sql.join(subjects)})`.execute(ctx.db);
		return new Map(
			rows.map((r) => [
				r.account_id,
				r.churned_at && r.churned_at < ctx.clock
					? `The account churned on ${dayOf(r.churned_at)}.`
					: Date.parse(ctx.clock) - Date.parse(r.created_at) > s.maxAgeDays * 86400e3
						? `Older than ${s.maxAgeDays} days: no longer an onboarding alert.`
						: 'Every overdue milestone has been reached.'
			])
		);
	}
};
