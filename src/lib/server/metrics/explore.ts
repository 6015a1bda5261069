/**
 * The cohorts page's tables (`/cohorts`, `GET /api/explore/<table>`): signup-cohort heatmaps, TTFV per
 * cohort, the funnel per group, a metric broken down by an account attribute, and two segments compared.
 * Each is a view over what the metrics engine and the cohort matrices already compute (`engine.ts`'s
 * breakdowns, `cohorts.ts`, `compare.ts`): no formula is restated here, only arranged.
 */
import type { Kysely } from 'kysely';
import type { Memo } from '../cache/reads.js';
import type { Config } from '../config/config.js';
import type { Schema } from '../db/schema.js';
import { cohortMatrix, type CohortMatrix } from './cohorts.js';
import { compareSegments, sideValue, type Comparison } from './compare.js';
import { metricContext } from './context.js';
import { runMetricGrouped, type Dimension } from './engine.js';
import type { Filters, Range } from './filters.js';
import { activationCliffStep, type Funnel } from './funnel.js';
import type { MetricContext, MetricDefinition } from './metric.js';
import { metricById, METRICS } from './registry.js';
import type { Rate } from './rate.js';
import { ttfvMedianDays, ttfvWithin30d } from './ttfv.js';

/** The tables of the page, each downloadable. */
export const EXPLORE_TABLES = ['activation', 'retention', 'ttfv', 'funnel', 'breakdown', 'compare'] as const;
export type ExploreTable = (typeof EXPLORE_TABLES)[number];

/** Metrics a breakdown can show: every metric about accounts but the cliff, whose per-group view is the funnel table. */
export const BREAKDOWN_METRICS: readonly MetricDefinition[] = METRICS.filter((m) => !m.accountless && m.unit !== 'step');

/** What the page shows, parsed and checked (see `routes/cohorts/params.server.ts`). */
export interface ExploreSelection {
	/** The global metric filters, as on /metrics. */
	filters: Filters;
	/** Weeks since signup the heatmaps show. */
	weeks: number;
	/** What the funnel is split by. */
	funnelBy: Dimension;
	/** The breakdown's metric and attribute. */
	metric: string;
	by: Dimension;
	/** The two segments to compare (each the global filters with its own on top), or null when none is chosen. */
	compare: { a: Filters; b: Filters } | null;
}

/** Weeks the heatmaps show unless asked. */
export const DEFAULT_WEEKS = 12;
/** The breakdown's metric unless asked: first value within 30 days, the activation rate that is not censored. */
export const DEFAULT_METRIC = 'ttfv_within_30d';

/** One signup cohort's time to first value: the median and middle half over accounts that reached it, and the 30-day rate. */
export interface TtfvCohort {
	cohort: string;
	/** Accounts that signed up in the month (in the range, under the filters). */
	accounts: number;
	/** Of those, how many have reached first value (by the end of the data). */
	reached: number;
	median: number | null;
	p25: number | null;
	p75: number | null;
	/** First value within 30 days, of accounts signed up at least 30 days before the end of the data. */
	within_30d: Rate;
}

/** One group's funnel. */
export interface FunnelGroup extends Funnel {
	group: string | null;
}

/** A metric in one group of a breakdown. */
export interface BreakdownRow {
	group: string | null;
	value: number | string | null;
	n: number | null;
	interval: [number, number] | null;
}

/** A metric split by an account attribute, with its overall value. */
export interface Breakdown {
	metric: {
		id: string;
		label: string;
		formula: string;
		unit: MetricDefinition['unit'];
		direction: MetricDefinition['direction'];
		scale: number | null;
	};
	by: Dimension;
	overall: BreakdownRow;
	groups: BreakdownRow[];
}

/**
 * Per signup month (the engine's breakdown by `cohort`): {@link ttfvMedianDays}'s median, quartiles and
 * accounts reached, and {@link ttfvWithin30d}'s rate. The median counts only accounts that got there, so a
 * young cohort's looks fast; the 30-day rate only judges accounts old enough, so it does not.
 */
