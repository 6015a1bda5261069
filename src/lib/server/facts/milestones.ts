import { sql, type RawBuilder } from 'kysely';
import { andIf, factSql, touched, type FactSource, type FactTable } from './fact.js';
import { keyEventsSql, milestoneEventNames } from './key-events.js';

/**
 * Each account live at `asOf` (signed up before it, not churned before it) with its milestone level then:
 * the highest L such that it holds every milestone of levels 1…L. A milestone is held once its event
 * happened, unless its `revokedBy` event came later (a repeat of the event earns it back). With `asOf`
 * null: every account, from all its events; with `only`, just the accounts a load touched. Columns: `account_id`, `level` (0–3), `held`, `lost`
 * (milestones revoked and not earned back).
 */
export function milestoneLevelsSql(src: FactSource, asOfIso: string | null, only?: boolean): RawBuilder<unknown> {
	const ms = src.config.milestones;
	const asOf = sql`CAST(${asOfIso ?? '9999-12-31T00:00:00Z'} AS TIMESTAMPTZ)::TIMESTAMP`;
	const defs = sql.join(ms.map((m) => sql`(${m.level}, ${m.name}, ${m.event}, ${m.revokedBy ?? null})`));
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
			WHERE event IN (${sql.join(milestoneEventNames(src.config))}) AND timestamp < ${asOf}${andIf(only, touched.account(sql`account_id`))} GROUP BY account_id, event
		),
		held AS (
			SELECT a.account_id, m.level, got.at IS NOT NULL AND (lost.at IS NULL OR lost.at < got.at) AS held,
				got.at IS NOT NULL AND lost.at >= got.at AS revoked
			FROM accounts a CROSS JOIN m
			LEFT JOIN last got ON got.account_id = a.account_id AND got.event = m.event
			LEFT JOIN last lost ON lost.account_id = a.account_id AND lost.event = m.revoked_by
			WHERE ${asOfIso === null ? sql`true` : sql`a.created_at < ${asOf} AND (a.churned_at IS NULL OR a.churned_at >= ${asOf})`}${andIf(only, touched.account(sql`a.account_id`))}
		)
		SELECT account_id, ${level} AS level, count(*) FILTER (WHERE held) AS held, count(*) FILTER (WHERE revoked) AS lost
		FROM held GROUP BY account_id`;
}

/**
 * `derived_milestone_levels`: every account's milestone level from all its events (see
 * {@link milestoneLevelsSql}), what the milestone metric reads when its range ends after the data.
 */
export const milestoneLevelsTable: FactTable = {
	name: 'derived_milestone_levels',
	// Due dates are the alerts' business, not the levels': changing one rebuilds nothing.
	signature: (c) => JSON.stringify(c.milestones.map(({ dueDays: _, ...m }) => m)),
	scope: 'accounts',
	touchedRows: touched.account(sql`account_id`),
	build: (c, built, only) => milestoneLevelsSql({ config: c, derived: built }, null, only)
};

/** SQL of every account's all-time milestone level (see {@link milestoneLevelsTable}), from the stored table while it is fresh. */
export function allTimeMilestoneLevelsSql(src: FactSource): RawBuilder<unknown> {
	return factSql(src, milestoneLevelsTable);
}
