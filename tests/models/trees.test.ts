import { describe, expect, it } from 'vitest';
import { chooseCalibration, fitIsotonic, isotonicProbability } from '../../src/lib/server/models/core/calibrate.js';
import { Classifier, trainClassifier } from '../../src/lib/server/models/core/classifier.js';
import { mulberry32, stratifiedSplit } from '../../src/lib/server/models/core/random.js';
import type { Tree, TreeEnsemble } from '../../src/lib/server/models/core/trees.js';
import { ensembleMargin } from '../../src/lib/server/models/core/trees.js';
import { expectedValue, treeContributions } from '../../src/lib/server/models/core/treeshap.js';
import { pairedAuc, rocAuc } from '../../src/lib/server/models/evaluate.js';
import { planted } from './planted.js';

/** Rows whose churn depends only on the product x1·x2 (y ~ σ(−1 + 2.5·sign(x1·x2))), plus noise columns. */
function interaction(n: number, seed: number) {
	const rand = mulberry32(seed);
	const X: number[][] = [];
	const y: number[] = [];
	for (let i = 0; i < n; i++) {
		const row = [rand() * 2 - 1, rand() * 2 - 1, rand() * 2 - 1, rand() * 10, Math.floor(rand() * 4)];
		const s = -1 + 2.5 * Math.sign(row[0] * row[1]);
		X.push(row);
		y.push(rand() < 1 / (1 + Math.exp(-s)) ? 1 : 0);
	}
	return { X, y, features: ['x0', 'x1', 'noise_a', 'noise_b', 'noise_c'] };
}

/**
 * A two-level tree on features 0 and 1 with a third split on 0 again, its covers chosen by hand:
 * root: x0 ≤ 0 (cover 10) → left: x1 ≤ 0 (cover 6) → leaves 1 (cover 2), 3 (cover 4);
 * right: x0 ≤ 1 (cover 4) → leaves −2 (cover 1), 5 (cover 3).
 */
const handTree: Tree = {
	feature: [0, 1, 0, -1, -1, -1, -1],
	threshold: [0, 0, 1, 0, 0, 0, 0],
	left: [1, 3, 5, -1, -1, -1, -1],
	right: [2, 4, 6, -1, -1, -1, -1],
	value: [0, 0, 0, 1, 3, -2, 5],
	cover: [10, 6, 4, 2, 4, 1, 3]
};

/** E[f(x) | x_S] the path-dependent way: follow x where the split's feature is in S, else both sides by cover. */
function conditional(tree: Tree, x: number[], known: Set<number>, k = 0): number {
	if (tree.feature[k] < 0) return tree.value[k];
	const f = tree.feature[k];
	if (known.has(f)) return conditional(tree, x, known, x[f] <= tree.threshold[k] ? tree.left[k] : tree.right[k]);
	const [l, r] = [tree.left[k], tree.right[k]];
	return (tree.cover[l] * conditional(tree, x, known, l) + tree.cover[r] * conditional(tree, x, known, r)) / tree.cover[k];
}

/** Exact Shapley values by enumerating every subset of the d features. */
function bruteShapley(tree: Tree, x: number[], d: number): number[] {
	const fact = (m: number): number => (m <= 1 ? 1 : m * fact(m - 1));
	const phi = new Array<number>(d).fill(0);
	for (let j = 0; j < d; j++) {
		for (let mask = 0; mask < 1 << d; mask++) {
			if (mask & (1 << j)) continue;
			const S = new Set([...Array(d).keys()].filter((k) => mask & (1 << k)));
			const weight = (fact(S.size) * fact(d - S.size - 1)) / fact(d);
			phi[j] += weight * (conditional(tree, x, new Set([...S, j])) - conditional(tree, x, S));
		}
	}
	return phi;
}

describe('TreeSHAP', () => {
	it('equals the exact Shapley values of the path-dependent expectation on a hand-built tree', () => {
		const model: TreeEnsemble = { base: 0.5, trees: [handTree] };
		expect(expectedValue(model)).toBeCloseTo(0.5 + (2 * 1 + 4 * 3 + 1 * -2 + 3 * 5) / 10, 12);
		const rows = [
			[-1, -1, 7],
			[-1, 1, 7],
			[0.5, 9, 7],
			[2, -3, 7]
		];
		const phi = treeContributions(model, rows.flat(), rows.length, 3);
		rows.forEach((x, r) => {
			const exact = bruteShapley(handTree, x, 3);
			for (let j = 0; j < 3; j++) expect(phi[r * 3 + j]).toBeCloseTo(exact[j], 12);
			// The feature the tree never uses gets nothing; the rest add up to the margin.
			expect(phi[r * 3 + 2]).toBe(0);
			expect(phi[r * 3] + phi[r * 3 + 1] + expectedValue(model)).toBeCloseTo(ensembleMargin(model, x, 0), 12);
		});
	});

	it('contributions plus the base value equal the trained model’s margin for every account', async () => {
		const data = interaction(3000, 11);
		const model = await trainClassifier(data.X, data.y, data.features, { seed: 3, kinds: ['gbdt'] });
		expect(model.artifact.kind).toBe('gbdt');
		const { calibration } = model.artifact;
		const a = calibration.method === 'isotonic' ? 1 : calibration.a;
		const c = model.contributions(data.X);
		const margins = model.margins(data.X);
		const base = model.baseValue();
		let worst = 0;
		c.forEach((row, r) => (worst = Math.max(worst, Math.abs(row.reduce((s, v) => s + v, 0) / a + base - margins[r]))));
		expect(worst).toBeLessThan(1e-9);
		// Scoring takes the margin from the contributions: the same probabilities as walking the trees.
		const explained = model.explain(data.X);
		const predicted = model.predict(data.X);
		explained.p.forEach((p, r) => expect(p).toBeCloseTo(predicted[r], 12));
		expect(explained.contributions[5]).toEqual(c[5]);
		// The reasons name the two features that matter, not the noise.
		const meanAbs = (j: number) => c.reduce((s, row) => s + Math.abs(row[j]), 0) / c.length;
		expect(Math.min(meanAbs(0), meanAbs(1))).toBeGreaterThan(4 * Math.max(meanAbs(2), meanAbs(3), meanAbs(4)));
	});
});