export async function ttfvByCohort(ctx: MetricContext): Promise<TtfvCohort[]> {
	const [median, within] = await Promise.all([
		runMetricGrouped(ttfvMedianDays, ctx, { by: 'cohort' }),
		runMetricGrouped(ttfvWithin30d, ctx, { by: 'cohort' })
	]);
	const rates = new Map(within.groups.map((g) => [g.group, g.details as Rate]));
	return median.groups
		.filter((g) => g.group !== null)
		.map((g) => {
			const d = g.details as { accounts: number; accounts_reached: number; p25: number | null; p75: number | null };
			return {
				cohort: g.group!,
				accounts: d.accounts,
				reached: d.accounts_reached,
				median: typeof g.value === 'number' ? g.value : null,
				p25: d.p25,
				p75: d.p75,
				within_30d: rates.get(g.group) ?? { value: null, numerator: 0, denominator: 0, interval: null }
			};
		})
		.sort((x, y) => x.cohort.localeCompare(y.cohort));
}

/** The activation funnel (see {@link activationCliffStep}) per value of `by`: each group's entries, completions and conversions. */
export async function funnelBy(ctx: MetricContext, by: Dimension): Promise<FunnelGroup[]> {
	const { groups } = await runMetricGrouped(activationCliffStep, ctx, { by });
	return groups.map((g) => ({ group: g.group, ...(g.details as Funnel) })).filter((g) => g.entered > 0);
}

/** A metric overall and per value of `by` (the engine's breakdown), each with its n and interval. */
export async function breakdown(ctx: MetricContext, metricId: string, by: Dimension): Promise<Breakdown> {
	const def = metricById(metricId);
	if (!def || !BREAKDOWN_METRICS.includes(def)) throw new Error(`no breakdown of metric '${metricId}'`);
	const { overall, groups } = await runMetricGrouped(def, ctx, { by });
	const row = (group: string | null, r: { value: number | string | null; details: object }): BreakdownRow => ({
		group,
		...sideValue(def, r)
	});
	return {
		metric: {
			id: def.id,
			label: def.label,
			formula: def.formula(ctx.config),
			unit: def.unit,
			direction: def.direction,
			scale: def.scale ?? null
		},
		by,
		overall: row(null, overall),
		groups: groups.map((g) => row(g.group, g))
	};
}

/** Everything the page shows. */
export interface ExplorePage {
	range: Range;
	/** Nothing to measure: no events, tickets, searches or surveys are loaded. */
	empty: boolean;
	activation: CohortMatrix;
	retention: CohortMatrix;
	ttfv: TtfvCohort[];
	funnel: FunnelGroup[];
	breakdown: Breakdown;
	comparison: Comparison | null;
}

/** What each table holds. */
interface TableData {
	activation: CohortMatrix;
	retention: CohortMatrix;
	ttfv: TtfvCohort[];
	funnel: FunnelGroup[];
	breakdown: Breakdown;
	compare: Comparison | null;
}

/**
 * One table under the selection, cached on its own through `memo` (keyed by the filters, the config and
 * the table's own choices), so the page and its CSV share it and changing one choice recomputes only that
 * table. The comparison caches per metric inside the metrics engine instead.
 */
async function tableData<T extends ExploreTable>(ctx: MetricContext, table: T, s: ExploreSelection, memo?: Memo): Promise<TableData[T]> {
	const cache: Memo = memo ?? ((_key, compute) => compute());
	const key = (...choices: unknown[]) => ['explore-table', table, s.filters, ctx.config, ...choices];
	const run = (): Promise<TableData[ExploreTable]> => {
		const t = table as ExploreTable;
		switch (t) {
			case 'activation':
			case 'retention':
				return cache(key(s.weeks), () => cohortMatrix(ctx, t, s.weeks));
			case 'ttfv':
				return cache(key(), () => ttfvByCohort(ctx));
			case 'funnel':
				return cache(key(s.funnelBy), () => funnelBy(ctx, s.funnelBy));
			case 'breakdown':
				return cache(key(s.metric, s.by), () => breakdown(ctx, s.metric, s.by));
			case 'compare':
				return s.compare ? compareSegments(ctx.db, ctx.config, s.compare.a, s.compare.b, memo) : Promise.resolve(null);
		}
	};
	return run() as Promise<TableData[T]>;
}

