import type { Kysely, RawBuilder } from 'kysely';
import type { Config } from '../config/config.js';
import type { Schema } from '../db/schema.js';
import type { GroupBy } from './engine.js';
import type { Filters, Range } from './filters.js';

/** What every metric computes from. */
export interface MetricContext {
	db: Kysely<Schema>;
	config: Config;
	filters: Filters;
	range: Range;
	/** Derived tables fresh for this config and data (see `derive/derived.ts`); others are computed on the fly. */
	derived?: Set<string>;
	/** How the facts will be grouped, for facts that can read a coarser rollup when the grouping allows it. */
	group?: GroupBy;
}

/** A metric's value (a plain number, a name, or null when undefined, e.g. a zero denominator) and how it was made. */
export interface MetricResult<D extends object = object> {
	value: number | string | null;
	/** Numerator, denominator, interval, counts: whatever the value is made of, typed per metric. */
	details: D;
}

/** The families metrics are grouped in, with their names on pages, in the order the dashboard's table shows them. */
export const FAMILIES = {
	friction: 'Ticket friction',
	knowledge: 'Knowledge base health',
	bot: 'Support bot',
	confusion: 'Confusion signals',
	automation: 'Repeat automations',
	milestones: 'Milestones',
	deflection: 'Self-service',
	satisfaction: 'Satisfaction',
	search: 'Search',
	adoption: 'Adoption',
	ttfv: 'Time to first value',
	funnel: 'Activation funnel'
} as const;
/** A metric family. */
export type MetricFamily = keyof typeof FAMILIES;

/** One row of a metric's aggregate, as DuckDB returns it. */
export type AggregateRow = Record<string, number | null>;

/**
 * One metric, as three parts the engine puts together, so filters, trends and breakdowns are written once
 * (in `engine.ts`) for every metric:
 * - `facts`: SQL of the rows the metric is made of, over all the data, with an `at` timestamp (UTC, what
 *   the date range and trends look at) and an `account_id` (what account filters and breakdowns look at);
 * - `aggregate`: the SQL select list that summarises those rows (over alias `f`);
 * - `finish`: turns one aggregate row into the value and its details.
 */
export interface MetricDefinition<D extends object = object> {
	id: string;
	label: string;
	family: MetricFamily;
	/** The exact formula, in words a user can check, with the windows and thresholds of the config in force. */
	formula(config: Config): string;
	unit: 'rate' | 'days' | 'hours' | 'score' | 'ratio' | 'nps' | 'step' | 'count' | 'per_1000' | 'level';
	/** Which way is good. */
	direction: 'higher' | 'lower' | 'none';
	/** A state of things now (the knowledge base), not activity: the date range does not apply and there is no trend. */
	timeless?: boolean;
	/** Not about accounts (articles): account filters and breakdowns do not apply. */
	accountless?: boolean;
	/** A mean score's scale (5 for answers 1–5): the value reads "3.72 / 5" and charts run to it. */
	scale?: number;
	facts(ctx: MetricContext): RawBuilder<unknown>;
	aggregate(ctx: MetricContext): RawBuilder<unknown>;
	finish(row: AggregateRow, ctx: MetricContext): MetricResult<D>;
	/** What the value is made of, in words: "312 of 780 sessions, 95 % CI 36–43 %", so 7 accounts do not read like 7,000. */
	basis(details: D): string;
	/** The 95 % interval, for metrics with one (a target inside it is met or missed, but not clearly). */
	interval?(details: D): [number, number] | null;
	/** How many rows the value is made of (a chart point's n). */
	n?(details: D): number | null;
}

/** A metric definition with its details' type inferred from `finish` (every part of it checked against them). */
export function defineMetric<D extends object>(m: MetricDefinition<D>): MetricDefinition<D> {
	return m;
}
