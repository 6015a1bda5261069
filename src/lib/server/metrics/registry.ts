import type { Kysely } from 'kysely';
import type { Config } from '../config/config.js';
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
import type { MetricDefinition } from './metric.js';
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
	group?: GroupBy
): Promise<MetricsReport> {
	const base = await metricContext(db, config, filters);
	const range = base.range;
	const chosen = ids ? ids.map((id) => metricById(id) ?? unknownMetric(id)) : METRICS;
	const report: MetricsReport = { range, filters, details: {}, timings_ms: {} };
	if (group) Object.assign(report, { group, groups: {} });
	for (const m of chosen) {
		const t0 = performance.now();
		const ctx = base;
		const groupable = group && !(('trend' in group && m.timeless) || ('by' in group && m.accountless));
		const both = groupable ? await runMetricGrouped(m, ctx, group) : undefined;
		const r = both?.overall ?? (await runMetric(m, ctx));
		report[m.id] = r.value;
		report.details[m.id] = r.details;
		if (both) report.groups![m.id] = both.groups;
		report.timings_ms[m.id] = Math.round((performance.now() - t0) * 10) / 10;
	}
	return report;
}

function unknownMetric(id: string): never {
	throw new Error(`unknown metric '${id}': use one of ${METRICS.map((m) => m.id).join(', ')}`);
}
