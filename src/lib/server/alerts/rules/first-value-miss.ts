import { sql } from 'kysely';
import { firstValueSql } from '../../facts/first-value.js';
import { at, dayOf, liveAt, words, type AlertRule } from '../rule.js';

/**
 * `first_value_miss`: a live account created at least `windows.firstValueDays` (30) days before the clock
 * and at most `maxAgeDays` (90) days before it, with no first-value event before the clock. It missed the
 * window in which first value counts as on time (such accounts churn about 3× more). Reaching first value
 * later clears it.
 */
export const firstValueMiss: AlertRule<'first_value_miss'> = {
	id: 'first_value_miss',
	label: 'First value missed',
	describe: (s, c) =>
		`A live account created ${c.windows.firstValueDays}–${s.maxAgeDays} days ago that has not reached first value (${words(c.firstValueEvents)}).`,
	async find(ctx, s) {
		const days = ctx.config.windows.firstValueDays;
		const { rows } = await sql<{ account_id: string; created_at: string; age_days: number }>`
			SELECT a.account_id, a.created_at, date_diff('day', a.created_at, ${at(ctx.clock)}) AS age_days
			FROM accounts a LEFT JOIN (${firstValueSql(ctx)}) fv ON fv.account_id = a.account_id AND fv.first_at < ${at(ctx.clock)}
			WHERE ${liveAt(ctx.clock)} AND fv.account_id IS NULL
				AND a.created_at <= ${at(ctx.clock)} - to_days(${days}) AND a.created_at > ${at(ctx.clock)} - to_days(${s.maxAgeDays})
			ORDER BY a.account_id`.execute(ctx.db);
		return rows.map((r) => ({
			account_id: r.account_id,
			topic: null,
			value: r.age_days,
			evidence: {
				summary: `Signed up ${r.age_days} days ago (${dayOf(r.created_at)}) and has not reached first value (${words(ctx.config.firstValueEvents)}); the window is ${days} days.`,
				signed_up: r.created_at,
				age_days: r.age_days,
				window_days: days
			}
		}));
	},
	async cleared(ctx, s, subjects) {
		const { rows } = await sql<{ account_id: string; first_at: string | null; churned_at: string | null }>`
			SELECT a.account_id, fv.first_at, a.churned_at FROM accounts a
			LEFT JOIN (${firstValueSql(ctx)}) fv ON fv.account_id = a.account_id AND fv.first_at < ${at(ctx.clock)}
			WHERE a.account_id IN (${sql.join(subjects)})`.execute(ctx.db);
		return new Map(
			rows.map((r) => [
				r.account_id,
				r.first_at
					? `First value reached on ${dayOf(r.first_at)}.`
					: r.churned_at && r.churned_at < ctx.clock
						? `The account churned on ${dayOf(r.churned_at)}.`
						: `Older than ${s.maxAgeDays} days: no longer an onboarding alert.`
			])
		);
	}
};
