import { trainClassifier, type ClassifierKind } from '../core/classifier.js';
import { stratifiedFolds } from '../core/random.js';
import { brier, prAuc, rocAuc } from '../evaluate.js';
import type { ColumnPlan } from './columns.js';
import { fitEncoder } from './encode.js';
import type { TextTable } from './read.js';

/** Held-out quality of one fold. */
export interface FoldResult {
	/** 1-based. */
	fold: number;
	rows: number;
	positives: number;
	auc: number;
	pr_auc: number;
	brier: number;
	/** The kind trainClassifier chose on the fold's inner validation split. */
	model: ClassifierKind;
}

/**
 * Stratified k-fold cross-validation with a fixed seed. Per fold, everything learnt from data (medians,
 * kept levels, scaling, weights, calibration) is fitted on the other folds only, then the fold is scored.
 * `rows` are table rows with labels `y` (aligned). Also returns each row's held-out probability (aligned
 * with `rows`), from the fold that held it out.
 */
export async function crossValidate(
	table: TextTable,
	plans: ColumnPlan[],
	rows: number[],
	y: number[],
	opts: { folds: number; seed: number; onProgress?: (m: string) => void }
): Promise<{ folds: FoldResult[]; predictions: Float64Array }> {
	const folds = stratifiedFolds(y, opts.folds, opts.seed);
	const results: FoldResult[] = [];
	const predictions = new Float64Array(rows.length);
	for (let f = 0; f < folds.length; f++) {
		const held = new Set(folds[f]);
		const trainIdx = y.map((_, k) => k).filter((k) => !held.has(k));
		const encoder = fitEncoder(
			table,
			plans,
			trainIdx.map((k) => rows[k])
		);
		const train = encoder.transform(trainIdx.map((k) => rows[k])).X;
		const test = encoder.transform(folds[f].map((k) => rows[k])).X;
		const yTrain = trainIdx.map((k) => y[k]);
		const yTest = folds[f].map((k) => y[k]);
		const model = await trainClassifier(train, yTrain, encoder.features, { seed: opts.seed });
		const p = model.predict(test);
		folds[f].forEach((k, i) => (predictions[k] = p[i]));
		const result: FoldResult = {
			fold: f + 1,
			rows: yTest.length,
			positives: yTest.reduce((s, v) => s + v, 0),
			auc: rocAuc(yTest, p),
			pr_auc: prAuc(yTest, p),
			brier: brier(yTest, p),
			model: model.artifact.kind
		};
		opts.onProgress?.(`fold ${result.fold}/${folds.length}: AUC ${result.auc.toFixed(3)} (${result.model})`);
		results.push(result);
	}
	return { folds: results, predictions };
}
