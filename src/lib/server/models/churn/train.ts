import { sql } from 'kysely';
import type { Config } from '../../config/config.js';
import type { Database } from '../../db/connection.js';
import { readSnapshots, saveSnapshots, type FeatureFrame } from '../../features/store.js';
import { trainClassifier } from '../core/classifier.js';
import { classificationReport, rocAuc } from '../evaluate.js';
import type { ChurnEvaluation } from '../evaluations.js';
import { accountHealth, percentiles, sentimentFromScores } from '../health.js';
import { saveModel } from '../store.js';
import { backtestDates, modelAsOf } from './dates.js';
import { encodedNames, encodeFrame, fitEncoding, type Encoding } from './encode.js';

/** Options of {@link trainChurn}. */
export interface TrainChurnOptions {
	/** `YYYY-MM-DD`; default: midnight after the last day with data. */
	asOf?: string;
	/** Models folder (default `models/`, or `ADOPTION_MODELS`). */
	root?: string;
	onProgress?: (message: string) => void;
}

/** A saved churn model's metadata: what scoring needs besides the weights. */
export interface ChurnMetadata {
	as_of: string;
	test_as_of: string;
	training_as_of: string[];
	label_days: number;
	seed: number;
	encoding: Encoding;
	created_at: string;
}

const rowsWhere = (frame: FeatureFrame, keep: (i: number) => boolean) => frame.account_id.map((_, i) => i).filter(keep);

/**
 * Trains the churn model with an honest time-based backtest and saves it under `models/churn/<version>/`.
 *
 * Snapshots (see `features/snapshot.ts`) are built at the test date T = as-of − 90 days and at
 * `trainingSnapshots` earlier dates, 90 days apart. The model trains on the earlier snapshots only (their
 * labels end by T), choosing between a logistic regression and a small MLP on a validation split, and is
 * tested on the accounts live at T, labelled by churn in [T, as-of). The saved model is that tested model,
 * so every figure reported about it was measured on accounts and a window it never saw.
 */
export async function trainChurn(db: Database, config: Config, opts: TrainChurnOptions = {}): Promise<ChurnEvaluation & { version: string }> {
	const say = opts.onProgress ?? (() => {});
	const asOf = await modelAsOf(db.kysely, opts.asOf);
	const { test, training } = backtestDates(asOf, config);
	const t0 = performance.now();
	say(`building feature snapshots at ${[test, ...training].map((t) => t.slice(0, 10)).join(', ')}`);
	await saveSnapshots(db, config, [test, ...training], asOf);
	const frame = await readSnapshots(db, config, [test, ...training]);
	const trainRows = rowsWhere(frame, (i) => frame.as_of[i] !== test && frame.label[i] !== null);
	const testRows = rowsWhere(frame, (i) => frame.as_of[i] === test && frame.label[i] !== null);
	const yTrain = trainRows.map((i) => (frame.label[i] ? 1 : 0));
	const yTest = testRows.map((i) => (frame.label[i] ? 1 : 0));
	if (!yTrain.some((v) => v === 1) || !yTrain.some((v) => v === 0) || !yTest.some((v) => v === 1)) {
		throw new Error(
			`not enough history to train a churn model as of ${asOf.slice(0, 10)}: it needs churned and retained accounts in the snapshots before ${test.slice(0, 10)} and churn after it (training rows ${yTrain.length}, test rows ${yTest.length})`
		);
	}

	const t1 = performance.now();
	const encoding = fitEncoding(frame, trainRows);
	const names = encodedNames(encoding);
	say(`training on ${yTrain.length.toLocaleString('en-US')} account snapshots, ${names.length} inputs`);
	const model = await trainClassifier(encodeFrame(frame, encoding, trainRows), yTrain, names, { seed: config.churn.seed, kinds: config.churn.kinds, onProgress: say });
	const t2 = performance.now();
	const pTest = model.predict(encodeFrame(frame, encoding, testRows));
	const report = classificationReport(yTest, pTest);

	const oracle = await oracleAuc(db, frame, testRows, yTest);
	const healthAuc = backtestHealth(frame, testRows, yTest, pTest, config);

	const metadata: ChurnMetadata = { as_of: asOf, test_as_of: test, training_as_of: training, label_days: config.churn.labelDays, seed: config.churn.seed, encoding, created_at: new Date().toISOString() };
	const evaluation: ChurnEvaluation = {
		...report,
		model: model.artifact.kind,
		as_of: asOf,
		test_as_of: test,
		training_as_of: training,
		n_train: yTrain.length,
		oracle_auc: oracle.auc,
		...(oracle.note ? { oracle_note: oracle.note } : {}),
		health_auc: healthAuc,
		candidates: model.artifact.validation,
		selection: model.artifact.selection,
		calibration_method: model.artifact.calibration.method ?? 'platt',
		calibration_brier: model.artifact.calibration_brier,
		features: names,
		seconds: { features: (t1 - t0) / 1000, training: (t2 - t1) / 1000, evaluation: (performance.now() - t2) / 1000 }
	};
	const { version } = saveModel('churn', { model: model.artifact, features: names, scaling: model.artifact.scaling, metadata: { ...metadata }, evaluation }, opts.root);
	return { ...evaluation, version };
}

/**
 * The oracle AUC: `truth.churn_probability_90d` (the generator's planted probability of churn in the 90
 * days after as-of − 90 days) ranking the same test accounts. Only meaningful when the truth's window is the
 * test window, so it is given only when truth's `churned_90d` agrees with every test label.
 */
async function oracleAuc(db: Database, frame: FeatureFrame, testRows: number[], yTest: number[]): Promise<{ auc: number | null; note?: string }> {
	const { rows } = await sql<{ account_id: string; churned_90d: boolean; churn_probability_90d: number }>`
		SELECT account_id, churned_90d, churn_probability_90d FROM truth WHERE churn_probability_90d IS NOT NULL`.execute(db.kysely);
	if (!rows.length) return { auc: null, note: 'no truth table loaded (generated sample data only)' };
	const truth = new Map(rows.map((r) => [r.account_id, r]));
	const p: number[] = [];
	for (const [k, i] of testRows.entries()) {
		const t = truth.get(frame.account_id[i]);
		if (!t || Number(t.churned_90d) !== yTest[k]) return { auc: null, note: "truth's 90-day window is not this test window (train with --as-of set to the sample's as-of date)" };
		p.push(t.churn_probability_90d);
	}
	return { auc: rocAuc(yTest, p) };
}

/**
 * The health score's backtest: health at the test date from the model's risk percentile, the milestone
 * level and the sentiment of survey answers given before it, ranked against churn in the window (AUC of
 * 100 − health).
 */
function backtestHealth(frame: FeatureFrame, testRows: number[], yTest: number[], pTest: Float64Array, config: Config): number {
	const pct = percentiles(pTest);
	const health = testRows.map((i, k) =>
		accountHealth(pct[k], frame.numeric.milestone_level[i] ?? 0, sentimentFromScores(frame.numeric.csat_mean[i], frame.numeric.ces_mean[i]), config.health.weights)
	);
	return rocAuc(yTest, health.map((h) => 100 - h));
}
