import { sql, type RawBuilder } from 'kysely';
import type { Config } from '../config/config.js';

/**
 * A fact table: per-session, per-account, per-day or per-burst rows that metrics, features and models
 * would otherwise recompute from millions of events on every request. Each is built from its `build` SQL,
 * stored as `name`, and valid for one config (`signature`: the settings its SQL depends on) and one state
 * of the data (see `derive/`, which keeps them fresh).
 */
export interface FactTable {
	name: string;
	signature(config: Config): string;
	/** The table's rows; `built` names the fact tables it may read instead of the raw data (fresh ones, or those built before it). */
	build(config: Config, built?: Set<string>): RawBuilder<unknown>;
}

/** What reading a fact needs: the config, and which fact tables are fresh (stored and usable) right now. */
export interface FactSource {
	config: Config;
	derived?: Set<string>;
}

/** SQL of a fact's rows: its stored table while that is fresh, else the same rows computed from the raw data. */
export function factSql(src: FactSource, table: FactTable): RawBuilder<unknown> {
	return src.derived?.has(table.name) ? sql`SELECT * FROM ${sql.table(table.name)}` : table.build(src.config, src.derived);
}

/** SQL: an interval of `micros` microseconds, written as a literal so the planner sees a constant. */
export function micros(n: number): RawBuilder<unknown> {
	return sql.raw(`to_microseconds(${Math.round(n)})`);
}
