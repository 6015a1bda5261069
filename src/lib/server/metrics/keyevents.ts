import type { RawBuilder } from 'kysely';
import { derivedOrBuilt, firstValueTable, keyEventsTable } from '../derive/derived.js';
import type { MetricContext } from './metric.js';

/**
 * SQL of the key events (first value, funnel steps, milestones and what revokes them, bot events; rows
 * without an account included) with columns
 * `account_id`, `event`, `timestamp`: a few rows per account, read from `derived_key_events` while it is
 * fresh instead of scanning every event.
 */
export function keyEventsSql(ctx: Pick<MetricContext, 'config' | 'derived'>): RawBuilder<unknown> {
	return derivedOrBuilt(ctx, keyEventsTable);
}

/** SQL of each account's first first-value event: `account_id`, `first_at` (from `derived_first_value` while it is fresh). */
export function firstValueSql(ctx: MetricContext): RawBuilder<unknown> {
	return derivedOrBuilt(ctx, firstValueTable);
}
