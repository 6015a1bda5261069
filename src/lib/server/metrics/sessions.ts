import type { RawBuilder } from 'kysely';
import { derivedOrBuilt, sessionsTable } from '../derive/derived.js';
import type { MetricContext } from './metric.js';

/**
 * SQL of the self-service sessions: a user's self-service activities (a `kb_searches` row, or an event
 * named in `selfServiceEvents`) with gaps under `sessionGapMinutes` form one session. Columns: `user_id`,
 * `account_id` (of the session's first activity), `started_at`, `last_at`, and `next_ticket_at` (the
 * user's first ticket after the session's last activity, deleted tickets aside). Sessions are cut over
 * all the data, so one that straddles the start of a range is whole; activities without a user cannot be
 * grouped and are left out. Read from `derived_sessions` while it is fresh.
 */
export function sessionsSql(ctx: MetricContext): RawBuilder<unknown> {
	return derivedOrBuilt(ctx, sessionsTable);
}
