import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Schema } from '../db/schema.js';
import type { Driver } from '../models/explain.js';
import { DEFAULT_ORDER, type WorklistOrder, type WorklistSort } from '../../scores/order.js';
import type { RiskBand, WorklistFilters } from './filters.js';

/** One `adoption score` run: the as-of date its rows describe, the model that made them, how many. */
export interface ScoreRun {
	as_of: string;
	model: string;
	version: string;
	scored_at: string;
	accounts: number;
}

/** One account on the worklist: its score joined with the account's attributes. */
export interface WorklistRow {
	/** Position among all accounts of the run by churn probability (1 = riskiest), whatever the filters. */
	rank: number;
	account_id: string;
	name: string | null;
	plan: string | null;
	segment: string | null;
	region: string | null;
	arr: number | null;
	/** Expected ARR at risk: churn probability × ARR; null without an ARR. */
	arr_at_risk: number | null;
	csm: string | null;
	renewal_date: string | null;
	/** Days from the as-of date to the renewal (negative when it has passed); null without a renewal date. */
	days_to_renewal: number | null;
	risk_band: RiskBand;
	churn_probability: number;
	risk_percentile: number;
	/** 0–100. */
	health: number | null;
	/** Milestone level ÷ 3. */
	adoption: number | null;
	/** −100…100; null without survey answers. */
	sentiment: number | null;
	/** What raises the account's risk most, largest first. */
	drivers: Driver[];
}

/** The accounts a selection covers, per band, the ARR of its high-risk ones and the ARR expected to churn. */
export interface WorklistSummary {
	accounts: number;
	bands: Record<RiskBand, number>;
	arr_at_high_risk: number;
	/** Σ churn probability × ARR over the selection: the ARR the model expects to lose. */
	expected_arr_at_risk: number;
}

/** The lowest churn probability in the high and medium bands of a run (null when a band is empty): where each band starts. */
export type BandThresholds = Record<'high' | 'medium', number | null>;

/** Each order's SQL expression over a ranked row; every order ends on the rank, so ties read riskiest first. */
const ORDER_BY: Record<WorklistSort, string> = {
	stake: 'arr_at_risk',
	risk: 'churn_probability',
	name: 'lower(coalesce(name, account_id))',
	arr: 'arr',
	csm: 'lower(csm)',
	renewal: 'days_to_renewal',
	health: 'health',
	sentiment: 'sentiment'
};

/** `ORDER BY` for an order: missing values last in either direction, then the risk rank. */
function orderBy(order: WorklistOrder): RawBuilder<unknown> {
	const dir = order.dir === 'asc' ? sql`ASC` : sql`DESC`;
	return sql`${sql.raw(ORDER_BY[order.sort])} ${dir} NULLS LAST, rank`;
}

/** The values the worklist's attribute filters can take among the scored accounts, sorted. */
export interface WorklistOptions {
	csm: string[];
	plan: string[];
	segment: string[];
	region: string[];
}

const ATTRIBUTES = ['csm', 'plan', 'segment', 'region'] as const;

/**
 * The run's scored accounts with their attributes and overall rank. Ranked before any filter, so "#12"
 * means the 12th riskiest account of the run in every view of it.
 */
function ranked(asOf: string): RawBuilder<unknown> {
	return sql`
		SELECT s.account_id, a.name, a.plan, a.segment, a.region, a.arr, a.csm, a.renewal_date,
			date_diff('day', s.as_of::DATE, a.renewal_date) AS days_to_renewal,
			s.churn_probability * a.arr AS arr_at_risk, s.risk_band, s.churn_probability, s.risk_percentile, s.health, s.adoption, s.sentiment, s.drivers,
			row_number() OVER (ORDER BY s.churn_probability DESC, s.account_id) AS rank
		FROM account_scores s JOIN accounts a ON a.account_id = s.account_id
		WHERE s.as_of = CAST(${asOf} AS TIMESTAMPTZ)::TIMESTAMP`;
}

/** SQL: a ranked row matches the filters (the band too, unless `withBand` is false). */
function matches(f: WorklistFilters, withBand = true): RawBuilder<boolean> {
	const conds: RawBuilder<unknown>[] = [sql`true`];
	if (withBand && f.band) conds.push(sql`risk_band = ${f.band}`);
	for (const k of ATTRIBUTES) if (f[k] !== undefined) conds.push(sql`${sql.ref(k)} = ${f[k]}`);
	// contains() rather than LIKE: a search for "50%" or "a_b" means those characters.
	if (f.q) conds.push(sql`(contains(lower(coalesce(name, '')), lower(${f.q})) OR contains(lower(account_id), lower(${f.q})))`);
	return sql<boolean>`${sql.join(conds, sql` AND `)}`;
}

