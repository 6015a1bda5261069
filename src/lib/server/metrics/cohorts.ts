import { sql } from 'kysely';
import { inRange, inScope } from './filters.js';
import { firstValueSql } from '../facts/first-value.js';
import type { MetricContext } from './metric.js';

/** One cell of a cohort matrix: of the cohort's accounts whose week has ended, the share that qualifies. */
export interface CohortCell {
	week: number;
	value: number | null;
	numerator: number;
	/** Accounts of the cohort whose week `week` had ended by the end of the data. */
	denominator: number;
}

/** A signup-month cohort's row. */
export interface CohortRow {
	cohort: string;
	accounts: number;
	cells: CohortCell[];
}

/** A signup-month × weeks-since-signup matrix. */
export interface CohortMatrix {
	kind: 'activation' | 'retention';
	weeks: number;
	cohorts: CohortRow[];
}

/** Cohort accounts: signed up in the range, in scope, dated by signup. */
const cohortAccounts = (ctx: MetricContext) => sql`
	SELECT account_id, created_at, strftime(created_at, '%Y-%m') AS cohort FROM accounts
	WHERE ${inRange(sql.ref('created_at'), ctx.range)} AND ${inScope(sql.ref('account_id'), ctx.filters)}`;

/**
 * Signup-month cohort × weeks since signup (week w = days 7w to 7w+6 after `created_at`):
 * - `activation`: the share of accounts that had reached first value by the end of week w;
 * - `retention`: the share of accounts with qualifying activity (`retentionEvents`, or any event) in week w.
 * Only accounts whose week w has ended by the end of the data are in a cell, so young cohorts are not
 * read as churning; a cell no account has reached yet is null.
 */
export async function cohortMatrix(ctx: MetricContext, kind: 'activation' | 'retention', weeks = 12): Promise<CohortMatrix> {
	const end = sql`CAST(${ctx.range.end_of_data ?? '0001-01-01T00:00:00Z'} AS TIMESTAMPTZ)::TIMESTAMP`;
	const qualifying = ctx.config.retentionEvents.length ? sql`AND e.event IN (${sql.join(ctx.config.retentionEvents)})` : sql``;
	// For each account and week: did it qualify in (retention) or by the end of (activation) that week.
	const hits =
		kind === 'retention'
			? sql`SELECT DISTINCT e.account_id, floor(date_diff('second', a.created_at, e.timestamp) / 604800)::INTEGER AS week
				FROM events e JOIN a USING (account_id) WHERE e.timestamp >= a.created_at ${qualifying}`
			: sql`SELECT fv.account_id, w.week FROM (${firstValueSql(ctx)}) fv JOIN a USING (account_id), range(${weeks}) w(week)
				WHERE fv.first_at < a.created_at + INTERVAL 7 DAY * (w.week + 1)`;
	const { rows } = await sql<{ cohort: string; accounts: number; week: number; eligible: number; qualified: number }>`
		WITH a AS (${cohortAccounts(ctx)}),
		h AS (${hits}),
		grid AS (SELECT a.account_id, a.cohort, w.week, a.created_at + INTERVAL 7 DAY * (w.week + 1) <= ${end} AS ended
			FROM a, range(${weeks}) w(week))
		SELECT g.cohort, (SELECT count(*) FROM a WHERE a.cohort = g.cohort) AS accounts, g.week,
			count(*) FILTER (WHERE g.ended) AS eligible,
			count(h.account_id) FILTER (WHERE g.ended) AS qualified
		FROM grid g LEFT JOIN h ON h.account_id = g.account_id AND h.week = g.week
		GROUP BY g.cohort, g.week ORDER BY g.cohort, g.week`.execute(ctx.db);
	const byCohort = new Map<string, CohortRow>();
	for (const r of rows) {
		const row = byCohort.get(r.cohort) ?? { cohort: r.cohort, accounts: r.accounts, cells: [] };
		row.cells.push({ week: r.week, value: r.eligible ? r.qualified / r.eligible : null, numerator: r.qualified, denominator: r.eligible });
		byCohort.set(r.cohort, row);
	}
	return { kind, weeks, cohorts: [...byCohort.values()] };
}

/** Buckets of the TTFV distribution, in days. */
export const TTFV_BUCKETS: [string, number][] = [
	['< 1 day', 1],
	['1–3 days', 3],
	['3–7 days', 7],
	['7–14 days', 14],
	['14–30 days', 30],
	['30–60 days', 60],
	['60–90 days', 90],
	['> 90 days', Infinity]
];

/** Per signup-month cohort: how many accounts reached first value in each TTFV bucket, and how many have not yet. */
export async function ttfvDistribution(ctx: MetricContext) {
	const bucket = sql.join(
		TTFV_BUCKETS.map(([label, max]) => (Number.isFinite(max) ? sql`WHEN days < ${max} THEN ${label}` : sql`ELSE ${label}`)),
		sql` `
	);
	const { rows } = await sql<{ cohort: string; bucket: string | null; n: number }>`
		WITH a AS (${cohortAccounts(ctx)}),
		fv AS (${firstValueSql(ctx)}),
		d AS (SELECT a.cohort, greatest(0, date_diff('second', a.created_at, fv.first_at) / 86400.0) AS days, fv.first_at IS NOT NULL AS reached
			FROM a LEFT JOIN fv USING (account_id))
		SELECT cohort, CASE WHEN NOT reached THEN NULL ${bucket} END AS bucket, count(*) AS n FROM d GROUP BY ALL ORDER BY cohort`.execute(ctx.db);
	const cohorts = new Map<string, { cohort: string; accounts: number; not_yet: number; buckets: Record<string, number> }>();
	for (const r of rows) {
		const c = cohorts.get(r.cohort) ?? {
			cohort: r.cohort,
			accounts: 0,
			not_yet: 0,
			buckets: Object.fromEntries(TTFV_BUCKETS.map(([l]) => [l, 0]))
		};
		c.accounts += r.n;
		if (r.bucket === null) c.not_yet += r.n;
		else c.buckets[r.bucket] = r.n;
		cohorts.set(r.cohort, c);
	}
	return { buckets: TTFV_BUCKETS.map(([l]) => l), cohorts: [...cohorts.values()] };
}
