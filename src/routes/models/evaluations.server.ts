import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { wilson } from '$lib/server/metrics/rate.js';
import { loadModel, modelsRoot } from '$lib/server/models/store.js';

/** A measure as saved: JSON has no NaN, so an undefined one (a single class) is stored as null. */
const measure = z.number().nullable();

/** A churn model's held-out evaluation, as `trainChurn` saves it. */
const churnSchema = z.object({
	model: z.string(),
	as_of: z.string(),
	test_as_of: z.string(),
	training_as_of: z.array(z.string()),
	n: z.number(),
	positives: z.number(),
	n_train: z.number(),
	base_rate: measure,
	auc: measure,
	oracle_auc: measure.optional(),
	oracle_note: z.string().optional(),
	health_auc: measure.optional(),
	pr_auc: measure,
	brier: measure,
	brier_base_rate: measure,
	top_decile: z.object({ precision: measure, lift: measure }),
	calibration: z.array(
		z.object({ bin: z.number(), from: z.number(), to: z.number(), count: z.number(), mean_predicted: measure, observed_rate: measure })
	),
	candidates: z.array(z.object({ kind: z.string(), auc: measure, brier: measure, logloss: measure, epochs: z.number() })).optional(),
	features: z.array(z.string())
});

/** A CSAT or CES model's held-out evaluation, against always predicting the training mean. */
const satisfactionSchema = z.object({
	model: z.string(),
	mae: measure,
	rmse: measure,
	baseline_mae: measure,
	baseline_rmse: measure,
	improvement: measure,
	n_train: z.number(),
	n_test: z.number(),
	test_from: z.string().optional(),
	as_of: z.string().optional()
});

/**
 * Each calibration bin's observed churn rate with its 95 % Wilson interval, so the chart can show how
 * little a bin of a few accounts says (one account that churned is "100 %").
 */
function withIntervals(e: z.infer<typeof churnSchema>) {
	return {
		...e,
		calibration: e.calibration.map((b) => ({ ...b, interval: b.observed_rate === null ? null : wilson(Math.round(b.observed_rate * b.count), b.count) }))
	};
}

/** The latest version of one model: its evaluation, no model at all, or why it cannot be read. */
type Saved<T> = { state: 'ok'; version: string; dir: string; evaluation: T } | { state: 'none' } | { state: 'error'; message: string };

/**
 * The latest version of model `name`, its evaluation checked against `schema` and shaped by `view`.
 * "No model yet" (no LATEST pointer) is the page's empty state, not an error; a pointer to a missing
 * version or an evaluation of the wrong shape is an error the page shows with the folder it concerns.
 */
function latest<S, T>(name: string, schema: z.ZodType<S>, root: string, view: (saved: S) => T): Saved<T> {
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
		return { state: 'error', message: `${path.join(saved.dir, 'evaluation.json')} is not a ${name} evaluation: ${issue.path.join('.') || 'the file'} ${issue.message}` };
	}
	return { state: 'ok', version: saved.version, dir: saved.dir, evaluation: view(parsed.data) };
}

/** The evaluations the models page shows: the churn model's, and the CSAT and CES models' when trained. */
export function readEvaluations(root = modelsRoot()) {
	return {
		root: path.resolve(root),
		churn: latest('churn', churnSchema, root, withIntervals),
		csat: latest('csat', satisfactionSchema, root, (e) => e),
		ces: latest('ces', satisfactionSchema, root, (e) => e)
	};
}
