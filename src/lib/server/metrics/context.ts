import type { Kysely } from 'kysely';
import type { Config } from '../config/config.js';
import type { Schema } from '../db/schema.js';
import { freshDerived } from '../derive/derived.js';
import { resolveRange, type Filters } from './filters.js';
import type { MetricContext } from './metric.js';

/** The context every metric, list and cohort view of one request shares: the range resolved once, the fresh derived tables. */
export async function metricContext(db: Kysely<Schema>, config: Config, filters: Filters): Promise<MetricContext> {
	const [range, derived] = await Promise.all([resolveRange(db, filters), freshDerived(db, config)]);
	return { db, config, filters, range, derived };
}
