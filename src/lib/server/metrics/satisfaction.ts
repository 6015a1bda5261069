import { sql } from 'kysely';
import { formatNumber, formatPercent } from '../../components/kpi/units.js';
import { defineMetric } from './metric.js';
import { meanDisplay, meanResult, npsInterval, rateDisplay, rateResult, withInterval } from './rate.js';

/** Survey answers of one kind (and context), without those about deleted tickets (they leave every metric). */
const answers = (kind: 'csat' | 'ces' | 'nps', context?: string) => () => sql`
	SELECT s.timestamp AS at, s.account_id, s.score FROM surveys s
	WHERE s.kind = ${kind} ${context ? sql`AND s.context = ${context}` : sql``}
		AND NOT EXISTS (SELECT 1 FROM tickets t WHERE t.ticket_id = s.ticket_id AND t.deleted)`;

const meanAggregate = () => sql`count(*) AS n, avg(score) AS avg, stddev_samp(score) AS sd`;

/** Self-service CSAT = mean 1–5 score of `csat` surveys with context `self_service`. */
export const selfServiceCsat = defineMetric({
	id: 'self_service_csat',
	label: 'Self-service CSAT',
	family: 'satisfaction',
	formula: () => 'mean score (1–5) of csat surveys with context self_service',
	unit: 'score',
	scale: 5,
	direction: 'higher',
	facts: answers('csat', 'self_service'),
	aggregate: meanAggregate,
	finish: (r) => meanResult(r.n, r.avg, r.sd),
	...meanDisplay('responses', 'score')
});

/** Self-service CSAT, top two boxes = share of self-service `csat` answers scoring 4 or 5. */
export const selfServiceCsatTop2 = defineMetric({
	id: 'self_service_csat_top2',
	label: 'Self-service CSAT (4–5 share)',
	family: 'satisfaction',
	formula: () => 'self-service csat answers scoring 4 or 5 ÷ all self-service csat answers',
	unit: 'rate',
	direction: 'higher',
	facts: answers('csat', 'self_service'),
	aggregate: () => sql`count(*) AS n, count(*) FILTER (WHERE score >= 4) AS top2`,
	finish: (r) => rateResult(r.top2, r.n),
	...rateDisplay('responses')
});

/** CES = mean 1–7 score of `ces` surveys (7 = very easy). */
export const ces = defineMetric({
	id: 'ces',
	label: 'Customer effort score',
	family: 'satisfaction',
	formula: () => 'mean score (1–7, 7 = very easy) of ces surveys',
	unit: 'score',
	scale: 7,
	direction: 'higher',
	facts: answers('ces'),
	aggregate: meanAggregate,
	finish: (r) => meanResult(r.n, r.avg, r.sd),
	...meanDisplay('responses', 'score')
});

/** NPS = % promoters (9–10) − % detractors (0–6) of `nps` surveys, from −100 to 100, with its 95 % interval ({@link npsInterval}). */
export const nps = defineMetric({
	id: 'nps',
	label: 'Net promoter score',
	family: 'satisfaction',
	formula: () => '% promoters (9–10) − % detractors (0–6) of nps surveys',
	unit: 'nps',
	direction: 'higher',
	facts: answers('nps'),
	aggregate: () => sql`count(*) AS n, count(*) FILTER (WHERE score >= 9) AS promoters, count(*) FILTER (WHERE score <= 6) AS detractors`,
	finish: (r) => {
		const n = r.n ?? 0;
		const p = r.promoters ?? 0;
		const d = r.detractors ?? 0;
		return {
			value: n > 0 ? (100 * (p - d)) / n : null,
			details: { responses: n, promoters: p, detractors: d, passives: n - p - d, interval: npsInterval(p, d, n) }
		};
	},
	basis: (d) =>
		d.responses === 0
			? 'No responses'
			: withInterval(
					`${formatNumber(d.responses)} responses: ${formatPercent(d.promoters / d.responses)} promoters, ${formatPercent(d.detractors / d.responses)} detractors`,
					d.interval,
					'nps'
				),
	interval: (d) => d.interval,
	n: (d) => d.responses
});
