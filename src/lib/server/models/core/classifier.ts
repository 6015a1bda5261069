import { brier, logLoss, rocAuc } from '../evaluate.js';
import type { Candidate, classifierKindSchema } from '../evaluations.js';
import type { z } from 'zod';
import { fitPlatt, sigmoid, type Platt } from './calibrate.js';
import { fitNetwork, type FitData, type FitSpec } from './fit.js';
import { DenseNet, type DenseLayer } from './network.js';
import { stratifiedSplit } from './random.js';

/** The model families tried: L2 logistic regression, and a one-hidden-layer relu network. */
export type ClassifierKind = z.infer<typeof classifierKindSchema>;

/** Options of {@link trainClassifier}. */
export interface TrainOptions {
	/** Fixes the validation split, the shuffles and the initial weights (default 42). */
	seed?: number;
	/** Kinds to try (default both); the best on validation is kept. */
	kinds?: ClassifierKind[];
	/** Share of rows held out, stratified, for early stopping, choosing the kind and calibration (default 0.2). */
	validationShare?: number;
	/** Upper bound on epochs per kind (default 100; early stopping usually ends far sooner). */
	maxEpochs?: number;
	onProgress?: (message: string) => void;
}

/**
 * Everything needed to score, as plain JSON: standardisation, the network's dense layers (the last one
 * outputs the logit) and the Platt calibration p = σ(a·logit + b). No training state.
 */
export interface ClassifierArtifact {
	kind: ClassifierKind;
	features: string[];
	/** z = (x − mean) / std per feature, fitted on the rows given to trainClassifier (std 0 → 1). */
	scaling: { mean: number[]; std: number[] };
	layers: DenseLayer[];
	calibration: Platt;
	/** Training settings of the chosen kind (learning rate, L2, batch size, …). */
	hyper: Record<string, number>;
	seed: number;
	/** Every kind tried, on the validation rows, after its own calibration; `epochs` = the epoch kept. */
	validation: Candidate[];
}

/** A trained binary classifier; scores with plain JS from its artifact. */
export class Classifier {
	private readonly net: DenseNet;

	/** Wraps a saved or freshly trained artifact; fails when its parts disagree on the number of features. */
	constructor(readonly artifact: ClassifierArtifact) {
		this.net = new DenseNet(artifact.layers);
		const d = artifact.features.length;
		if (artifact.scaling.mean.length !== d || artifact.scaling.std.length !== d || this.net.inputs !== d) {
			throw new Error(`classifier artifact is inconsistent: ${d} features, ${artifact.scaling.mean.length} scaling means, ${this.net.inputs} network inputs`);
		}
	}

	/** Calibrated probabilities p = σ(a·logit(z) + b) for rows of raw feature values (in `features` order). */
	predict(X: number[][]): Float64Array {
		const { a, b } = this.artifact.calibration;
		const z = this.standardise(X);
		const d = this.artifact.features.length;
		const out = new Float64Array(X.length);
		for (let r = 0; r < X.length; r++) out[r] = sigmoid(a * this.net.logit(z, r * d) + b);
		return out;
	}

	/**
	 * Each feature's push on the calibrated log-odds, per row: cⱼ = a · zⱼ · ∂logit/∂zⱼ (gradient × input on
	 * the standardised value zⱼ, where z = 0 is the training mean). For logistic regression this is exactly
	 * a·βⱼ·zⱼ; for the MLP it is the local linear attribution at that row.
	 */
	contributions(X: number[][]): number[][] {
		const { a } = this.artifact.calibration;
		const d = this.artifact.features.length;
		const z = this.standardise(X);
		const grad = new Float64Array(d);
		return X.map((_, r) => {
			this.net.gradient(z, r * d, grad);
			return Array.from(grad, (g, j) => a * g * z[r * d + j]);
		});
	}

	/** Rows → standardised, row-major; missing values (null/NaN) become 0, the training mean. */
	private standardise(X: number[][]): Float64Array {
		return standardise(X, this.artifact.scaling, this.artifact.features);
	}
}

function standardise(X: number[][], scaling: { mean: number[]; std: number[] }, features: string[]): Float64Array {
	const d = features.length;
	const z = new Float64Array(X.length * d);
	for (let r = 0; r < X.length; r++) {
		const row = X[r];
		if (row.length !== d) throw new Error(`row ${r} has ${row.length} values, the model expects ${d} (${features.join(', ')})`);
		for (let j = 0; j < d; j++) {
			const v = row[j];
			z[r * d + j] = v === null || v === undefined || Number.isNaN(v) ? 0 : (v - scaling.mean[j]) / scaling.std[j];
		}
	}
	return z;
}

/** Mean and standard deviation (population) per column over the finite values; std 0 → 1. */
function fitScaling(X: number[][], d: number): { mean: number[]; std: number[] } {
	const mean: number[] = [];
	const std: number[] = [];
	for (let j = 0; j < d; j++) {
		let n = 0, s = 0, ss = 0;
		for (const row of X) {
			const v = row[j];
			if (v === null || v === undefined || !Number.isFinite(v)) continue;
			n++;
			s += v;
		}
		const m = n ? s / n : 0;
		for (const row of X) {
			const v = row[j];
			if (v === null || v === undefined || !Number.isFinite(v)) continue;
			ss += (v - m) ** 2;
		}
		const sd = n ? Math.sqrt(ss / n) : 0;
		mean.push(m);
		std.push(sd > 1e-12 ? sd : 1);
	}
	return { mean, std };
}

