import { sql, type RawBuilder } from 'kysely';
import { andIf, factSql, micros, touched, type FactSource, type FactTable } from './fact.js';

/**
 * `derived_confusion`: confusion bursts. A burst is a user viewing the same page `confusion.views` times
 * within `confusion.withinMinutes`; it is dated by the view that completes it (`at`), and a run of views
 * that stays over the threshold counts once. Columns: `at`, `account_id`, `user_id`, `page`.
 */
export const confusionTable: FactTable = {
	name: 'derived_confusion',
	signature: (c) => JSON.stringify(c.confusion),
	scope: 'users',
	touchedRows: touched.user(sql`user_id`),
	build: (c, _built, only) => sql`
		SELECT b.at, b.account_id, b.user_id, b.page FROM (
			SELECT timestamp AS at, account_id, user_id, page, n, lag(n) OVER (PARTITION BY user_id, page ORDER BY timestamp) AS prev_n
			FROM (
				SELECT timestamp, account_id, user_id, page,
					count(*) OVER (PARTITION BY user_id, page ORDER BY timestamp
						RANGE BETWEEN ${micros(c.confusion.withinMinutes * 60e6)} PRECEDING AND CURRENT ROW) AS n
				FROM events WHERE event = 'Page Viewed' AND user_id IS NOT NULL AND page IS NOT NULL${andIf(only, touched.user(sql`user_id`))}
			)
		) b WHERE b.n >= ${c.confusion.views} AND coalesce(b.prev_n, 0) < ${c.confusion.views}`
};

/**
 * `derived_automation_repeats`: a self-service automation (`repeatAutomation.event`, named by its
 * `automation` property) firing `runs` times within `withinHours` for one account, dated by the run that
 * completes the burst. Columns: `at`, `account_id`, `automation`.
 */
export const automationTable: FactTable = {
	name: 'derived_automation_repeats',
	signature: (c) => JSON.stringify(c.repeatAutomation),
	scope: 'accounts',
	touchedRows: touched.account(sql`account_id`),
	build: (c, _built, only) => {
		const { event, runs, withinHours } = c.repeatAutomation;
		return sql`
			SELECT b.at, b.account_id, b.automation FROM (
				SELECT timestamp AS at, account_id, automation, n, lag(n) OVER (PARTITION BY account_id, automation ORDER BY timestamp) AS prev_n
				FROM (
					SELECT timestamp, account_id, coalesce(properties ->> '$.automation', '(unnamed)') AS automation,
						count(*) OVER (PARTITION BY account_id, coalesce(properties ->> '$.automation', '(unnamed)') ORDER BY timestamp
							RANGE BETWEEN ${micros(withinHours * 3600e6)} PRECEDING AND CURRENT ROW) AS n
					FROM events WHERE event = ${event} AND account_id IS NOT NULL${andIf(only, touched.account(sql`account_id`))}
				)
			) b WHERE b.n >= ${runs} AND coalesce(b.prev_n, 0) < ${runs}`;
	}
};

/** SQL of the confusion bursts (see {@link confusionTable}), from the stored table while it is fresh. */
export function confusionBurstsSql(src: FactSource): RawBuilder<unknown> {
	return factSql(src, confusionTable);
}

/** SQL of the automation repeats (see {@link automationTable}), from the stored table while it is fresh. */
export function repeatAutomationsSql(src: FactSource): RawBuilder<unknown> {
	return factSql(src, automationTable);
}
