import { sql, type Kysely, type RawBuilder } from 'kysely';
import { z } from 'zod';
import type { Schema } from '../db/schema.js';

const day = z
	.string()
	.regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
	// Date.parse rolls 2024-02-30 over to 1 March; a real date reads back as itself.
	.refine((d) => !Number.isNaN(Date.parse(d)) && new Date(Date.parse(d)).toISOString().slice(0, 10) === d, 'must be a real date');

/**
 * The filters every metric takes. Dates are UTC days, both ends included; the account attributes
 * (plan, segment, region, CSM, signup cohort `YYYY-MM`) narrow every metric to those accounts' activity.
 */
export const filtersSchema = z
	.object({
		from: day.optional(),
		to: day.optional(),
		plan: z.string().min(1).optional(),
		segment: z.string().min(1).optional(),
		region: z.string().min(1).optional(),
		csm: z.string().min(1).optional(),
		cohort: z
			.string()
			.regex(/^\d{4}-\d{2}$/, 'must be a signup month YYYY-MM')
			.optional(),
		asOf: day.optional()
	})
	.strict()
	.refine((f) => !f.from || !f.to || f.from <= f.to, { message: 'from must not be after to', path: ['from'] });

/** Validated filters. */
export type Filters = z.infer<typeof filtersSchema>;

/**
 * Filters parsed from user input, or the first problem. `key` is the schema's name (`asOf`, not the
 * CLI's `--as-of` or the API's `as_of`) and `message` is bare, so each caller words the error its own way.
 */
export type FiltersResult = { ok: true; filters: Filters } | { ok: false; key: string; message: string };

/**
 * Validates raw filter values with `filtersSchema`. Absent (`undefined`) values are dropped, as optional
 * flags and parameters come through that way; empty strings are kept, so each caller decides whether
 * an empty value means "not given" (the web) or is an error (the CLI).
 */
export function parseFilters(raw: Record<string, string | undefined>): FiltersResult {
	const parsed = filtersSchema.safeParse(Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)));
	if (parsed.success) return { ok: true, filters: parsed.data };
	const issue = parsed.error.issues[0];
	return { ok: false, key: String(issue.path[0] ?? ''), message: issue.message };
}

/** The account attributes a filter can name. */
const ACCOUNT_FILTERS = ['plan', 'segment', 'region', 'csm'] as const;

/** Whether the filters narrow the accounts (then rows without an account drop out). */
export function filtersAccounts(f: Filters): boolean {
	return ACCOUNT_FILTERS.some((k) => f[k] !== undefined) || f.cohort !== undefined;
}

/** The time span a metric covers: `[from, to)` in UTC, and the end of the data. */
export interface Range {
	/** Inclusive start (ISO), or null for "from the beginning". */
	from: string | null;
	/** Exclusive end (ISO): the day after `--to`, else the end of the data. */
	to: string;
	/** The latest timestamp among events, tickets, searches and surveys, or `--as-of`. */
	end_of_data: string | null;
}

/**
 * Resolves the range: `from` at 00:00 UTC, `to` as the day after (both days included), the end of the
 * data from the latest activity (or `asOf`, which also caps the range).
 */
export async function resolveRange(db: Kysely<Schema>, f: Filters): Promise<Range> {
	let end: string | null;
	if (f.asOf) end = `${f.asOf}T00:00:00.000Z`;
	else {
		const { rows } = await sql<{ end: string | null }>`
			SELECT greatest((SELECT max(timestamp) FROM events), (SELECT max(created_at) FROM tickets WHERE NOT coalesce(deleted, false)),
			                (SELECT max(timestamp) FROM kb_searches), (SELECT max(timestamp) FROM surveys)) AS "end"`.execute(db);
		end = rows[0]?.end ?? null;
	}
	const dayAfter = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString();
	// Without --to the range runs to just past the end of the data, so the last activity is inside it.
	let to = f.to ? dayAfter(f.to) : end ? new Date(Date.parse(end) + 1).toISOString() : dayAfter('9999-12-30');
	if (f.asOf && end && to > end) to = end;
	return { from: f.from ? `${f.from}T00:00:00.000Z` : null, to, end_of_data: end };
}

/** SQL: `column` falls in the range. */
export function inRange(column: RawBuilder<unknown>, range: Range): RawBuilder<boolean> {
	const upper = sql`${column} < CAST(${range.to} AS TIMESTAMPTZ)::TIMESTAMP`;
	return range.from ? sql<boolean>`(${column} >= CAST(${range.from} AS TIMESTAMPTZ)::TIMESTAMP AND ${upper})` : sql<boolean>`(${upper})`;
}

/**
 * SQL: the row's account (`column`) is one the filters select. Without account filters every row
 * qualifies, those without an account too; with them, only rows of matching accounts.
 */
export function inScope(column: RawBuilder<unknown>, f: Filters): RawBuilder<boolean> {
	if (!filtersAccounts(f)) return sql<boolean>`true`;
	const conds: RawBuilder<unknown>[] = [];
	for (const k of ACCOUNT_FILTERS) if (f[k] !== undefined) conds.push(sql`${sql.ref(k)} = ${f[k]}`);
	if (f.cohort) conds.push(sql`strftime(created_at, '%Y-%m') = ${f.cohort}`);
	return sql<boolean>`${column} IN (SELECT account_id FROM accounts WHERE ${sql.join(conds, sql` AND `)})`;
}

/** The values a filter bar can offer: each account attribute's distinct values, and the signup months. */
export type FilterOptions = Record<(typeof ACCOUNT_FILTERS)[number] | 'cohort', string[]>;

/** Distinct plans, segments, regions, CSMs and signup months of the loaded accounts, sorted. */
export async function filterOptions(db: Kysely<Schema>): Promise<FilterOptions> {
	const { rows } = await sql<{ key: string; value: string }>`
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
