import { sql, type RawBuilder } from 'kysely';
import { derivedOrBuilt, keyEventsTable } from '../derive/derived.js';
import type { MetricContext } from './metric.js';

/**
 * SQL of the key events (first value, funnel steps, milestones and what revokes them, bot events; rows
 * without an account included) with columns
 * `account_id`, `event`, `timestamp`: a few rows per account, read from `derived_key_events` while it is
 * fresh instead of scanning every event.
 */
export function keyEventsSql(ctx: MetricContext): RawBuilder<unknown> {
	return derivedOrBuilt(ctx, keyEventsTable);
}

/** SQL of each account's first first-value event: `account_id`, `first_at`. */
export function firstValueSql(ctx: MetricContext): RawBuilder<unknown> {
	return sql`SELECT account_id, min(timestamp) AS first_at FROM (${keyEventsSql(ctx)})
		WHERE event IN (${sql.join(ctx.config.firstValueEvents)}) AND account_id IS NOT NULL GROUP BY account_id`;
}
