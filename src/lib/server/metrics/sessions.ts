import { sql, type RawBuilder } from 'kysely';
import type { MetricContext } from './metric.js';

/**
 * SQL of the self-service sessions: a user's self-service activities (a `kb_searches` row, or an event
 * named in `selfServiceEvents`) with gaps under `sessionGapMinutes` form one session. Columns: `user_id`,
 * `account_id` (of the session's first activity), `started_at`, `last_at`. Sessions are cut over all the
 * data, so one that straddles the start of a range is whole; activities without a user cannot be grouped
 * and are left out.
 */
export function sessionsSql(ctx: MetricContext): RawBuilder<unknown> {
	const { config } = ctx;
	const gap = sql`to_microseconds(CAST(${config.windows.sessionGapMinutes} * 60e6 AS BIGINT))`;
	return sql`
		WITH act AS (
			SELECT user_id, account_id, timestamp AS ts FROM kb_searches WHERE user_id IS NOT NULL
			UNION ALL
			SELECT user_id, account_id, timestamp FROM events WHERE event IN (${sql.join(config.selfServiceEvents)}) AND user_id IS NOT NULL
		), marked AS (
			SELECT *, CASE WHEN lag(ts) OVER (PARTITION BY user_id ORDER BY ts) > ts - ${gap} THEN 0 ELSE 1 END AS starts FROM act
		), numbered AS (
			SELECT *, sum(starts) OVER (PARTITION BY user_id ORDER BY ts ROWS UNBOUNDED PRECEDING) AS session_no FROM marked
		)
		SELECT user_id, arg_min(account_id, ts) AS account_id, min(ts) AS started_at, max(ts) AS last_at
		FROM numbered GROUP BY user_id, session_no`;
}
