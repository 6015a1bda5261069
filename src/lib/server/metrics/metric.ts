import type { Kysely } from 'kysely';
import type { Config } from '../config/config.js';
import type { Schema } from '../db/schema.js';
import type { Filters, Range } from './filters.js';

/** What every metric computes from. */
export interface MetricContext {
	db: Kysely<Schema>;
	config: Config;
	filters: Filters;
	range: Range;
}

/** A metric's value (a plain number, a name, or null when undefined, e.g. a zero denominator) and how it was made. */
export interface MetricResult {
	value: number | string | null;
	/** Numerator, denominator, interval, counts: whatever the value is made of. */
	details: object;
}

/** One metric: what the overview, the API, the CLI and the docs enumerate. */
export interface MetricDefinition {
	id: string;
	label: string;
	family: string;
	/** The exact formula, in words a user can check. */
	formula: string;
	unit: 'rate' | 'days' | 'score' | 'ratio' | 'nps' | 'step';
	/** Which way is good. */
	direction: 'higher' | 'lower' | 'none';
	compute(ctx: MetricContext): Promise<MetricResult>;
}
