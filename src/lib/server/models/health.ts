import type { Config } from '../config/config.js';
import { midranks } from './evaluate.js';

/** The parts of a health score, each 0–1 with 1 healthiest; null when unknown for the account. */
export interface HealthParts {
	/** 1 − the account's churn-risk percentile among the accounts scored with it (0 = the riskiest). */
	risk: number;
	/** Milestone level ÷ 3. */
	adoption: number | null;
	/** (sentiment + 100) ÷ 200, sentiment on the −100…100 scale. */
	sentiment: number | null;
}

/**
 * Health (0–100) = 100 × Σ wₖ·partₖ ÷ Σ wₖ over the parts the account has, with the config's weights
 * (default risk 0.5, adoption 0.3, sentiment 0.2): an account without survey answers or tickets is judged
 * on risk and adoption alone rather than given a made-up neutral sentiment.
 */
export function healthScore(parts: HealthParts, weights: Config['health']['weights']): number {
	let sum = weights.risk * parts.risk;
	let total = weights.risk;
	if (parts.adoption !== null) {
		sum += weights.adoption * parts.adoption;
		total += weights.adoption;
	}
	if (parts.sentiment !== null) {
		sum += weights.sentiment * parts.sentiment;
		total += weights.sentiment;
	}
	return total > 0 ? (100 * sum) / total : 0;
}

/**
 * An account's health from what scoring knows of it: its churn-risk percentile (0–1), its milestone level
 * (0–3, null when unknown) and its sentiment (−100…100, null without one), made into the parts above.
 */
export function accountHealth(riskPercentile: number, milestoneLevel: number | null, sentiment: number | null, weights: Config['health']['weights']): number {
	return healthScore(
		{ risk: 1 - riskPercentile, adoption: milestoneLevel === null ? null : milestoneLevel / 3, sentiment: sentiment === null ? null : (sentiment + 100) / 200 },
		weights
	);
}

/**
 * Sentiment (−100…100) from answered surveys only, when there are no CSAT/CES models to predict the
 * unanswered tickets (and in the health backtest, whose test date is before those models' data ends):
 * mean CSAT (1–5) ↦ (s − 3) ÷ 2 × 100 and mean CES (1–7) ↦ (s − 4) ÷ 3 × 100, averaged over the ones
 * present; null without either. The same scale as the ticket-based sentiment of `satisfaction/sentiment.ts`.
 */
export function sentimentFromScores(csat: number | null, ces: number | null): number | null {
	const parts: number[] = [];
	if (csat !== null && Number.isFinite(csat)) parts.push(((csat - 3) / 2) * 100);
	if (ces !== null && Number.isFinite(ces)) parts.push(((ces - 4) / 3) * 100);
	return parts.length ? parts.reduce((a, b) => a + b, 0) / parts.length : null;
}

/**
 * Each value's percentile among `values`: the share of the others strictly below it plus half of those
 * equal (mid-rank), so ties share one percentile and the result lies in [0, 1].
 */
export function percentiles(values: ArrayLike<number>): Float64Array {
	const n = values.length;
	// The mid-rank r (1-based) of a value is 1 + (those below) + (the others equal) / 2, so (r − 1)/(n − 1).
	return midranks(values).map((r) => (n > 1 ? (r - 1) / (n - 1) : 0.5));
}

/** Risk band from the risk percentile: the top decile is `high` (the alert's "top decile"), the next 20 % `medium`. */
export function riskBand(percentile: number): 'high' | 'medium' | 'low' {
	return percentile >= 0.9 ? 'high' : percentile >= 0.7 ? 'medium' : 'low';
}
