import { sql, type RawBuilder } from 'kysely';
import { inRange, inScope } from './filters.js';
import type { AggregateRow, MetricContext, MetricDefinition, MetricResult } from './metric.js';

/** A request a metric cannot answer (e.g. a trend of a state): the caller's mistake, not a failure. */
export class MetricError extends Error {}

/** Trend grains. */
export const GRAINS = ['day', 'week', 'month'] as const;
export type Grain = (typeof GRAINS)[number];

/** Account attributes a metric can be broken down by. */
export const DIMENSIONS = ['plan', 'segment', 'region', 'csm', 'cohort'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** How to group a metric: by period of `at`, or by an attribute of the row's account. */
export type GroupBy = { trend: Grain } | { by: Dimension };

/** One group's result. */
export interface GroupResult extends MetricResult {
	/** The period's first day (`YYYY-MM-DD`, in the reporting time zone) or the attribute's value (null = none). */
	group: string | null;
}

/**
 * SQL of the start of the period `at` falls in, in the reporting time zone, as a TIMESTAMP: it is formatted
 * after grouping, since `strftime` on every fact row doubled the cost of a trend. Timestamps are stored in
 * UTC; converting goes through ICU and costs ~10×, so it is skipped when the reporting zone is UTC.
 */
export function periodSql(ctx: MetricContext, grain: Grain): RawBuilder<unknown> {
	const tz = ctx.config.reporting.timeZone;
	const local = tz === 'UTC' ? sql`f.at` : sql`timezone(${tz}, timezone('UTC', f.at))`;
	if (grain === 'week' && ctx.config.reporting.weekStart === 'sunday') {
		return sql`date_trunc('week', ${local} + INTERVAL 1 DAY) - INTERVAL 1 DAY`;
	}
	return sql`date_trunc(${grain}, ${local})`;
}

/**
 * The account attribute a breakdown groups by, joined as two private columns only (`__acct`, `__dim`), so
 * no column of `accounts` clashes with one of the metric's facts.
 */
function dimensionJoin(by: Dimension): RawBuilder<unknown> {
	const dim = by === 'cohort' ? sql`strftime(created_at, '%Y-%m')` : sql.ref(by);
	return sql`LEFT JOIN (SELECT account_id AS __acct, ${dim} AS __dim FROM accounts) a ON a.__acct = f.account_id`;
}

/**
 * Computes a metric under the context's filters: its facts, kept to the range (by `at`) and to the
 * filtered accounts, summarised by its aggregate — once, or per period or account attribute.
 */
export async function runMetric(def: MetricDefinition, ctx: MetricContext): Promise<MetricResult>;
export async function runMetric(def: MetricDefinition, ctx: MetricContext, group: GroupBy): Promise<GroupResult[]>;
export async function runMetric(def: MetricDefinition, ctx: MetricContext, group?: GroupBy): Promise<MetricResult | GroupResult[]> {
	if (group) return (await runMetricGrouped(def, ctx, group)).groups;
	const { rows } = await metricSql(def, ctx).execute(ctx.db);
	return def.finish(rows[0] ?? {}, ctx);
}

/** The SQL of a metric's one aggregate row under the context's range and filters. */
export function metricSql(def: MetricDefinition, ctx: MetricContext): RawBuilder<AggregateRow> {
	return sql<AggregateRow>`
		SELECT ${def.aggregate(ctx)} FROM (${def.facts(ctx)}) f WHERE ${whereSql(def, ctx)}`;
}

/** The range and account filters over a metric's facts `f`, left out where the metric is timeless or accountless. */
function whereSql(def: MetricDefinition, ctx: MetricContext): RawBuilder<boolean> {
	return sql<boolean>`${def.timeless ? sql`true` : inRange(sql`f.at`, ctx.range)} AND ${def.accountless ? sql`true` : inScope(sql`f.account_id`, ctx.filters)}`;
}

/**
 * A metric overall and per group in one pass over its facts (`GROUPING SETS ((group), ())`): what a
 * dashboard showing a value with its trend needs, for the cost of the trend alone.
 */
export async function runMetricGrouped(
	def: MetricDefinition,
	ctx: MetricContext,
	group: GroupBy
): Promise<{ overall: MetricResult; groups: GroupResult[] }> {
	const { rows } = await groupedMetricSql(def, ctx, group).execute(ctx.db);
	const total = rows.find((r) => r.__all === 1);
	const groups = rows.filter((r) => r.__all === 0).map(({ __group, __all: _, ...r }) => ({ group: __group, ...def.finish(r, ctx) }));
	const { __group: _g, __all: _a, ...overall } = total ?? ({} as Record<string, number | null>);
	return { overall: def.finish(overall, ctx), groups };
}

/**
 * The SQL of a metric overall (the row with `__all` = 1) and per group (`__group`), in one pass. Throws a
 * {@link MetricError} for a grouping the metric does not have.
 */
export function groupedMetricSql(
	def: MetricDefinition,
	ctx: MetricContext,
	group: GroupBy
): RawBuilder<AggregateRow & { __group: string | null; __all: number }> {
	if ('trend' in group && def.timeless) throw new MetricError(`${def.id} describes the present state: it has no trend`);
	if ('by' in group && def.accountless) throw new MetricError(`${def.id} is not about accounts: it has no breakdown by ${group.by}`);
	const key = 'trend' in group ? periodSql(ctx, group.trend) : sql`a.__dim`;
	const join = 'by' in group ? dimensionJoin(group.by) : sql``;
	const label = 'trend' in group ? sql`strftime(__group, '%Y-%m-%d')` : sql`__group`;
	return sql`
		SELECT * REPLACE (${label} AS __group) FROM (
			SELECT ${key} AS __group, grouping(__group) AS __all, ${def.aggregate(ctx)} FROM (${def.facts({ ...ctx, group })}) f ${join} WHERE ${whereSql(def, ctx)}
			GROUP BY GROUPING SETS ((__group), ())
		) ORDER BY __all, __group NULLS LAST`;
}
