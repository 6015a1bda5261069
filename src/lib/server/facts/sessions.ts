import { sql, type RawBuilder } from 'kysely';
import { andIf, factSql, micros, touched, type FactSource, type FactTable } from './fact.js';

/**
 * `derived_sessions`: self-service sessions. A user's self-service activities (a `kb_searches` row, or an
 * event named in `selfServiceEvents`) with gaps under `sessionGapMinutes` form one session. Columns:
 * `user_id`, `account_id` (of the session's first activity), `started_at`, `last_at`, and `next_ticket_at`
 * (the user's first ticket after the session's last activity, deleted tickets aside, found by an ASOF
 * join). Sessions are cut over all the data, so one that straddles the start of a range is whole;
 * activities without a user cannot be grouped and are left out.
 */
export const sessionsTable: FactTable = {
	name: 'derived_sessions',
	signature: (c) => JSON.stringify({ gap: c.windows.sessionGapMinutes, events: [...c.selfServiceEvents].sort() }),
	scope: 'users',
	touchedRows: touched.user(sql`user_id`),
	// A user's sessions and their next tickets depend on that user's activity and tickets only.
	build: (c, _built, only) => sql`
		WITH act AS (
			SELECT user_id, account_id, timestamp AS ts FROM kb_searches WHERE user_id IS NOT NULL${andIf(only, touched.user(sql`user_id`))}
			UNION ALL
			SELECT user_id, account_id, timestamp FROM events WHERE event IN (${sql.join(c.selfServiceEvents)}) AND user_id IS NOT NULL${andIf(only, touched.user(sql`user_id`))}
		), marked AS (
			SELECT *, CASE WHEN lag(ts) OVER (PARTITION BY user_id ORDER BY ts) > ts - ${micros(c.windows.sessionGapMinutes * 60e6)} THEN 0 ELSE 1 END AS starts
			FROM act
		), numbered AS (
			SELECT *, sum(starts) OVER (PARTITION BY user_id ORDER BY ts ROWS UNBOUNDED PRECEDING) AS session_no FROM marked
		), s AS (
			SELECT user_id, arg_min(account_id, ts) AS account_id, min(ts) AS started_at, max(ts) AS last_at FROM numbered GROUP BY user_id, session_no
		), t AS (
			SELECT requester_id, created_at FROM tickets WHERE NOT coalesce(deleted, false) AND requester_id IS NOT NULL${andIf(only, touched.user(sql`requester_id`))}
		)
		SELECT s.user_id, s.account_id, s.started_at, s.last_at, t.created_at AS next_ticket_at
		FROM s ASOF LEFT JOIN t ON t.requester_id = s.user_id AND t.created_at > s.last_at`
};

/** SQL of the self-service sessions (see {@link sessionsTable}), from the stored table while it is fresh. */
export function sessionsSql(src: FactSource): RawBuilder<unknown> {
	return factSql(src, sessionsTable);
}
