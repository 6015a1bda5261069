import type { Tensor, Scalar, Variable } from '@tensorflow/tfjs';
import type { DenseLayer } from './network.js';
import { mulberry32, shuffleInPlace } from './random.js';
import { tfReady } from './tf.js';

/** Rows for training: standardised features (row-major n × d), labels 0/1 and per-row loss weights. */
export interface FitData {
	x: Float32Array;
	y: Float32Array;
	w: Float32Array;
	n: number;
	d: number;
}

/** How to train one network. `hidden` = 0 is logistic regression. */
export interface FitSpec {
	hidden: number;
	/** L2 penalty λ: the loss adds λ·Σ w² over the kernels (not the biases). */
	l2: number;
	learningRate: number;
	batchSize: number;
	maxEpochs: number;
	/** Epochs without a validation improvement of at least `minDelta` before stopping. */
	patience: number;
	minDelta: number;
	seed: number;
}

/** The best weights seen (by validation loss) and when they were seen. */
export interface FitResult {
	layers: DenseLayer[];
	/** The epoch (1-based) whose weights were kept. */
	bestEpoch: number;
	/** Epochs actually run before early stopping. */
	epochsRun: number;
	validationLoss: number;
}

/**
 * Trains a dense network (input → [hidden relu units →] one logit) with Adam on the weighted binary cross
 * entropy L = Σ wᵢ·(log(1 + e^zᵢ) − yᵢzᵢ) / Σ wᵢ + λ·Σ‖W‖², written as max(z,0) − yz + log(1 + e^−|z|) to
 * stay finite. Deterministic: a hand-written loop (no `fit`, whose shuffle uses Math.random) shuffles rows
 * each epoch with a seeded permutation, and the initial weights are Glorot-uniform from the same seeded
 * source. Early stopping watches the weighted validation loss (without the penalty) and returns the best
 * epoch's weights; each epoch without improvement halves the learning rate. All tensors are released
 * before returning.
 */
export async function fitNetwork(train: FitData, valid: FitData, spec: FitSpec): Promise<FitResult> {
	const tf = await tfReady();
	const { d } = train;
	const rand = mulberry32(spec.seed);
	const sizes = spec.hidden > 0 ? [d, spec.hidden, 1] : [d, 1];
	const kernels: Variable[] = [];
	const biases: Variable[] = [];
	for (let k = 0; k + 1 < sizes.length; k++) {
		const [fanIn, fanOut] = [sizes[k], sizes[k + 1]];
		// Glorot uniform: U(−l, l) with l = √(6 / (fan_in + fan_out)).
		const limit = Math.sqrt(6 / (fanIn + fanOut));
		const init = Float32Array.from({ length: fanIn * fanOut }, () => (2 * rand() - 1) * limit);
		// Inside tidy, so the initial-value tensors are released once copied into the variables.
		kernels.push(tf.tidy(() => tf.variable(tf.tensor2d(init, [fanIn, fanOut]))));
		biases.push(tf.tidy(() => tf.variable(tf.zeros([fanOut]))));
	}
	const variables = kernels.flatMap((k, i) => [k, biases[i]]);
	const optimizer = tf.train.adam(spec.learningRate);

	const logits = (x: Tensor): Tensor => {
		let h = x;
		for (let k = 0; k < kernels.length; k++) {
			h = tf.add(tf.matMul(h, kernels[k]), biases[k]);
			if (k + 1 < kernels.length) h = tf.relu(h);
		}
		return h;
	};
	const dataLoss = (x: Tensor, y: Tensor, w: Tensor): Scalar => {
		const z = logits(x);
		const bce = tf.add(tf.sub(tf.relu(z), tf.mul(z, y)), tf.log1p(tf.exp(tf.neg(tf.abs(z)))));
		return tf.div(tf.sum(tf.mul(bce, w)), tf.sum(w));
	};

	const xv = tf.tensor2d(valid.x, [valid.n, d]);
	const yv = tf.tensor2d(valid.y, [valid.n, 1]);
	const wv = tf.tensor2d(valid.w, [valid.n, 1]);
	const order = Int32Array.from({ length: train.n }, (_, i) => i);
	const xs = new Float32Array(train.n * d);
	const ys = new Float32Array(train.n);
	const ws = new Float32Array(train.n);

	let best = Infinity;
	let bestEpoch = 0;
	let snapshot: Float32Array[] = [];
	let epoch = 0;
	try {
		for (let wait = 0; epoch < spec.maxEpochs && wait < spec.patience; ) {
			epoch++;
			shuffleInPlace(order, rand);
			for (let i = 0; i < train.n; i++) {
				const r = order[i];
				xs.set(train.x.subarray(r * d, r * d + d), i * d);
				ys[i] = train.y[r];
				ws[i] = train.w[r];
			}
			for (let start = 0; start < train.n; start += spec.batchSize) {
				const m = Math.min(train.n, start + spec.batchSize) - start;
				tf.tidy(() => {
					const xb = tf.tensor2d(xs.subarray(start * d, (start + m) * d), [m, d]);
					const yb = tf.tensor2d(ys.subarray(start, start + m), [m, 1]);
					const wb = tf.tensor2d(ws.subarray(start, start + m), [m, 1]);
					optimizer.minimize(
						() => {
							let loss = dataLoss(xb, yb, wb);
							for (const k of kernels) loss = tf.add(loss, tf.mul(spec.l2, tf.sum(tf.square(k))));
							return loss;
						},
						false,
						variables
					);
				});
			}
			const lossTensor = tf.tidy(() => dataLoss(xv, yv, wv));
			const loss = (await lossTensor.data())[0];
			lossTensor.dispose();
			if (!Number.isFinite(loss)) break;
			if (loss < best - spec.minDelta) {
				best = loss;
				bestEpoch = epoch;
				snapshot = variables.map((v) => v.dataSync() as Float32Array).map((a) => a.slice());
				wait = 0;
			} else {
				wait++;
				// Halve the step on a plateau: a constant Adam step keeps jittering around the optimum. The
				// field is protected in the typings but read on every step, so lowering it is safe.
				(optimizer as unknown as { learningRate: number }).learningRate /= 2;
			}
		}
	} finally {
		tf.dispose([xv, yv, wv, ...variables]);
		optimizer.dispose();
	}
	if (!snapshot.length) throw new Error('training diverged: the validation loss was not finite after the first epoch');
	const layers: DenseLayer[] = [];
	for (let k = 0; k + 1 < sizes.length; k++) {
		const [w, b] = [snapshot[2 * k], snapshot[2 * k + 1]];
		const units = sizes[k + 1];
		layers.push({
			weights: Array.from({ length: sizes[k] }, (_, i) => Array.from(w.subarray(i * units, (i + 1) * units))),
			bias: Array.from(b),
			activation: k + 2 < sizes.length ? 'relu' : 'linear'
		});
	}
	return { layers, bestEpoch, epochsRun: epoch, validationLoss: best };
}
