import type { z } from 'zod';
import { brier, logLoss, pairedAuc } from '../evaluate.js';
import type { Candidate, classifierKindSchema } from '../evaluations.js';
import { calibrated, chooseCalibration, fitPlatt, sigmoid, type Calibration, type CalibrationChoice } from './calibrate.js';
import { fitNetwork, type FitData, type FitSpec } from './fit.js';
import { DenseNet, type DenseLayer } from './network.js';
import { stratifiedSplit } from './random.js';
import { checkEnsemble, ensembleMargin, fitTrees, type TreeEnsemble, type TreeSpec } from './trees.js';
import { expectedValue, treeContributions } from './treeshap.js';

/** The model families tried: L2 logistic regression, gradient-boosted trees, a one-hidden-layer relu network. */
export type ClassifierKind = z.infer<typeof classifierKindSchema>;

/** The families from simplest to most complex: a later one must beat the one chosen so far clearly. */
export const KINDS_BY_SIMPLICITY: readonly ClassifierKind[] = ['logistic', 'gbdt', 'mlp'];

/** Options of {@link trainClassifier}. */
export interface TrainOptions {
	/** Fixes the validation split, the shuffles, the samples and the initial weights (default 42). */
	seed?: number;
	/** Kinds to try (default all three); see {@link trainClassifier} for how one is chosen. */
	kinds?: ClassifierKind[];
	/** Share of rows held out, stratified, for early stopping, choosing the kind and calibration (default 0.2). */
	validationShare?: number;
	/** Upper bound on the networks' epochs (default 100; early stopping usually ends far sooner). */
	maxEpochs?: number;
	/** Upper bound on the trees' boosting rounds (default 500). */
	maxRounds?: number;
	onProgress?: (message: string) => void;
}

interface ArtifactBase {
	features: string[];
	/** z = (x − mean) / std per feature, fitted on the rows given to trainClassifier (std 0 → 1). */
	scaling: { mean: number[]; std: number[] };
	/** Margin → probability. Chosen between Platt and isotonic by Brier score on the validation rows. */
	calibration: Calibration;
	/** The two methods' cross-fitted validation Brier scores (null: not tried; absent in older artifacts). */
	calibration_brier?: { platt: number | null; isotonic: number | null };
	/** Training settings of the chosen kind (learning rate, L2, depth, …). */
	hyper: Record<string, number>;
	seed: number;
	/** Every kind tried, on the validation rows; `epochs` = the epoch (or boosting round) kept. */
	validation: Candidate[];
	/** Why the chosen kind was chosen, in words (absent in older artifacts). */
	selection?: string;
}

/**
 * Everything needed to score, as plain JSON: standardisation, the model (a network's dense layers whose last
 * one outputs the logit, or the trees), and the calibration of its margin. No training state.
 */
export type ClassifierArtifact = ArtifactBase & ({ kind: 'logistic' | 'mlp'; layers: DenseLayer[] } | { kind: 'gbdt'; trees: TreeEnsemble });

/** A trained binary classifier; scores with plain JS from its artifact. */
export class Classifier {
	private readonly net: DenseNet | null;

	/** Wraps a saved or freshly trained artifact; fails when its parts disagree on the number of features. */
	constructor(readonly artifact: ClassifierArtifact) {
		const d = artifact.features.length;
		if (artifact.kind === 'gbdt') {
			this.net = null;
			checkEnsemble(artifact.trees, d);
		} else {
			this.net = new DenseNet(artifact.layers);
			if (this.net.inputs !== d) throw new Error(`classifier artifact is inconsistent: ${d} features, ${this.net.inputs} network inputs`);
		}
		if (artifact.scaling.mean.length !== d || artifact.scaling.std.length !== d) {
			throw new Error(`classifier artifact is inconsistent: ${d} features, ${artifact.scaling.mean.length} scaling means`);
		}
	}

	/** The model's margins (log-odds before calibration) for rows of raw feature values (in `features` order). */
	margins(X: number[][]): Float64Array {
		return this.marginsOf(this.standardise(X), X.length);
	}

