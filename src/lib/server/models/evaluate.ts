/**
 * Model quality measures, as plain functions over labels `y` (0/1, or real values for `mae`/`rmse`) and
 * predictions `p` (probabilities, or real values). Undefined measures (no rows, a single class) are NaN.
 */

import type { CalibrationBin } from './evaluations.js';

function checkLengths(y: ArrayLike<number>, p: ArrayLike<number>): void {
	if (y.length !== p.length) throw new Error(`labels and predictions differ in length: ${y.length} vs ${p.length}`);
}

function countPositives(y: ArrayLike<number>): number {
	let pos = 0;
	for (let i = 0; i < y.length; i++) if (y[i] === 1) pos++;
	return pos;
}

/**
 * ROC AUC, the probability that a random positive scores above a random negative (ties count ½), by the
 * rank-sum (Mann–Whitney) formula: AUC = (R₊ − n₊(n₊+1)/2) / (n₊·n₋), where R₊ is the sum of the
 * positives' ranks (1 = lowest score) and tied scores share their average rank.
 */
export function rocAuc(y: ArrayLike<number>, p: ArrayLike<number>): number {
	checkLengths(y, p);
	const n = y.length;
	const pos = countPositives(y);
	const neg = n - pos;
	if (pos === 0 || neg === 0) return NaN;
	const ranks = midranks(p);
	let rankSum = 0;
	for (let i = 0; i < n; i++) if (y[i] === 1) rankSum += ranks[i];
	return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** Midranks (1-based; tied values share their average rank) of `v`. */
export function midranks(v: ArrayLike<number>): Float64Array {
	const n = v.length;
	const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => v[a] - v[b]);
	const ranks = new Float64Array(n);
	for (let i = 0; i < n; ) {
		let j = i;
		while (j + 1 < n && v[order[j + 1]] === v[order[i]]) j++;
		for (let k = i; k <= j; k++) ranks[order[k]] = (i + j) / 2 + 1;
		i = j + 1;
	}
	return ranks;
}

/** ROC AUCs of several scorings of the same rows, with DeLong's covariance of their estimates. */
export interface PairedAuc {
	auc: number[];
	/** cov[a][b] of the AUC estimates; cov[a][a] is AUC a's variance. */
	cov: number[][];
}

/**
 * DeLong, DeLong & Clarke-Pearson (1988), by Sun & Xu's (2014) midrank algorithm: per model, each positive's
 * V₁₀ = (its rank among all rows − its rank among positives) / n₋ and each negative's V₀₁ = 1 − (its rank
 * among all − its rank among negatives) / n₊; AUC = mean V₁₀, and cov = S₁₀/n₊ + S₀₁/n₋ with S the sample
 * covariances (n − 1) of the V's across models. Var(AUC_a − AUC_b) = cov[a][a] + cov[b][b] − 2·cov[a][b]:
 * the paired test, which counts that both models scored the same rows. NaN when a class is missing.
 */
export function pairedAuc(y: ArrayLike<number>, scores: ArrayLike<number>[]): PairedAuc {
	for (const s of scores) checkLengths(y, s);
	const pos: number[] = [];
	const neg: number[] = [];
	for (let i = 0; i < y.length; i++) (y[i] === 1 ? pos : neg).push(i);
	const m = pos.length;
	const n = neg.length;
	const k = scores.length;
	if (!m || !n) return { auc: scores.map(() => NaN), cov: scores.map(() => scores.map(() => NaN)) };
	const v10: Float64Array[] = [];
	const v01: Float64Array[] = [];
	for (const s of scores) {
		const all = midranks(s);
		const rp = midranks(pos.map((i) => s[i]));
		const rn = midranks(neg.map((i) => s[i]));
		v10.push(Float64Array.from(pos, (i, a) => (all[i] - rp[a]) / n));
		v01.push(Float64Array.from(neg, (i, b) => 1 - (all[i] - rn[b]) / m));
	}
	const mean = (a: Float64Array) => a.reduce((t, x) => t + x, 0) / a.length;
	const auc = v10.map(mean);
	const covOf = (u: Float64Array, w: Float64Array, mu: number, mw: number) => {
		if (u.length < 2) return 0;
		let c = 0;
		for (let i = 0; i < u.length; i++) c += (u[i] - mu) * (w[i] - mw);
		return c / (u.length - 1);
	};
	const m01 = v01.map(mean);
	const cov = Array.from({ length: k }, (_, a) =>
		Array.from({ length: k }, (_, b) => covOf(v10[a], v10[b], auc[a], auc[b]) / m + covOf(v01[a], v01[b], m01[a], m01[b]) / n)
	);
	return { auc, cov };
}

/**
 * PR AUC as average precision: AP = Σₖ (Rₖ − Rₖ₋₁)·Pₖ over the distinct score thresholds from high to low,
 * where Pₖ and Rₖ are the precision and recall of predicting positive at scores ≥ the k-th threshold
 * (tied scores enter together, as in scikit-learn's `average_precision_score`).
 */
