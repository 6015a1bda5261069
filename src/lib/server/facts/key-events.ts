import { sql, type RawBuilder } from 'kysely';
import type { Config } from '../config/config.js';
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
 * `derived_key_events`: the events first value, the funnel, milestones (and what revokes them) and bot
 * quality look at, with columns `account_id`, `event`, `timestamp`: a few rows per account instead of
 * every event. Bot events without an account still count towards bot quality, so rows without one are kept.
 */
export const keyEventsTable: FactTable = {
	name: 'derived_key_events',
	signature: (c) => JSON.stringify(keyEventNames(c)),
	scope: 'accounts',
	touchedRows: touched.account(sql`account_id`),
	build: (c, _built, only) =>
		sql`SELECT account_id, event, timestamp FROM events WHERE event IN (${sql.join(keyEventNames(c))})${andIf(only, touched.account(sql`account_id`))}`
};

/** SQL of the key events (see {@link keyEventsTable}), from the stored table while it is fresh. */
export function keyEventsSql(src: FactSource): RawBuilder<unknown> {
	return factSql(src, keyEventsTable);
}
