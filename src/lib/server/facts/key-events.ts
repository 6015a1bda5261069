import { sql, type RawBuilder } from 'kysely';
import type { Config, EventCondition } from '../config/config.js';
import { andIf, factSql, touched, type FactSource, type FactTable } from './fact.js';

/** Bot events, counted by bot quality. */
export const BOT_EVENTS = ['Bot Conversation Started', 'Bot Answer Flagged'];

/** The events milestones are earned and revoked by. */
export function milestoneEventNames(config: Config): string[] {
	return [...new Set(config.milestones.flatMap((m) => (m.revokedBy ? [m.event, m.revokedBy] : [m.event])))].sort();
}

/** Every event name the config's first value, funnel and milestones look at, and the bot events. */
export function keyEventNames(config: Config): string[] {
	return [
		...new Set([...BOT_EVENTS, ...config.firstValueEvents, ...config.funnel.steps.map((s) => s.event), ...milestoneEventNames(config)])
	].sort();
}

/**
 * SQL of the rows meeting an event condition (see `config.ts`), one per account at most: the account's
 * `count`-th event of that name whose properties match `where`, dated by that event, when it came within
 * `withinDays` of signup. Ties in time are broken by event id, so the date does not depend on scan order.
 */
function conditionSql(label: string, c: EventCondition, only: boolean | undefined): RawBuilder<unknown> {
	// A number matches the property as a number (`3` and `3.0` alike); text and true/false as text.
	const where = Object.entries(c.where ?? {}).map(([key, value]) => {
		const prop = sql`json_extract_string(e.properties, ${`$."${key.replaceAll('"', '\\"')}"`})`;
		return typeof value === 'number' ? sql` AND TRY_CAST(${prop} AS DOUBLE) = ${value}` : sql` AND ${prop} = ${String(value)}`;
	});
	const within =
		c.withinDays === undefined ? sql`` : sql` AND e.timestamp < a.created_at + to_microseconds(CAST(${c.withinDays * 86400e6} AS BIGINT))`;
	return sql`
		SELECT account_id, ${label} AS event, timestamp FROM (
			SELECT e.account_id, e.timestamp, row_number() OVER (PARTITION BY e.account_id ORDER BY e.timestamp, e.event_id) AS n
			FROM events e JOIN accounts a ON a.account_id = e.account_id
			WHERE e.event = ${c.event}${sql.join(where, sql``)}${within}${andIf(only, touched.account(sql`e.account_id`))}
		) WHERE n = ${c.count}`;
}

/**
 * `derived_key_events`: the events first value, the funnel, milestones (and what revokes them) and bot
 * quality look at, with columns `account_id`, `event`, `timestamp`: a few rows per account instead of
 * every event. Bot events without an account still count towards bot quality, so rows without one are kept.
 * An event condition of the config is a row named by its label, dated when the condition was met.
 */
export const keyEventsTable: FactTable = {
	name: 'derived_key_events',
	signature: (c) => JSON.stringify([keyEventNames(c), c.eventConditions]),
	scope: 'accounts',
	touchedRows: touched.account(sql`account_id`),
	build: (c, _built, only) => {
		const plain = keyEventNames(c).filter((e) => !(e in c.eventConditions));
		const conditions = Object.entries(c.eventConditions).map(([label, cond]) => sql` UNION ALL ${conditionSql(label, cond, only)}`);
		return sql`SELECT account_id, event, timestamp FROM events WHERE event IN (${sql.join(plain)})${andIf(only, touched.account(sql`account_id`))}${sql.join(conditions, sql``)}`;
	}
};

/** SQL of the key events (see {@link keyEventsTable}), from the stored table while it is fresh. */
export function keyEventsSql(src: FactSource): RawBuilder<unknown> {
	return factSql(src, keyEventsTable);
}
