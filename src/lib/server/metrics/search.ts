import { sql } from 'kysely';
import { defineMetric } from './metric.js';
import { rateDisplay, rateResult } from './rate.js';

const searches = () => sql`SELECT timestamp AS at, account_id, results, clicked_article_id FROM kb_searches`;

/** KB search success = searches with ≥ 1 result **and** a clicked article ÷ all searches in the range. */
export const kbSearchSuccess = defineMetric({
	id: 'kb_search_success',
	label: 'KB search success',
	family: 'search',
	formula: () => 'searches with at least one result and a clicked article ÷ all searches',
	unit: 'rate',
	direction: 'higher',
	facts: searches,
	aggregate: () => sql`count(*) AS searches, count(*) FILTER (WHERE results >= 1 AND clicked_article_id IS NOT NULL) AS successful`,
	finish: (r) => rateResult(r.successful, r.searches),
	...rateDisplay('searches')
});

/** Zero-result search rate = searches with 0 results ÷ all searches in the range (an unknown result count is not zero). */
export const zeroResultRate = defineMetric({
	id: 'zero_result_rate',
	label: 'Zero-result search rate',
	family: 'search',
	formula: () => 'searches with 0 results ÷ all searches',
	unit: 'rate',
	direction: 'lower',
	facts: searches,
	aggregate: () => sql`count(*) AS searches, count(*) FILTER (WHERE results = 0) AS zero`,
	finish: (r) => rateResult(r.zero, r.searches),
	...rateDisplay('searches')
});
