import { sql } from 'kysely';
import { inRange, inScope } from './filters.js';
import type { MetricContext, MetricDefinition } from './metric.js';
import { mean, rate } from './rate.js';

/**
 * The survey answers in the range and scope, of one kind (and context), leaving out answers about
 * tickets that were deleted (a deleted ticket leaves every metric).
 */
async function scores(ctx: MetricContext, kind: 'csat' | 'ces' | 'nps', context?: string) {
	const { rows } = await sql<{ n: number; avg: number | null; sd: number | null; top2: number; promoters: number; detractors: number }>`
		SELECT count(*) AS n, avg(score) AS avg, stddev_samp(score) AS sd,
			count(*) FILTER (WHERE score >= 4) AS top2,
			count(*) FILTER (WHERE score >= 9) AS promoters, count(*) FILTER (WHERE score <= 6) AS detractors
		FROM surveys s
		WHERE kind = ${kind} ${context ? sql`AND context = ${context}` : sql``}
			AND ${inRange(sql.ref('timestamp'), ctx.range)} AND ${inScope(sql.ref('account_id'), ctx.filters)}
			AND NOT EXISTS (SELECT 1 FROM tickets t WHERE t.ticket_id = s.ticket_id AND t.deleted)`.execute(ctx.db);
	return rows[0];
}

/** Self-service CSAT = mean 1–5 score of `csat` surveys with context `self_service`. */
export const selfServiceCsat: MetricDefinition = {
	id: 'self_service_csat',
	label: 'Self-service CSAT',
	family: 'satisfaction',
	formula: 'mean score (1–5) of csat surveys with context self_service',
	unit: 'score',
	direction: 'higher',
	async compute(ctx) {
		const s = await scores(ctx, 'csat', 'self_service');
		const m = mean(s.n, s.avg, s.sd);
		return { value: m.value, details: m };
	}
};

/** Self-service CSAT, top two boxes = share of self-service `csat` answers scoring 4 or 5. */
export const selfServiceCsatTop2: MetricDefinition = {
	id: 'self_service_csat_top2',
	label: 'Self-service CSAT (4–5 share)',
	family: 'satisfaction',
	formula: 'self-service csat answers scoring 4 or 5 ÷ all self-service csat answers',
	unit: 'rate',
	direction: 'higher',
	async compute(ctx) {
		const s = await scores(ctx, 'csat', 'self_service');
		const r = rate(s.top2, s.n);
		return { value: r.value, details: r };
	}
};

/** CES = mean 1–7 score of `ces` surveys (7 = very easy). */
export const ces: MetricDefinition = {
	id: 'ces',
	label: 'Customer effort score',
	family: 'satisfaction',
	formula: 'mean score (1–7, 7 = very easy) of ces surveys',
	unit: 'score',
	direction: 'higher',
	async compute(ctx) {
		const s = await scores(ctx, 'ces');
		const m = mean(s.n, s.avg, s.sd);
		return { value: m.value, details: m };
	}
};

/** NPS = % promoters (9–10) − % detractors (0–6) of `nps` surveys, from −100 to 100. */
export const nps: MetricDefinition = {
	id: 'nps',
	label: 'Net promoter score',
	family: 'satisfaction',
	formula: '% promoters (9–10) − % detractors (0–6) of nps surveys',
	unit: 'nps',
	direction: 'higher',
	async compute(ctx) {
		const s = await scores(ctx, 'nps');
		const value = s.n > 0 ? (100 * (s.promoters - s.detractors)) / s.n : null;
		return { value, details: { responses: s.n, promoters: s.promoters, detractors: s.detractors, passives: s.n - s.promoters - s.detractors } };
	}
};
