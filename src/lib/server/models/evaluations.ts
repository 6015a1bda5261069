/**
 * The evaluation artifacts (`models/<name>/<version>/evaluation.json`): one zod schema each, whose inferred
 * type the trainers write and the models page reads back, so the two can never disagree. The browser
 * takes these types with `import type` only (erased at build), never the schemas.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { satisfactionTypeSchema } from './satisfaction/model.js';
import { loadModel } from './store.js';

/** A measure as saved: JSON has no NaN, so an undefined one (e.g. AUC with a single class) is stored as null. */
const measure = z.number().nullable();

/** One row of a reliability table: predictions in [from, to) (the last bin includes 1); null rates for an empty bin. */
export const calibrationBinSchema = z.object({
	/** 1-based bin number. */
	bin: z.number(),
	from: z.number(),
	to: z.number(),
	count: z.number(),
	/** Mean prediction in the bin. */
	mean_predicted: measure,
	/** Share of positives in the bin. */
	observed_rate: measure
});
export type CalibrationBin = z.infer<typeof calibrationBinSchema>;

/** A model family the classifier tries: L2 logistic regression, gradient-boosted trees, a one-hidden-layer relu network. */
export const classifierKindSchema = z.enum(['logistic', 'gbdt', 'mlp']);

/**
 * One candidate on the validation rows: AUC with its DeLong 95 % interval (absent in older evaluations),
 * Brier and log loss after its own Platt scaling; `epochs` = the epoch (or boosting round) kept.
 */
export const candidateSchema = z.object({
	kind: classifierKindSchema,
	auc: measure,
	auc_low: measure.optional(),
	auc_high: measure.optional(),
	brier: measure,
	logloss: measure,
	epochs: z.number()
});
export type Candidate = z.infer<typeof candidateSchema>;

/** What `adoption train --model churn` reports and saves: the chosen model's figures on the held-out test. */
export const churnEvaluationSchema = z.object({
	model: classifierKindSchema,
	/** The date the model looks from; the test snapshot is `labelDays` before it. */
	as_of: z.string(),
	test_as_of: z.string(),
	training_as_of: z.array(z.string()),
	n_train: z.number(),
	/** Test accounts, and how many churned in the label window. */
	n: z.number(),
	positives: z.number(),
	base_rate: measure,
	auc: measure,
	pr_auc: measure,
	brier: measure,
	/** Brier of always predicting the base rate r: r(1 − r). A useful model scores below it. */
	brier_base_rate: measure,
	top_decile: z.object({ precision: measure, lift: measure }),
	calibration: z.array(calibrationBinSchema),
	/** ROC AUC of `truth.churn_probability_90d` on the same test accounts and window (generated data only), else null. */
	oracle_auc: measure,
	/** Why there is no oracle AUC, when there is none. */
	oracle_note: z.string().optional(),
	/** ROC AUC of the health score (lower health = riskier) on the test accounts: do the weights rank churners? */
	health_auc: measure,
	/** Each candidate's validation figures (the model is chosen among them). */
	candidates: z.array(candidateSchema),
	/** Why the chosen kind was chosen, in words (absent in evaluations from before the rule). */
	selection: z.string().optional(),
	/** How the margin became a probability, and both methods' cross-fitted validation Brier scores. */
	calibration_method: z.enum(['platt', 'isotonic']).optional(),
	calibration_brier: z.object({ platt: measure, isotonic: measure }).optional(),
	features: z.array(z.string()),
	/** Seconds spent building and reading the feature snapshots, training (every candidate), and evaluating. */
	seconds: z.object({ features: z.number(), training: z.number(), evaluation: z.number() })
});
export type ChurnEvaluation = z.infer<typeof churnEvaluationSchema>;

/** How a CSAT or CES model did on the held-out last 90 days, against always predicting the training mean. */
export const satisfactionEvaluationSchema = z.object({
	model: satisfactionTypeSchema,
	mae: measure,
	rmse: measure,
	baseline_mae: measure,
	baseline_rmse: measure,
	/** 1 − mae / baseline_mae. */
	improvement: measure,
	n_train: z.number(),
	n_test: z.number(),
	features: z.array(z.string()),
	/** The end of the data; the test covers tickets created in [test_from, as_of). */
	as_of: z.string(),
	test_from: z.string(),
	/** Validation MAE of each candidate (trained before valid_from, scored on [valid_from, test_from)); null when too few answers to compare. */
	selection: z.object({ valid_from: z.string(), linear_mae: measure, mlp_mae: measure, n_train: z.number(), n_valid: z.number() }).nullable()
});
export type SatisfactionEvaluation = z.infer<typeof satisfactionEvaluationSchema>;

/** The latest version of one model as read back: its evaluation, no model at all, or why it cannot be read. */
export type SavedEvaluation<T> = { state: 'ok'; version: string; dir: string; evaluation: T } | { state: 'none' } | { state: 'error'; message: string };

/**
 * The latest version of model `name` with its evaluation checked against `schema`. "No model yet" (no
 * LATEST pointer) is a state, not an error; a pointer to a missing version or an evaluation of another
 * shape (e.g. written by an older version of the app) is an error naming the file and the field.
 */
export function latestEvaluation<T>(name: string, schema: z.ZodType<T>, root: string): SavedEvaluation<T> {
	if (!fs.existsSync(path.join(root, name, 'LATEST'))) return { state: 'none' };
	let saved;
	try {
		saved = loadModel(name, 'latest', root);
	} catch (err) {
		return { state: 'error', message: (err as Error).message };
	}
	const parsed = schema.safeParse(saved.evaluation);
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		const field = issue.path.join('.') || 'the file';
		return {
			state: 'error',
			message: `${path.join(saved.dir, 'evaluation.json')} is not a ${name} evaluation: ${field} ${issue.message} (train the model again to rewrite it)`
		};
	}
	return { state: 'ok', version: saved.version, dir: saved.dir, evaluation: parsed.data };
}