/** The page: every table under the selection, computed side by side on the read pool. */
export async function explorePage(db: Kysely<Schema>, config: Config, s: ExploreSelection, memo?: Memo): Promise<ExplorePage> {
	const ctx = await metricContext(db, config, s.filters);
	const [activation, retention, ttfv, funnel, split, comparison] = await Promise.all([
		tableData(ctx, 'activation', s, memo),
		tableData(ctx, 'retention', s, memo),
		tableData(ctx, 'ttfv', s, memo),
		tableData(ctx, 'funnel', s, memo),
		tableData(ctx, 'breakdown', s, memo),
		tableData(ctx, 'compare', s, memo)
	]);
	return { range: ctx.range, empty: ctx.range.end_of_data === null, activation, retention, ttfv, funnel, breakdown: split, comparison };
}

/** Filters as `plan=pro;region=EMEA`, for a CSV column saying what a row covers. */
const filterText = (f: Filters) =>
	Object.entries(f)
		.map(([k, v]) => `${k}=${v}`)
		.join(';');

/**
 * One table of the page as flat rows for CSV (the columns the page's table shows, plus the counts behind
 * them): heatmap cells (censored ones with an empty value), TTFV per cohort, the funnel per group (one
 * column pair per step), a breakdown, or a comparison. Null when the table needs a selection it lacks
 * (a comparison without segments).
 */
export async function exploreRows(
	db: Kysely<Schema>,
	config: Config,
	table: ExploreTable,
	s: ExploreSelection,
	memo?: Memo
): Promise<Record<string, unknown>[] | null> {
	const ctx = await metricContext(db, config, s.filters);
	if (table === 'compare') {
		const c = await tableData(ctx, 'compare', s, memo);
		if (!c) return null;
		return c.metrics.map((m) => ({
			metric: m.id,
			label: m.label,
			unit: m.unit,
			a_value: m.a.value,
			a_low: m.a.interval?.[0],
			a_high: m.a.interval?.[1],
			a_n: m.a.n,
			b_value: m.b.value,
			b_low: m.b.interval?.[0],
			b_high: m.b.interval?.[1],
			b_n: m.b.n,
			difference: m.difference,
			difference_low: m.difference_interval?.[0],
			difference_high: m.difference_interval?.[1],
			method: m.method,
			verdict: m.verdict,
			a_filters: filterText(c.a.filters),
			b_filters: filterText(c.b.filters)
		}));
	}
	if (table === 'activation' || table === 'retention') {
		const m = await tableData(ctx, table, s, memo);
		return m.cohorts.flatMap((c) =>
			c.cells.map((cell) => ({
				cohort: c.cohort,
				accounts: c.accounts,
				week: cell.week,
				eligible: cell.denominator,
				qualified: cell.numerator,
				value: cell.value
			}))
		);
	}
	if (table === 'ttfv')
		return (await tableData(ctx, 'ttfv', s, memo)).map((c) => ({
			cohort: c.cohort,
			accounts: c.accounts,
			reached: c.reached,
			median_days: c.median,
			p25_days: c.p25,
			p75_days: c.p75,
			within_30d: c.within_30d.value,
			within_30d_hit: c.within_30d.numerator,
			within_30d_eligible: c.within_30d.denominator,
			within_30d_low: c.within_30d.interval?.[0],
			within_30d_high: c.within_30d.interval?.[1]
		}));
	if (table === 'funnel')
		return (await tableData(ctx, 'funnel', s, memo)).map((g) => ({
			[s.funnelBy]: g.group,
			entered: g.entered,
			...Object.fromEntries(
				g.steps.slice(1).flatMap((st) => [
					[`${st.event} completed`, st.completed],
					[`${st.event} conversion`, st.conversion.value]
				])
			),
			cliff: g.cliff
		}));
	const b = await tableData(ctx, 'breakdown', s, memo);
	return b.groups.map((g) => ({
		[s.by]: g.group,
		metric: b.metric.id,
		value: g.value,
		n: g.n,
		interval_low: g.interval?.[0],
		interval_high: g.interval?.[1]
	}));
}