/** Drivers as stored: a JSON array, or null for none. */
export function parseDrivers(json: string | null): Driver[] {
	if (!json) return [];
	const value: unknown = JSON.parse(json);
	return Array.isArray(value) ? (value as Driver[]) : [];
}

/**
 * Reads `account_scores` joined with `accounts` for the at-risk worklist. Every read names the run's
 * as-of date, so one page's rows, counts and filter options describe the same run.
 */
export class ScoresRepository {
	constructor(private readonly db: Kysely<Schema>) {}

	/** The latest run (the greatest as-of date scored), or null when nothing has been scored. */
	async latestRun(): Promise<ScoreRun | null> {
		const { rows } = await sql<ScoreRun>`
			SELECT as_of, max(model) AS model, max(version) AS version, max(scored_at) AS scored_at, count(*) AS accounts
			FROM account_scores WHERE as_of = (SELECT max(as_of) FROM account_scores) GROUP BY as_of`.execute(this.db);
		return rows[0] ?? null;
	}

	/**
	 * The accounts matching `filters` in `order` (by default the ARR at risk, largest first): `limit` of
	 * them after `offset` (every one when `limit` is null), and how many match in all.
	 */
	async list(
		asOf: string,
		filters: WorklistFilters,
		page: { limit: number | null; offset: number },
		order: WorklistOrder = DEFAULT_ORDER
	): Promise<{ total: number; rows: WorklistRow[] }> {
		const limit = page.limit === null ? sql`` : sql`LIMIT ${page.limit}`;
		const { rows } = await sql<Omit<WorklistRow, 'drivers'> & { drivers: string | null; total: number }>`
			SELECT *, count(*) OVER () AS total FROM (${ranked(asOf)}) r
			WHERE ${matches(filters)} ORDER BY ${orderBy(order)} ${limit} OFFSET ${page.offset}`.execute(this.db);
		// Past the last row there are no rows to carry the total: count it apart.
		const total = rows.length ? rows[0].total : await this.count(asOf, filters);
		return { total, rows: rows.map(({ total: _, drivers, ...r }) => ({ ...r, drivers: parseDrivers(drivers) })) };
	}

	private async count(asOf: string, filters: WorklistFilters): Promise<number> {
		const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM (${ranked(asOf)}) r WHERE ${matches(filters)}`.execute(this.db);
		return rows[0]?.n ?? 0;
	}

	/**
	 * Counts per band and the ARR at high risk, over the accounts the other filters select: the band
	 * filter is left out, so the counts say how many each band would show.
	 */
	async summary(asOf: string, filters: WorklistFilters): Promise<WorklistSummary> {
		const { rows } = await sql<{
			accounts: number;
			high: number;
			medium: number;
			low: number;
			arr: number | null;
			expected: number | null;
		}>`
			SELECT count(*) AS accounts,
				count(*) FILTER (WHERE risk_band = 'high') AS high,
				count(*) FILTER (WHERE risk_band = 'medium') AS medium,
				count(*) FILTER (WHERE risk_band = 'low') AS low,
				sum(arr) FILTER (WHERE risk_band = 'high') AS arr,
				sum(arr_at_risk) AS expected
			FROM (${ranked(asOf)}) r WHERE ${matches(filters, false)}`.execute(this.db);
		const r = rows[0];
		return {
			accounts: r?.accounts ?? 0,
			bands: { high: r?.high ?? 0, medium: r?.medium ?? 0, low: r?.low ?? 0 },
			arr_at_high_risk: r?.arr ?? 0,
			expected_arr_at_risk: r?.expected ?? 0
		};
	}

	/** Where the run's high and medium bands start, in churn probability (over every account, whatever the filters). */
	async thresholds(asOf: string): Promise<BandThresholds> {
		const { rows } = await sql<{ high: number | null; medium: number | null }>`
			SELECT min(churn_probability) FILTER (WHERE risk_band = 'high') AS high,
				min(churn_probability) FILTER (WHERE risk_band = 'medium') AS medium
			FROM account_scores WHERE as_of = CAST(${asOf} AS TIMESTAMPTZ)::TIMESTAMP`.execute(this.db);
		return { high: rows[0]?.high ?? null, medium: rows[0]?.medium ?? null };
	}

	/** The CSMs, plans, segments and regions of the run's accounts. */
	async options(asOf: string): Promise<WorklistOptions> {
		const parts = ATTRIBUTES.map(
			(k) => sql`SELECT DISTINCT ${k} AS key, ${sql.ref(k)} AS value FROM (${ranked(asOf)}) r WHERE ${sql.ref(k)} IS NOT NULL`
		);
		const { rows } = await sql<{
			key: keyof WorklistOptions;
			value: string;
		}>`${sql.join(parts, sql` UNION ALL `)} ORDER BY key, value`.execute(this.db);
		const out: WorklistOptions = { csm: [], plan: [], segment: [], region: [] };
		for (const r of rows) out[r.key].push(r.value);
		return out;
	}
}
