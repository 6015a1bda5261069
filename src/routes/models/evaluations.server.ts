import path from 'node:path';
import { wilson } from '$lib/server/metrics/rate.js';
import { churnEvaluationSchema, latestEvaluation, satisfactionEvaluationSchema, type ChurnEvaluation } from '$lib/server/models/evaluations.js';
import { modelsRoot } from '$lib/server/models/store.js';

/**
 * Each calibration bin's observed churn rate with its 95 % Wilson interval, so the chart can show how
 * little a bin of a few accounts says (one account that churned is "100 %").
 */
function withIntervals(e: ChurnEvaluation) {
	return {
		...e,
		calibration: e.calibration.map((b) => ({ ...b, interval: b.observed_rate === null ? null : wilson(Math.round(b.observed_rate * b.count), b.count) }))
	};
}

/** The evaluations the models page shows: the churn model's, and the CSAT and CES models' when trained. */
export function readEvaluations(root = modelsRoot()) {
	const churn = latestEvaluation('churn', churnEvaluationSchema, root);
	return {
		root: path.resolve(root),
		churn: churn.state === 'ok' ? { ...churn, evaluation: withIntervals(churn.evaluation) } : churn,
		csat: latestEvaluation('csat', satisfactionEvaluationSchema, root),
		ces: latestEvaluation('ces', satisfactionEvaluationSchema, root)
	};
}