describe('gradient-boosted trees as a candidate', () => {
	it('the same data and seed give identical trees and predictions; another seed does not', async () => {
		const data = interaction(2000, 5);
		const a = await trainClassifier(data.X, data.y, data.features, { seed: 9, kinds: ['gbdt'] });
		const b = await trainClassifier(data.X, data.y, data.features, { seed: 9, kinds: ['gbdt'] });
		expect(JSON.stringify(b.artifact)).toBe(JSON.stringify(a.artifact));
		expect(b.predict(data.X)).toEqual(a.predict(data.X));
		const c = await trainClassifier(data.X, data.y, data.features, { seed: 10, kinds: ['gbdt'] });
		expect(JSON.stringify(c.artifact)).not.toBe(JSON.stringify(a.artifact));
		// The saved artifact scores on its own, through JSON.
		const reloaded = new Classifier(JSON.parse(JSON.stringify(a.artifact)));
		expect(reloaded.predict(data.X)).toEqual(a.predict(data.X));
	});

	it('on an interaction (y depends on x0·x1) trees beat logistic regression clearly and are chosen', async () => {
		const train = interaction(6000, 1);
		const test = interaction(4000, 2);
		const model = await trainClassifier(train.X, train.y, train.features, { seed: 42 });
		expect(model.artifact.kind).toBe('gbdt');
		expect(model.artifact.validation.map((v) => v.kind)).toEqual(['logistic', 'gbdt', 'mlp']);
		const [logistic, trees] = model.artifact.validation;
		expect(trees.auc!).toBeGreaterThan(logistic.auc! + 0.1);
		expect(trees.auc_low!).toBeLessThan(trees.auc!);
		expect(trees.auc_high!).toBeGreaterThan(trees.auc!);
		expect(model.artifact.selection).toMatch(
			/^Gradient-boosted trees chosen\. gradient-boosted trees replaced logistic regression: validation AUC 0\.\d{3} vs 0\.\d{3}, \+0\.\d{3} is more than the standard error/
		);
		expect(rocAuc(test.y, model.predict(test.X))).toBeGreaterThan(0.75);
	});

	it('on a linear signal logistic regression is kept, and the evaluation says why', async () => {
		const data = planted(6000, 1);
		const model = await trainClassifier(data.X, data.y, data.features, { seed: 42 });
		expect(model.artifact.kind).toBe('logistic');
		expect(model.artifact.selection).toMatch(/^Logistic regression chosen\. gradient-boosted trees not chosen: .*; the neural network \(MLP\) not chosen: /);
	});
});

describe('paired AUC (DeLong)', () => {
	it('matches a hand-computed example', () => {
		// Positives 0.9, 0.4; negatives 0.5, 0.1. V₁₀ = [1, ½], V₀₁ = [½, 1]; AUC ¾;
		// var = S₁₀/2 + S₀₁/2 = 0.125/2 + 0.125/2 = 0.125.
		const y = [1, 1, 0, 0];
		const a = [0.9, 0.4, 0.5, 0.1];
		const { auc, cov } = pairedAuc(y, [a, a.map((v) => 2 * v)]);
		expect(auc[0]).toBeCloseTo(0.75, 12);
		expect(auc[0]).toBeCloseTo(rocAuc(y, a), 12);
		expect(cov[0][0]).toBeCloseTo(0.125, 12);
		// The same ranking twice: the paired difference has no variance.
		expect(cov[0][0] + cov[1][1] - 2 * cov[0][1]).toBeCloseTo(0, 12);
	});
});

describe('isotonic calibration', () => {
	it('pools adjacent violators and interpolates between blocks', () => {
		// Labels 0 1 0 1 at scores 1..4: blocks {1} → 0, {2, 3} → ½, {4} → 1, rates kept in [⅛, ⅞].
		const iso = fitIsotonic([1, 2, 3, 4], [0, 1, 0, 1]);
		expect(iso).toEqual({ x: [1, 2.5, 4], y: [0.125, 0.5, 0.875] });
		expect(isotonicProbability(iso, 0)).toBe(0.125);
		expect(isotonicProbability(iso, 3.25)).toBeCloseTo(0.6875, 12);
		expect(isotonicProbability(iso, 9)).toBe(0.875);
	});

	it('is chosen over Platt when the true probability is not a sigmoid of the score, and not when it is', () => {
		const rand = mulberry32(4);
		const s = Array.from({ length: 4000 }, () => rand() * 6 - 3);
		const step = s.map((v) => (rand() < (v < 0 ? 0.05 : v < 1 ? 0.6 : 0.65) ? 1 : 0));
		const logistic = s.map((v) => (rand() < 1 / (1 + Math.exp(-1.3 * v)) ? 1 : 0));
		const stepChoice = chooseCalibration(s, step, stratifiedSplit(step, 0.5, 1));
		expect(stepChoice.calibration.method).toBe('isotonic');
		expect(stepChoice.brier.isotonic!).toBeLessThan(stepChoice.brier.platt);
		const sigmoidChoice = chooseCalibration(s, logistic, stratifiedSplit(logistic, 0.5, 1));
		expect(sigmoidChoice.calibration.method).toBe('platt');
	});
});