/** Settings per kind, chosen on the Telco data and planted signals; the batch grows with the data. */
function specFor(kind: ClassifierKind, nTrain: number, seed: number, maxEpochs: number): FitSpec {
	// About 40 steps per epoch, as a power of two between 64 and 1024.
	const batchSize = Math.min(1024, Math.max(64, 2 ** Math.round(Math.log2(nTrain / 40))));
	const common = { batchSize, maxEpochs, patience: 5, minDelta: 1e-4 };
	return kind === 'logistic'
		? { ...common, hidden: 0, l2: 1e-4, learningRate: 0.02, seed: seed + 1 }
		: { ...common, hidden: 16, l2: 3e-3, learningRate: 0.005, seed: seed + 2 };
}

/** The MLP must beat logistic regression's validation AUC by more than this to be chosen. */
const MLP_MARGIN = 0.002;

/**
 * Trains each kind on a stratified share of the rows, with early stopping on the rest; keeps the kind with
 * the best validation ROC AUC (ranking is what calibration cannot repair, and AUC does not change under the
 * monotone Platt map; logistic regression wins near-ties, being simpler and steadier), then fits Platt
 * scaling on the chosen model's validation logits, since weighting positives by n₋/n₊ (for class imbalance)
 * shifts the raw probabilities. Same rows + same seed ⇒ the identical artifact.
 */
export async function trainClassifier(X: number[][], y: number[], features: string[], opts: TrainOptions = {}): Promise<Classifier> {
	const seed = opts.seed ?? 42;
	const kinds = opts.kinds ?? ['logistic', 'mlp'];
	const share = opts.validationShare ?? 0.2;
	const d = features.length;
	if (!kinds.length) throw new Error('trainClassifier: no model kinds to try');
	if (!d) throw new Error('trainClassifier: no features');
	if (X.length !== y.length) throw new Error(`trainClassifier: ${X.length} rows but ${y.length} labels`);
	const bad = y.findIndex((v) => v !== 0 && v !== 1);
	if (bad >= 0) throw new Error(`trainClassifier: labels must be 0 or 1, row ${bad} has ${y[bad]}`);
	const positives = y.reduce((s, v) => s + v, 0);
	if (positives < 2 || y.length - positives < 2) {
		throw new Error(`trainClassifier: needs at least 2 rows of each class, got ${positives} positive and ${y.length - positives} negative`);
	}

	const scaling = fitScaling(X, d);
	const z = standardise(X, scaling, features);
	const [trainRows, validRows] = stratifiedSplit(y, share, seed);
	const trainPos = trainRows.reduce((s, r) => s + y[r], 0);
	const positiveWeight = (trainRows.length - trainPos) / trainPos;
	const take = (rows: number[]): FitData => {
		const x = new Float32Array(rows.length * d);
		rows.forEach((r, i) => x.set(z.subarray(r * d, r * d + d), i * d));
		return {
			x,
			y: Float32Array.from(rows, (r) => y[r]),
			w: Float32Array.from(rows, (r) => (y[r] === 1 ? positiveWeight : 1)),
			n: rows.length,
			d
		};
	};
	const train = take(trainRows);
	const valid = take(validRows);
	const yValid = validRows.map((r) => y[r]);
	const zValid = Float64Array.from(valid.x);

	const candidates = [];
	for (const kind of kinds) {
		const spec = specFor(kind, train.n, seed, opts.maxEpochs ?? 100);
		opts.onProgress?.(`training ${kind} on ${train.n} rows × ${d} features (${valid.n} held out for validation)`);
		const fit = await fitNetwork(train, valid, spec);
		const net = new DenseNet(fit.layers);
		const logits = yValid.map((_, i) => net.logit(zValid, i * d));
		const calibration = fitPlatt(logits, yValid);
		const p = logits.map((s) => sigmoid(calibration.a * s + calibration.b));
		const scores = { kind, auc: rocAuc(yValid, p), brier: brier(yValid, p), logloss: logLoss(yValid, p), epochs: fit.bestEpoch };
		opts.onProgress?.(`${kind}: kept epoch ${fit.bestEpoch} of ${fit.epochsRun}, validation AUC ${scores.auc.toFixed(4)}`);
		candidates.push({ scores, layers: fit.layers, calibration, spec });
	}
	let chosen = candidates.reduce((a, b) => (b.scores.auc > a.scores.auc ? b : a));
	const logistic = candidates.find((c) => c.scores.kind === 'logistic');
	if (logistic && chosen !== logistic && chosen.scores.auc - logistic.scores.auc <= MLP_MARGIN) chosen = logistic;

	const { spec } = chosen;
	return new Classifier({
		kind: chosen.scores.kind,
		features: [...features],
		scaling,
		layers: chosen.layers,
		calibration: chosen.calibration,
		hyper: {
			hidden_units: spec.hidden,
			l2: spec.l2,
			learning_rate: spec.learningRate,
			batch_size: spec.batchSize,
			max_epochs: spec.maxEpochs,
			patience: spec.patience,
			positive_weight: positiveWeight,
			validation_share: share
		},
		seed,
		validation: candidates.map((c) => c.scores)
	});
}
