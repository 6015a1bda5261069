import { sql } from 'kysely';
import type { MetricDefinition } from './metric.js';
import { rateResult } from './rate.js';

const searches = () => sql`SELECT timestamp AS at, account_id, results, clicked_article_id FROM kb_searches`;

/** KB search success = searches with ≥ 1 result **and** a clicked article ÷ all searches in the range. */
export const kbSearchSuccess: MetricDefinition = {
	id: 'kb_search_success',
	label: 'KB search success',
	family: 'search',
	formula: 'searches with at least one result and a clicked article ÷ all searches',
	unit: 'rate',
	direction: 'higher',
	facts: searches,
	aggregate: () => sql`count(*) AS searches, count(*) FILTER (WHERE results >= 1 AND clicked_article_id IS NOT NULL) AS successful`,
	finish: (r) => rateResult(r.successful, r.searches)
};

/** Zero-result search rate = searches with 0 results ÷ all searches in the range (an unknown result count is not zero). */
export const zeroResultRate: MetricDefinition = {
	id: 'zero_result_rate',
	label: 'Zero-result search rate',
	family: 'search',
	formula: 'searches with 0 results ÷ all searches',
	unit: 'rate',
	direction: 'lower',
	facts: searches,
	aggregate: () => sql`count(*) AS searches, count(*) FILTER (WHERE results = 0) AS zero`,
	finish: (r) => rateResult(r.zero, r.searches)
};
