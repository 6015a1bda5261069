import { sql, type RawBuilder } from 'kysely';
import type { Config } from '../config/config.js';
import { derivedOrBuilt, milestoneLevelsTable } from '../derive/derived.js';
import { keyEventsSql } from './keyevents.js';
import type { MetricContext, MetricDefinition } from './metric.js';

/**
 * Each account live at `asOf` (signed up before it, not churned before it) with its milestone level then:
 * the highest L such that it holds every milestone of levels 1…L. A milestone is held once its event
 * happened, unless its `revokedBy` event came later (a repeat of the event earns it back). With `asOf`
 * null: every account, from all its events. Columns: `account_id`, `level` (0–3), `held`, `lost`
 * (milestones revoked and not earned back).
 */
export function milestoneLevelsSql(src: { config: Config; derived?: Set<string> }, asOfIso: string | null): RawBuilder<unknown> {
	const ms = src.config.milestones;
	const asOf = sql`CAST(${asOfIso ?? '9999-12-31T00:00:00Z'} AS TIMESTAMPTZ)::TIMESTAMP`;
	const defs = sql.join(ms.map((m) => sql`(${m.level}, ${m.name}, ${m.event}, ${m.revokedBy ?? null})`));
	const events = [...new Set(ms.flatMap((m) => (m.revokedBy ? [m.event, m.revokedBy] : [m.event])))];
	const levelsUsed = [...new Set(ms.map((m) => m.level))].sort();
	const full = (l: number) => sql`coalesce(bool_and(held) FILTER (WHERE level = ${l}), true)`;
	let level: RawBuilder<unknown> = sql`${levelsUsed[levelsUsed.length - 1]}`;
	for (let i = levelsUsed.length - 1; i >= 0; i--) {
		level = sql`CASE WHEN ${full(levelsUsed[i])} THEN ${level} ELSE ${i === 0 ? 0 : levelsUsed[i - 1]} END`;
	}
	return sql`
		WITH m(level, name, event, revoked_by) AS (VALUES ${defs}),
		last AS (
			SELECT account_id, event, max(timestamp) AS at FROM (${keyEventsSql(src)})
			WHERE event IN (${sql.join(events)}) AND timestamp < ${asOf} GROUP BY account_id, event
		),
		held AS (
			SELECT a.account_id, m.level, got.at IS NOT NULL AND (lost.at IS NULL OR lost.at < got.at) AS held,
				got.at IS NOT NULL AND lost.at >= got.at AS revoked
			FROM accounts a CROSS JOIN m
			LEFT JOIN last got ON got.account_id = a.account_id AND got.event = m.event
			LEFT JOIN last lost ON lost.account_id = a.account_id AND lost.event = m.revoked_by
			WHERE ${asOfIso === null ? sql`true` : sql`a.created_at < ${asOf} AND (a.churned_at IS NULL OR a.churned_at >= ${asOf})`}
		)
		SELECT account_id, ${level} AS level, count(*) FILTER (WHERE held) AS held, count(*) FILTER (WHERE revoked) AS lost
		FROM held GROUP BY account_id`;
}

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
	return sql`SELECT l.* FROM (${derivedOrBuilt(ctx, milestoneLevelsTable)}) l JOIN accounts a USING (account_id)
		WHERE a.created_at < ${to} AND (a.churned_at IS NULL OR a.churned_at >= ${to})`;
}

/**
 * Milestone level = the mean level (0–3) of accounts live at the end of the range, with how many are at
 * each level and how many lost a milestone (e.g. their integration went outdated) in the details.
 */
export const milestoneLevel: MetricDefinition = {
	id: 'milestone_level',
	label: 'Milestone level (mean)',
	family: 'milestones',
	formula: 'mean over live accounts of the highest level L whose milestones of levels 1…L are all held at the end of the range',
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
	})
};
