import { sql, type Kysely } from 'kysely';
import type { Schema } from '$lib/server/db/schema.js';
import type { FilterKey, FilterOptions } from './query.js';

/** Distinct plans, segments, regions, CSMs and signup months of the loaded accounts, sorted. */
export async function filterOptions(db: Kysely<Schema>): Promise<FilterOptions> {
	const { rows } = await sql<{ key: FilterKey; value: string }>`
		SELECT DISTINCT 'plan' AS key, plan AS value FROM accounts WHERE plan IS NOT NULL
		UNION ALL SELECT DISTINCT 'segment', segment FROM accounts WHERE segment IS NOT NULL
		UNION ALL SELECT DISTINCT 'region', region FROM accounts WHERE region IS NOT NULL
		UNION ALL SELECT DISTINCT 'csm', csm FROM accounts WHERE csm IS NOT NULL
		UNION ALL SELECT DISTINCT 'cohort', strftime(created_at, '%Y-%m') FROM accounts
		ORDER BY key, value`.execute(db);
	const out: FilterOptions = { plan: [], segment: [], region: [], csm: [], cohort: [] };
	for (const r of rows) if (r.key in out) out[r.key as keyof FilterOptions].push(r.value);
	out.cohort.reverse(); // newest signup month first
	return out;
}
