/** What the metrics dashboard shows where: shared by its server load and its page. */

/** The product's KPIs, as cards, in this order (PRODUCT.md "Metrics"). */
export const KPI_IDS = [
	'deflection_rate',
	'kb_search_success',
	'zero_result_rate',
	'portal_adoption_rate',
	'self_service_csat',
	'ces',
	'nps',
	'ttfv_median_days',
	'ttfv_within_30d',
	'activation_cliff_step'
] as const;

/** KPIs with a weekly trend (a sparkline on their card): every KPI but the cliff, which names a step. */
export const TRENDED_IDS: readonly string[] = KPI_IDS.filter((id) => id !== 'activation_cliff_step');

/** KPIs with a larger weekly chart below the cards. */
export const TREND_CHART_IDS = ['deflection_rate', 'kb_search_success', 'zero_result_rate', 'self_service_csat'] as const;
