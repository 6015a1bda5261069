import { sql, type RawBuilder } from 'kysely';
import { andIf, factSql, touched, type FactSource, type FactTable } from './fact.js';

/**
 * `derived_account_days`: one row per account and UTC day with any activity (event, search or ticket):
 * whether any of it was portal activity (self-service or a ticket), what portal adoption counts; and the
 * day's product events and distinct active users, what the feature snapshots' usage windows add up.
 */
export const accountDaysTable: FactTable = {
	name: 'derived_account_days',
	// `columns` changes with the table's shape, so a table built by an older version counts as stale.
	signature: (c) => JSON.stringify({ columns: 'portal,events,users', events: [...c.selfServiceEvents].sort() }),
	scope: 'days',
	touchedRows: touched.day(sql`derived_account_days.account_id`, sql`derived_account_days.day`),
	// Columns are qualified: inside the touched-days subquery a bare `account_id` would be the subquery's own.
	build: (c, _built, only) => sql`
		SELECT account_id, day, bool_or(portal) AS portal, count(*) FILTER (WHERE is_event) AS events,
			count(DISTINCT user_id) FILTER (WHERE is_event) AS users
		FROM (
			SELECT account_id, timestamp::DATE AS day, true AS portal, false AS is_event, NULL AS user_id FROM kb_searches
			WHERE account_id IS NOT NULL${andIf(only, touched.day(sql`kb_searches.account_id`, sql`kb_searches.timestamp::DATE`))}
			UNION ALL
			SELECT account_id, timestamp::DATE, event IN (${sql.join(c.selfServiceEvents)}), true, user_id FROM events
			WHERE account_id IS NOT NULL${andIf(only, touched.day(sql`events.account_id`, sql`events.timestamp::DATE`))}
			UNION ALL
			SELECT account_id, created_at::DATE, true, false, NULL FROM tickets
			WHERE account_id IS NOT NULL AND NOT coalesce(deleted, false)${andIf(only, touched.day(sql`tickets.account_id`, sql`tickets.created_at::DATE`))}
		) GROUP BY account_id, day
		-- In day order, so a query for a few days reads only their blocks.
		ORDER BY day`
};

/**
 * `derived_account_weeks`: the account-days rolled up to (UTC, Monday) weeks, a fifth of the rows: portal
 * adoption reads it for the whole weeks of a range (see `metrics/adoption.ts`).
 */
export const accountWeeksTable: FactTable = {
	name: 'derived_account_weeks',
	signature: accountDaysTable.signature,
	scope: 'days',
	touchedRows: touched.week(sql`derived_account_weeks.account_id`, sql`derived_account_weeks.week`),
	build: (c, built, only) => sql`SELECT account_id, date_trunc('week', day)::DATE AS week, bool_or(portal) AS portal
		FROM (${factSql({ config: c, derived: built }, accountDaysTable)}) d
		${only ? sql`WHERE ${touched.week(sql`d.account_id`, sql`date_trunc('week', d.day)::DATE`)}` : sql``} GROUP BY account_id, week`
};

/** SQL of the account-days (see {@link accountDaysTable}), from the stored table while it is fresh. */
export function accountDaysSql(src: FactSource): RawBuilder<unknown> {
	return factSql(src, accountDaysTable);
}
