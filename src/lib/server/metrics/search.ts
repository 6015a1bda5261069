import { sql } from 'kysely';
import { inRange, inScope } from './filters.js';
import type { MetricContext, MetricDefinition } from './metric.js';
import { rate } from './rate.js';

async function searchCounts(ctx: MetricContext) {
	const { rows } = await sql<{ searches: number; successful: number; zero: number }>`
		SELECT count(*) AS searches,
			count(*) FILTER (WHERE results >= 1 AND clicked_article_id IS NOT NULL) AS successful,
			count(*) FILTER (WHERE results = 0) AS zero
		FROM kb_searches WHERE ${inRange(sql.ref('timestamp'), ctx.range)} AND ${inScope(sql.ref('account_id'), ctx.filters)}`.execute(ctx.db);
	return rows[0];
}

/** KB search success = searches with ≥ 1 result **and** a clicked article ÷ all searches in the range. */
export const kbSearchSuccess: MetricDefinition = {
	id: 'kb_search_success',
	label: 'KB search success',
	family: 'search',
	formula: 'searches with at least one result and a clicked article ÷ all searches',
	unit: 'rate',
	direction: 'higher',
	async compute(ctx) {
		const c = await searchCounts(ctx);
		const r = rate(c.successful, c.searches);
		return { value: r.value, details: r };
	}
};

/** Zero-result search rate = searches with 0 results ÷ all searches in the range (unknown result counts are not zero). */
export const zeroResultRate: MetricDefinition = {
	id: 'zero_result_rate',
	label: 'Zero-result search rate',
	family: 'search',
	formula: 'searches with 0 results ÷ all searches',
	unit: 'rate',
	direction: 'lower',
	async compute(ctx) {
		const c = await searchCounts(ctx);
		const r = rate(c.zero, c.searches);
		return { value: r.value, details: r };
	}
};
