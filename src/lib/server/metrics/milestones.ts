import { sql, type RawBuilder } from 'kysely';
import { allTimeMilestoneLevelsSql, milestoneLevelsSql } from '../facts/milestones.js';
import { formatNumber } from '../../components/kpi/units.js';
import { defineMetric, type MetricContext } from './metric.js';

/**
 * Whether the range ends after every key event (the usual case: no `--to` or `--as-of`), so the levels
 * from all the events are the levels at its end.
 */
function afterAllData(ctx: MetricContext): boolean {
	return ctx.range.end_of_data !== null && Date.parse(ctx.range.to) > Date.parse(ctx.range.end_of_data) && !ctx.filters.asOf;
}

/** The precomputed all-time levels (`derived_milestone_levels`) of the accounts live at the end of the range. */
function liveLevels(ctx: MetricContext): RawBuilder<unknown> {
	const to = sql`CAST(${ctx.range.to} AS TIMESTAMPTZ)::TIMESTAMP`;
	return sql`SELECT l.* FROM (${allTimeMilestoneLevelsSql(ctx)}) l JOIN accounts a USING (account_id)
		WHERE a.created_at < ${to} AND (a.churned_at IS NULL OR a.churned_at >= ${to})`;
}

/**
 * Milestone level = the mean level (0–3) of accounts live at the end of the range, with how many are at
 * each level and how many lost a milestone (e.g. their integration went outdated) in the details.
 */
export const milestoneLevel = defineMetric({
	id: 'milestone_level',
	label: 'Milestone level (mean)',
	family: 'milestones',
	formula: () => 'mean over live accounts of the highest level L whose milestones of levels 1…L are all held at the end of the range',
	unit: 'level',
	direction: 'higher',
	timeless: true,
	facts: (ctx) =>
		sql`SELECT NULL::TIMESTAMP AS at, * FROM (${afterAllData(ctx) ? liveLevels(ctx) : milestoneLevelsSql(ctx, ctx.range.to)})`,
	aggregate: () => sql`count(*) AS accounts, avg(level) AS mean,
		count(*) FILTER (WHERE level = 0) AS l0, count(*) FILTER (WHERE level = 1) AS l1,
		count(*) FILTER (WHERE level = 2) AS l2, count(*) FILTER (WHERE level = 3) AS l3,
		count(*) FILTER (WHERE lost > 0) AS lost`,
	finish: (r) => ({
		value: r.mean,
		details: { accounts: r.accounts ?? 0, by_level: [r.l0 ?? 0, r.l1 ?? 0, r.l2 ?? 0, r.l3 ?? 0], lost_a_milestone: r.lost ?? 0 }
	}),
	basis: (d) => {
		const parts = d.by_level.map((n, i) => `L${i} ${formatNumber(n)}`).join(' · ');
		const lost = d.lost_a_milestone ? `; ${formatNumber(d.lost_a_milestone)} lost a milestone` : '';
		return `${formatNumber(d.accounts)} live accounts: ${parts}${lost}`;
	},
	n: (d) => d.accounts
});
