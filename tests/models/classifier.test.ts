import { beforeAll, describe, expect, it } from 'vitest';
import { Classifier, trainClassifier } from '../../src/lib/server/models/core/classifier.js';
import { permutation, stratifiedFolds, stratifiedSplit } from '../../src/lib/server/models/core/random.js';
import { tfReady } from '../../src/lib/server/models/core/tf.js';
import { brier, rocAuc } from '../../src/lib/server/models/evaluate.js';
import { planted } from './planted.js';

const logOdds = (p: number) => Math.log(p / (1 - p));

describe('seeded randomness', () => {
	it('permutations and splits are fixed by the seed and keep the class balance', () => {
		expect(permutation(10, 1)).toEqual(permutation(10, 1));
		expect(permutation(10, 1)).not.toEqual(permutation(10, 2));
		expect([...permutation(10, 1)].sort((a, b) => a - b)).toEqual([...Array(10).keys()]);
		const y = Array.from({ length: 100 }, (_, i) => (i % 4 === 0 ? 1 : 0));
		const [kept, held] = stratifiedSplit(y, 0.2, 7);
		expect(held).toHaveLength(20);
		expect(held.filter((i) => y[i] === 1)).toHaveLength(5);
		expect([...kept, ...held].sort((a, b) => a - b)).toEqual([...Array(100).keys()]);
		const folds = stratifiedFolds(y, 5, 7);
		expect(folds.map((f) => f.length)).toEqual([20, 20, 20, 20, 20]);
		expect(folds.map((f) => f.filter((i) => y[i] === 1).length)).toEqual([5, 5, 5, 5, 5]);
		expect(folds.flat().sort((a, b) => a - b)).toEqual([...Array(100).keys()]);
		expect(stratifiedFolds(y, 5, 7)).toEqual(folds);
	});
});

describe('trainClassifier on a planted logistic signal', () => {
	const train = planted(8000, 1);
	const test = planted(4000, 2);
	let model: Classifier;
	beforeAll(async () => {
		model = await trainClassifier(train.X, train.y, train.features, { seed: 42 });
	});

	it('ranks almost as well as the true model, and its probabilities are calibrated', () => {
		const p = model.predict(test.X);
		const trueAuc = rocAuc(test.y, test.truth);
		expect(rocAuc(test.y, p)).toBeGreaterThan(trueAuc - 0.01);
		expect(brier(test.y, p)).toBeLessThan(brier(test.y, test.truth) + 0.005);
		const mean = (xs: ArrayLike<number>) => Array.from(xs).reduce((s, v) => s + v, 0) / xs.length;
		expect(Math.abs(mean(p) - mean(test.y))).toBeLessThan(0.02);
		expect(model.artifact.validation.map((v) => v.kind)).toEqual(['logistic', 'gbdt', 'mlp']);
		for (const v of model.artifact.validation) expect(v.auc).toBeGreaterThan(0.75);
	});

	it('standardises with the training mean and sd; a missing value scores as the mean', () => {
		const { mean, std } = model.artifact.scaling;
		expect(mean[3]).toBeGreaterThan(490);
		expect(mean[3]).toBeLessThan(510);
		expect(std[3]).toBeGreaterThan(95);
		expect(std[3]).toBeLessThan(105);
		const row = test.X[0];
		const withMean = row.map((v, j) => (j === 3 ? mean[3] : v));
		expect(model.predict([row.map((v, j) => (j === 3 ? NaN : v))])[0]).toBeCloseTo(model.predict([withMean])[0], 12);
	});

	it('contributions are the features’ pushes on the calibrated log-odds', () => {
		const c = model.contributions(test.X.slice(0, 50));
		const p = model.predict(test.X.slice(0, 50));
		const { artifact } = model;
		if (artifact.kind === 'logistic' && artifact.calibration.method !== 'isotonic') {
			// Logistic with Platt scaling: the calibrated log-odds = Σ contributions + a·bias + b.
			const { a, b } = artifact.calibration;
			const offset = a * artifact.layers[0].bias[0] + b;
			c.forEach((row, r) => expect(row.reduce((s, v) => s + v, 0) + offset).toBeCloseTo(logOdds(p[r]), 9));
		}
		// The noise features (true β = 0) push far less than the strongest one.
		const meanAbs = (j: number) => c.reduce((s, row) => s + Math.abs(row[j]), 0) / c.length;
		expect(meanAbs(0)).toBeGreaterThan(5 * Math.max(meanAbs(5), meanAbs(6), meanAbs(7)));
	});
});