	/** Calibrated probabilities for rows of raw feature values (in `features` order). */
	predict(X: number[][]): Float64Array {
		const { calibration } = this.artifact;
		return this.marginsOf(this.standardise(X), X.length).map((s) => calibrated(calibration, s));
	}

	/**
	 * Each feature's push on the log-odds, per row (views into one buffer), scaled by Platt's slope a when
	 * Platt calibrates (so they are on the calibrated log-odds; isotonic has no single slope, so they stay on
	 * the margin's):
	 * - trees: exact TreeSHAP, φ with Σⱼ φⱼ + {@link baseValue} = the margin;
	 * - networks: zⱼ · ∂logit/∂zⱼ (gradient × input on the standardised value, z = 0 being the training
	 *   mean): for logistic regression exactly βⱼ·zⱼ, for the MLP the local linear attribution at that row.
	 */
	contributions(X: number[][]): Float64Array[] {
		return this.contributionsOf(this.standardise(X), X.length);
	}

	/**
	 * {@link predict} and {@link contributions} together, standardising the rows once. For trees the margin
	 * is the base value plus the contributions (TreeSHAP is exact), which spares walking every tree again.
	 */
	explain(X: number[][]): { p: Float64Array; contributions: Float64Array[] } {
		const { calibration } = this.artifact;
		const z = this.standardise(X);
		const contributions = this.contributionsOf(z, X.length);
		const a = this.contributionScale();
		let margins: Float64Array;
		if (this.artifact.kind === 'gbdt' && a !== 0) {
			const base = this.baseValue();
			margins = Float64Array.from(contributions, (row) => base + row.reduce((s, v) => s + v, 0) / a);
		} else margins = this.marginsOf(z, X.length);
		return { p: margins.map((s) => calibrated(calibration, s)), contributions };
	}

	/** What contributions are multiplied by: Platt's slope (the calibrated log-odds), 1 under isotonic (the margin). */
	private contributionScale(): number {
		const { calibration } = this.artifact;
		return calibration.method === 'isotonic' ? 1 : calibration.a;
	}

	private marginsOf(z: Float64Array, n: number): Float64Array {
		const d = this.artifact.features.length;
		const out = new Float64Array(n);
		for (let r = 0; r < n; r++) out[r] = this.marginAt(z, r * d);
		return out;
	}

	private contributionsOf(z: Float64Array, n: number): Float64Array[] {
		const a = this.contributionScale();
		const d = this.artifact.features.length;
		// One buffer, a view per row: 100,000 rows of small arrays cost more in allocation than in arithmetic.
		let phi: Float64Array;
		if (this.artifact.kind === 'gbdt') {
			phi = treeContributions(this.artifact.trees, z, n, d);
			if (a !== 1) for (let k = 0; k < phi.length; k++) phi[k] *= a;
		} else {
			phi = new Float64Array(n * d);
			const grad = new Float64Array(d);
			for (let r = 0; r < n; r++) {
				this.net!.gradient(z, r * d, grad);
				for (let j = 0; j < d; j++) phi[r * d + j] = a * grad[j] * z[r * d + j];
			}
		}
		return Array.from({ length: n }, (_, r) => phi.subarray(r * d, r * d + d));
	}

	/** For trees, the margin with no feature known: E[f] over the training cover (what TreeSHAP's φ add to). */
	baseValue(): number {
		if (this.artifact.kind !== 'gbdt') throw new Error('baseValue: only trees have one');
		return expectedValue(this.artifact.trees);
	}