export function prAuc(y: ArrayLike<number>, p: ArrayLike<number>): number {
	checkLengths(y, p);
	const n = y.length;
	const pos = countPositives(y);
	if (pos === 0) return NaN;
	const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => p[b] - p[a]);
	let tp = 0;
	let seen = 0;
	let prevRecall = 0;
	let ap = 0;
	for (let i = 0; i < n; ) {
		let j = i;
		while (j + 1 < n && p[order[j + 1]] === p[order[i]]) j++;
		for (let k = i; k <= j; k++) if (y[order[k]] === 1) tp++;
		seen += j - i + 1;
		const recall = tp / pos;
		ap += (recall - prevRecall) * (tp / seen);
		prevRecall = recall;
		i = j + 1;
	}
	return ap;
}

/** Brier score: mean of (pᵢ − yᵢ)²; 0 is perfect, a constant p = base rate r scores r(1 − r). */
export function brier(y: ArrayLike<number>, p: ArrayLike<number>): number {
	checkLengths(y, p);
	let s = 0;
	for (let i = 0; i < y.length; i++) s += (p[i] - y[i]) ** 2;
	return y.length ? s / y.length : NaN;
}

/** Log loss: −mean(yᵢ·ln pᵢ + (1 − yᵢ)·ln(1 − pᵢ)), with pᵢ clipped to [1e−15, 1 − 1e−15] so it stays finite. */
export function logLoss(y: ArrayLike<number>, p: ArrayLike<number>): number {
	checkLengths(y, p);
	let s = 0;
	for (let i = 0; i < y.length; i++) {
		const q = Math.min(1 - 1e-15, Math.max(1e-15, p[i]));
		s -= y[i] === 1 ? Math.log(q) : Math.log(1 - q);
	}
	return y.length ? s / y.length : NaN;
}

/**
 * Reliability table over `bins` equal-width bins of the predicted probability: per bin, the count, the
 * mean prediction and the observed positive rate. A calibrated model has mean_predicted ≈ observed_rate.
 */
export function calibrationTable(y: ArrayLike<number>, p: ArrayLike<number>, bins = 10): CalibrationBin[] {
	checkLengths(y, p);
	const count = new Array<number>(bins).fill(0);
	const sumP = new Array<number>(bins).fill(0);
	const sumY = new Array<number>(bins).fill(0);
	for (let i = 0; i < y.length; i++) {
		const b = Math.min(bins - 1, Math.max(0, Math.floor(p[i] * bins)));
		count[b]++;
		sumP[b] += p[i];
		sumY[b] += y[i];
	}
	return count.map((c, b) => ({
		bin: b + 1,
		from: b / bins,
		to: (b + 1) / bins,
		count: c,
		mean_predicted: c ? sumP[b] / c : null,
		observed_rate: c ? sumY[b] / c : null
	}));
}

/**
 * The top 10 % of rows by prediction (⌈n/10⌉ rows; ties at the cut broken by row order): precision = their
 * positive rate, base_rate = the positive rate of all rows, lift = precision / base_rate.
 */
export function topDecile(y: ArrayLike<number>, p: ArrayLike<number>): { precision: number; lift: number; base_rate: number } {
	checkLengths(y, p);
	const n = y.length;
	const k = Math.ceil(n / 10);
	const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => p[b] - p[a] || a - b);
	let hits = 0;
	for (let i = 0; i < k; i++) hits += y[order[i]];
	const baseRate = n ? countPositives(y) / n : NaN;
	const precision = k ? hits / k : NaN;
	return { precision, lift: precision / baseRate, base_rate: baseRate };
}

/** Mean absolute error: mean |yᵢ − pᵢ|. */
export function mae(y: ArrayLike<number>, p: ArrayLike<number>): number {
	checkLengths(y, p);
	let s = 0;
	for (let i = 0; i < y.length; i++) s += Math.abs(y[i] - p[i]);
	return y.length ? s / y.length : NaN;
}

/** Root mean squared error: √(mean (yᵢ − pᵢ)²). */
export function rmse(y: ArrayLike<number>, p: ArrayLike<number>): number {
	checkLengths(y, p);
	let s = 0;
	for (let i = 0; i < y.length; i++) s += (y[i] - p[i]) ** 2;
	return y.length ? Math.sqrt(s / y.length) : NaN;
}

/** The held-out quality of a binary classifier, as reported by `adoption train` and stored beside the model. */
export interface ClassificationReport {
	auc: number;
	pr_auc: number;
	brier: number;
	base_rate: number;
	/** Brier of always predicting the base rate r: r(1 − r). A useful model scores below it. */
	brier_base_rate: number;
	calibration: CalibrationBin[];
	top_decile: { precision: number; lift: number };
	n: number;
	positives: number;
}

/** All of the classification measures above for one set of labels and predicted probabilities. */
export function classificationReport(y: ArrayLike<number>, p: ArrayLike<number>): ClassificationReport {
	checkLengths(y, p);
	const positives = countPositives(y);
	const baseRate = y.length ? positives / y.length : NaN;
	const top = topDecile(y, p);
	return {
		auc: rocAuc(y, p),
		pr_auc: prAuc(y, p),
		brier: brier(y, p),
		base_rate: baseRate,
		brier_base_rate: baseRate * (1 - baseRate),
		calibration: calibrationTable(y, p),
		top_decile: { precision: top.precision, lift: top.lift },
		n: y.length,
		positives
	};
}
