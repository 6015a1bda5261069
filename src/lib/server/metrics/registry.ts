import type { Kysely } from 'kysely';
import type { Config } from '../config/config.js';
import type { Memo } from '../cache/reads.js';
import type { Schema } from '../db/schema.js';
import { portalAdoptionRate } from './adoption.js';
import { botFlagRate, confusionBursts, repeatAutomations } from './behaviour.js';
import { botHandoffReopenRate, firstReplyHours, messagesPerTicket, reopenRate, resolutionHours, ticketVolume } from './friction.js';
import { articleHealth, staleArticles } from './knowledge.js';
import { milestoneLevel } from './milestones.js';
import { deflectionRate, selfServiceScore } from './deflection.js';
import { runMetric, runMetricGrouped, type GroupBy, type GroupResult } from './engine.js';
import { metricContext } from './context.js';
import type { Filters, Range } from './filters.js';
import { activationCliffStep } from './funnel.js';
import type { MetricContext, MetricDefinition, MetricResult } from './metric.js';
import { ces, nps, selfServiceCsat, selfServiceCsatTop2 } from './satisfaction.js';
import { kbSearchSuccess, zeroResultRate } from './search.js';
import { ttfvMedianDays, ttfvWithin30d } from './ttfv.js';

/** Every metric, in the order the CLI, the API and the overview show them. Adding a metric is one line here. */
export const METRICS: readonly MetricDefinition[] = [
	deflectionRate,
	selfServiceScore,
	kbSearchSuccess,
	zeroResultRate,
	portalAdoptionRate,
	selfServiceCsat,
	selfServiceCsatTop2,
	ces,
	nps,
	ttfvMedianDays,
	ttfvWithin30d,
	activationCliffStep,
	milestoneLevel,
	ticketVolume,
	messagesPerTicket,
	reopenRate,
	firstReplyHours,
	resolutionHours,
	staleArticles,
	articleHealth,
	botFlagRate,
	botHandoffReopenRate,
	confusionBursts,
	repeatAutomations
];

/** The metric with this id, if any. */
export function metricById(id: string): MetricDefinition | undefined {
	return METRICS.find((m) => m.id === id);
}

/** Every metric's value at the top level, plus the resolved range, the filters, each metric's details and timings. */
export interface MetricsReport {
	[id: string]: unknown;
	range: Range;
	filters: Filters;
	details: Record<string, object>;
	timings_ms: Record<string, number>;
	/** With a trend or breakdown: how the metrics were grouped, and each metric per group. */
	group?: GroupBy;
	groups?: Record<string, GroupResult[]>;
}

/**
 * Computes metrics (all, or those named) under one set of filters and returns them in the shape of
 * `adoption metrics --json`: values as plain numbers, strings or null at the top level.
 */
export async function computeMetrics(
	db: Kysely<Schema>,
	config: Config,
	filters: Filters,
	ids?: string[],
	group?: GroupBy,
	/** With a group: only these metrics are grouped (the dashboard trends its KPIs only); default all. */
	groupIds?: readonly string[],
	/** Where each metric's result is cached (see `cache/reads.ts`), so pages and APIs showing it under the same filters share it. */
	memo?: Memo
): Promise<MetricsReport> {
	const base = await metricContext(db, config, filters);
	const range = base.range;
	const chosen = ids ? ids.map((id) => metricById(id) ?? unknownMetric(id)) : METRICS;
	const report: MetricsReport = { range, filters, details: {}, timings_ms: {} };
	if (group) Object.assign(report, { group, groups: {} });
	const results = await mapConcurrent(chosen, CONCURRENCY, async (m) => {
		const t0 = performance.now();
		const groupable =
			group && (!groupIds || groupIds.includes(m.id)) && !(('trend' in group && m.timeless) || ('by' in group && m.accountless));
		const { r, groups } = await metricResult(m, base, groupable ? group : undefined, memo);
		return { r, groups, ms: Math.round((performance.now() - t0) * 10) / 10 };
	});
	chosen.forEach((m, i) => {
		const { r, groups, ms } = results[i];
		report[m.id] = r.value;
		report.details[m.id] = r.details;
		if (groups) report.groups![m.id] = groups;
		report.timings_ms[m.id] = ms;
	});
	return report;
}

/**
 * A metric overall, and per group when `group` is given (both from one grouped pass), through `memo` when
 * given: keyed by (metric, filters, grouping, config), so every page and API showing the metric under the
 * same filters shares one computation; a grouped run also stands in for the ungrouped one.
 */
export async function metricResult(
	m: MetricDefinition,
	ctx: MetricContext,
	group?: GroupBy,
	memo?: Memo
): Promise<{ r: MetricResult; groups?: GroupResult[] }> {
	const cache: Memo = memo ?? ((_k, compute) => compute());
	const key = (g: GroupBy | null) => ['metric-result', m.id, ctx.filters, g, ctx.config];
	const out = await cache(key(group ?? null), async () => {
		if (!group) return { r: await runMetric(m, ctx) };
		const both = await runMetricGrouped(m, ctx, group);
		return { r: both.overall, groups: both.groups };
	});
	if (group) await cache(key(null), async () => ({ r: out.r }));
	return out;
}

/**
 * Metrics run this many at a time, each on its own connection: most are small queries whose serial parts
 * (planning, a final merge) leave cores idle, so overlapping them shortens the overview.
 */
const CONCURRENCY = 4;

/** `fn` over `items`, at most `limit` at a time, results in input order. */
async function mapConcurrent<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
	const out: R[] = new Array(items.length);
	let next = 0;
	const worker = async () => {
		while (next < items.length) {
			const i = next++;
			out[i] = await fn(items[i]);
		}
	};
	await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
	return out;
}

function unknownMetric(id: string): never {
	throw new Error(`unknown metric '${id}': use one of ${METRICS.map((m) => m.id).join(', ')}`);
}