describe('trainClassifier with an interaction only a hidden layer can fit', () => {
	it('chooses the MLP, whose held-out AUC beats logistic regression', async () => {
		const train = planted(8000, 3, 1.5);
		const test = planted(4000, 4, 1.5);
		const mlp = await trainClassifier(train.X, train.y, train.features, { seed: 42 });
		const logistic = await trainClassifier(train.X, train.y, train.features, { seed: 42, kinds: ['logistic'] });
		expect(mlp.artifact.kind).toBe('mlp');
		expect(logistic.artifact.kind).toBe('logistic');
		expect(rocAuc(test.y, mlp.predict(test.X))).toBeGreaterThan(rocAuc(test.y, logistic.predict(test.X)) + 0.02);
		expect(rocAuc(test.y, mlp.predict(test.X))).toBeGreaterThan(rocAuc(test.y, test.truth) - 0.03);

		// MLP contributions are a·z·∂logit/∂z (a = Platt's slope, 1 with isotonic): compare with a central
		// difference of the margin.
		const { std } = mlp.artifact.scaling;
		const { mean } = mlp.artifact.scaling;
		const { calibration } = mlp.artifact;
		const a = calibration.method === 'isotonic' ? 1 : calibration.a;
		const row = test.X[7];
		const c = mlp.contributions([row])[0];
		for (let j = 0; j < row.length; j++) {
			const h = 1e-4 * std[j];
			const up = a * mlp.margins([row.map((v, k) => (k === j ? v + h : v))])[0];
			const down = a * mlp.margins([row.map((v, k) => (k === j ? v - h : v))])[0];
			const slope = (up - down) / (2 * h);
			expect(c[j]).toBeCloseTo(slope * (row[j] - mean[j]), 5);
		}
	});
});

describe('determinism and hygiene', () => {
	const data = planted(3000, 5);

	it('the same data and seed give the identical artifact and predictions; another seed does not', async () => {
		const a = await trainClassifier(data.X, data.y, data.features, { seed: 9 });
		const b = await trainClassifier(data.X, data.y, data.features, { seed: 9 });
		expect(b.artifact).toEqual(a.artifact);
		expect(JSON.stringify(b.artifact)).toBe(JSON.stringify(a.artifact));
		expect(b.predict(data.X)).toEqual(a.predict(data.X));
		const c = await trainClassifier(data.X, data.y, data.features, { seed: 10 });
		expect(JSON.stringify(c.artifact)).not.toBe(JSON.stringify(a.artifact));
	});

	it('releases every tensor it creates', async () => {
		const tf = await tfReady();
		await trainClassifier(data.X, data.y, data.features, { seed: 1, kinds: ['mlp'], maxEpochs: 3 });
		const before = tf.memory().numTensors;
		const m = await trainClassifier(data.X, data.y, data.features, { seed: 2, maxEpochs: 3 });
		expect(tf.memory().numTensors).toBe(before);
		expect(m.artifact.hyper.max_epochs).toBe(3);
		expect(['wasm', 'cpu']).toContain(tf.getBackend());
	});

	it('rejects labels that are not 0/1, a single class, or rows of the wrong width', async () => {
		await expect(trainClassifier([[1], [2]], [0, 2], ['a'])).rejects.toThrow(/labels must be 0 or 1, row 1 has 2/);
		await expect(trainClassifier([[1], [2], [3]], [0, 0, 0], ['a'])).rejects.toThrow(/at least 2 rows of each class/);
		await expect(trainClassifier([[1, 2], [2], [3], [4]], [0, 0, 1, 1], ['a', 'b'])).rejects.toThrow(/row 1 has 1 values, the model expects 2/);
	});
});
