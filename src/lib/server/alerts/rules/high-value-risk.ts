import { sql } from 'kysely';
import { at, liveAt, type AlertRule } from '../rule.js';

/**
 * `high_value_risk`, over the latest scoring run as of the evaluation time: an enterprise account (plan or
 * segment `enterprise`) with sentiment below `sentimentBelow` (−100…100), or an account in the top
 * (1 − `riskPercentileAbove`) of churn risk with ARR above `arrAbove`. Value: the churn probability.
 */
export const highValueRisk: AlertRule<'high_value_risk'> = {
	id: 'high_value_risk',
	label: 'High-value account at risk',
	describe: (s) =>
		`An enterprise account with sentiment below ${s.sentimentBelow}, or churn risk in the top ${Math.round((1 - s.riskPercentileAbove) * 100)} % with ARR above ${s.arrAbove.toLocaleString('en-US')}.`,
	async find(ctx, s) {
		const { rows } = await sql<{
			account_id: string;
			plan: string | null;
			segment: string | null;
			arr: number | null;
			sentiment: number | null;
			churn_probability: number;
			risk_percentile: number;
			health: number | null;
			scored_as_of: string;
			enterprise: boolean;
		}>`
			SELECT s.account_id, a.plan, a.segment, a.arr, s.sentiment, s.churn_probability, s.risk_percentile, s.health, s.as_of AS scored_as_of,
				(lower(coalesce(a.plan, '')) = 'enterprise' OR lower(coalesce(a.segment, '')) = 'enterprise') AS enterprise
			FROM account_scores s JOIN accounts a ON a.account_id = s.account_id
			WHERE s.as_of = (SELECT max(as_of) FROM account_scores WHERE as_of <= ${at(ctx.asOf)}) AND ${liveAt(ctx.clock)}
				AND ((lower(coalesce(a.plan, '')) = 'enterprise' OR lower(coalesce(a.segment, '')) = 'enterprise') AND s.sentiment < ${s.sentimentBelow}
					OR s.risk_percentile >= ${s.riskPercentileAbove} AND a.arr > ${s.arrAbove})
			ORDER BY s.account_id`.execute(ctx.db);
		return rows.map((r) => {
			const why: string[] = [];
			if (r.enterprise && r.sentiment !== null && r.sentiment < s.sentimentBelow)
				why.push(`an enterprise account with sentiment ${Math.round(r.sentiment)} (below ${s.sentimentBelow})`);
			if (r.risk_percentile >= s.riskPercentileAbove && r.arr !== null && r.arr > s.arrAbove)
				why.push(
					`churn risk ${(r.churn_probability * 100).toFixed(0)} %, riskier than ${Math.floor(r.risk_percentile * 100)} % of accounts, on ARR ${r.arr.toLocaleString('en-US')}`
				);
			return {
				account_id: r.account_id,
				topic: null,
				value: r.churn_probability,
				evidence: {
					summary: `${why.join('; and ')[0].toUpperCase()}${why.join('; and ').slice(1)}.`,
					plan: r.plan,
					segment: r.segment,
					arr: r.arr,
					sentiment: r.sentiment,
					churn_probability: r.churn_probability,
					risk_percentile: r.risk_percentile,
					health: r.health,
					scored_as_of: r.scored_as_of
				}
			};
		});
	},
	async cleared(_ctx, _s, subjects) {
		return new Map(
			subjects.map((a) => [a, 'The latest scores no longer put it at high risk (sentiment and risk are back within the thresholds).'])
		);
	}
};