	private marginAt(z: Float64Array, offset: number): number {
		return this.artifact.kind === 'gbdt' ? ensembleMargin(this.artifact.trees, z, offset) : this.net!.logit(z, offset);
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

/** Network settings per kind, chosen on the Telco data and planted signals; the batch grows with the data. */
function networkSpec(kind: 'logistic' | 'mlp', nTrain: number, seed: number, maxEpochs: number): FitSpec {
	// About 40 steps per epoch, as a power of two between 64 and 1024.
	const batchSize = Math.min(1024, Math.max(64, 2 ** Math.round(Math.log2(nTrain / 40))));
	const common = { batchSize, maxEpochs, patience: 5, minDelta: 1e-4 };
	return kind === 'logistic'
		? { ...common, hidden: 0, l2: 1e-4, learningRate: 0.02, seed: seed + 1 }
		: { ...common, hidden: 16, l2: 3e-3, learningRate: 0.005, seed: seed + 2 };
}

/**
 * Tree settings: XGBoost's usual ones for tabular churn data (depth 4, η 0.1, 80 % of rows and features),
 * each tree on at most 50,000 rows (stochastic boosting: a depth-4 tree is well estimated on 50,000 rows,
 * and a round on 150,000 cost 2.5× as much for the same AUC).
 */
function treeSpec(seed: number, maxRounds: number): TreeSpec {
	return {
		maxDepth: 4,
		learningRate: 0.1,
		maxRounds,
		patience: 20,
		minDelta: 1e-5,
		minChildWeight: 1,
		lambda: 1,
		rowSample: 0.8,
		maxRowsPerTree: 50_000,
		colSample: 0.8,
		bins: 255,
		seed: seed + 3
	};
}

/** The kinds in the selection sentence, which the CLI prints and the models page shows. */
const KIND_NAMES: Record<ClassifierKind, string> = { logistic: 'logistic regression', gbdt: 'gradient-boosted trees', mlp: 'the neural network (MLP)' };

/** One trained candidate: its model, its margins on the validation rows and what it took. */
interface Trained {
	kind: ClassifierKind;
	model: { layers: DenseLayer[] } | { trees: TreeEnsemble };
	margins: number[];
	/** Epoch or boosting round kept. */
	kept: number;
	hyper: Record<string, number>;
}

/**
 * Trains each kind on a stratified share of the rows, with early stopping on the rest, and chooses by
 * validation ROC AUC (ranking is what calibration cannot repair) with a bias to the simple: going from
 * the simplest kind up ({@link KINDS_BY_SIMPLICITY}), a more complex kind replaces the one chosen so far
 * only when its AUC is higher by more than the standard error of the difference, paired on the same
 * validation rows (DeLong). Then calibrates the chosen model's validation margins by Platt or isotonic,
 * whichever has the lower cross-fitted Brier score, since weighting positives by n₋/n₊ (for class
 * imbalance) shifts the raw probabilities. Same rows + same seed ⇒ the identical artifact.
 */
export async function trainClassifier(X: number[][], y: number[], features: string[], opts: TrainOptions = {}): Promise<Classifier> {
	const seed = opts.seed ?? 42;
	const kinds = KINDS_BY_SIMPLICITY.filter((k) => (opts.kinds ?? KINDS_BY_SIMPLICITY).includes(k));
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
	const say = opts.onProgress ?? (() => {});

	const trained: Trained[] = [];
	for (const kind of kinds) {
		say(`training ${kind} on ${train.n.toLocaleString('en-US')} rows × ${d} features (${valid.n.toLocaleString('en-US')} held out for validation)`);
		if (kind === 'gbdt') {
			const spec = treeSpec(seed, opts.maxRounds ?? 500);
			// Trees split on the same standardised values (a monotone map: the same splits), Float64 for exact thresholds.
			const fit = fitTrees({ ...train, x: Float64Array.from(train.x) }, { ...valid, x: zValid }, spec);
			const margins = yValid.map((_, i) => ensembleMargin(fit.ensemble, zValid, i * d));
			say(`gbdt: kept ${fit.bestRound} of ${fit.roundsRun} rounds`);
			const { maxDepth, learningRate, minChildWeight, lambda, rowSample, maxRowsPerTree, colSample, bins, patience } = spec;
			const hyper = { max_depth: maxDepth, learning_rate: learningRate, rounds: fit.bestRound, max_rounds: spec.maxRounds, patience, min_child_weight: minChildWeight, lambda, row_sample: rowSample, max_rows_per_tree: maxRowsPerTree, col_sample: colSample, bins };
			trained.push({ kind, model: { trees: fit.ensemble }, margins, kept: fit.bestRound, hyper });
		} else {
			const spec = networkSpec(kind, train.n, seed, opts.maxEpochs ?? 100);
			const fit = await fitNetwork(train, valid, spec);
			const net = new DenseNet(fit.layers);
			const margins = yValid.map((_, i) => net.logit(zValid, i * d));
			say(`${kind}: kept epoch ${fit.bestEpoch} of ${fit.epochsRun}`);
			const hyper = { hidden_units: spec.hidden, l2: spec.l2, learning_rate: spec.learningRate, batch_size: spec.batchSize, max_epochs: spec.maxEpochs, patience: spec.patience };
			trained.push({ kind, model: { layers: fit.layers }, margins, kept: fit.bestEpoch, hyper });
		}
	}

	const { candidates, chosen, selection } = choose(trained, yValid);
	const winner = trained[chosen];
	const choice: CalibrationChoice = chooseCalibration(winner.margins, yValid, stratifiedSplit(yValid, 0.5, seed + 4));
	const hyper = { ...winner.hyper, positive_weight: positiveWeight, validation_share: share };
	const base = {
		features: [...features],
		scaling,
		calibration: choice.calibration,
		calibration_brier: { platt: nullable(choice.brier.platt), isotonic: nullable(choice.brier.isotonic) },
		hyper,
		seed,
		validation: candidates,
		selection
	};
	return new Classifier('trees' in winner.model ? { ...base, kind: 'gbdt', trees: winner.model.trees } : { ...base, kind: winner.kind as 'logistic' | 'mlp', layers: winner.model.layers });
}

const nullable = (v: number | null) => (v === null || Number.isNaN(v) ? null : v);

/**
 * Each candidate's validation figures (AUC with its DeLong 95 % interval; Brier and log loss after its own
 * Platt scaling) and the choice: from the simplest up, a kind replaces the current choice when its AUC is
 * higher by more than the standard error of the paired difference.
 */
function choose(trained: Trained[], y: number[]): { candidates: Candidate[]; chosen: number; selection: string } {
	const { auc, cov } = pairedAuc(
		y,
		trained.map((t) => t.margins)
	);
	const candidates: Candidate[] = trained.map((t, k) => {
		const platt = fitPlatt(t.margins, y);
		const p = t.margins.map((s) => sigmoid(platt.a * s + platt.b));
		const se = Math.sqrt(cov[k][k]);
		return { kind: t.kind, auc: auc[k], auc_low: Math.max(0, auc[k] - 1.96 * se), auc_high: Math.min(1, auc[k] + 1.96 * se), brier: brier(y, p), logloss: logLoss(y, p), epochs: t.kept };
	});
	let chosen = 0;
	const reasons: string[] = [];
	const f = (x: number) => x.toFixed(3);
	const name = (k: number) => KIND_NAMES[trained[k].kind];
	for (let k = 1; k < trained.length; k++) {
		const diff = auc[k] - auc[chosen];
		const se = Math.sqrt(Math.max(0, cov[k][k] + cov[chosen][chosen] - 2 * cov[k][chosen]));
		const vs = `validation AUC ${f(auc[k])} vs ${f(auc[chosen])}`;
		if (diff > se) {
			reasons.push(`${name(k)} replaced ${name(chosen)}: ${vs}, +${f(diff)} is more than the standard error of the paired difference (${f(se)})`);
			chosen = k;
		} else {
			reasons.push(
				diff > 0
					? `${name(k)} not chosen: ${vs}, +${f(diff)} is within the standard error of the paired difference (${f(se)})`
					: `${name(k)} not chosen: ${vs}, not higher`
			);
		}
	}
	const lead = KIND_NAMES[trained[chosen].kind].replace(/^./, (c) => c.toUpperCase());
	const selection = trained.length === 1 ? `${lead}, the only kind tried (validation AUC ${f(auc[0])}).` : `${lead} chosen. ${reasons.join('; ')}.`;
	return { candidates, chosen, selection };
}
