// ml-regression's MultivariateLinearRegression, from its own package: ml-regression ships no type declarations.
import MultivariateLinearRegression from 'ml-regression-multivariate-linear';
import type { DenseLayer } from '../core/network.js';
import { permutation } from '../core/random.js';
import { tfReady } from '../core/tf.js';

/** Standardised training rows (row-major n × d) and their answers. */
export interface RegressionData {
	x: Float64Array;
	y: Float64Array;
	n: number;
	d: number;
}

const rowsOf = ({ x, n, d }: RegressionData) => Array.from({ length: n }, (_, i) => Array.from(x.subarray(i * d, i * d + d)));

/**
 * Ordinary least squares, β = argmin Σ(yᵢ − b − Σ wⱼxᵢⱼ)², with ml-regression's MultivariateLinearRegression.
 * Plain least squares rather than ridge: with tens of thousands of answers, a few dozen standardised
 * features and constant columns already dropped, a penalty changes nothing measurable.
 */
export function fitLinear(data: RegressionData): DenseLayer[] {
	const ys = Array.from(data.y, (v) => [v]);
	const fit = new MultivariateLinearRegression(rowsOf(data), ys, { intercept: true, statistics: false });
	// weights: d rows of one output, then the intercept row.
	return [{ weights: fit.weights.slice(0, data.d), bias: [fit.weights[data.d][0]], activation: 'linear' }];
}

/** Size and training schedule of the small network. */
const MLP = { hidden: 16, epochs: 20, learningRate: 0.005 };

/**
 * Rows per step: 256, growing with the data to keep about 150 steps per epoch (at most 1,024), so 100,000s
 * of tickets train in seconds rather than minutes.
 */
function batchSize(n: number): number {
	return Math.min(1024, Math.max(256, 2 ** Math.round(Math.log2(n / 150))));
}

/**
 * A small network, ŷ = b + Σₖ vₖ·relu(cₖ + Σⱼ wⱼₖxⱼ) with 16 hidden units, fitted with Adam on the mean
 * squared error (so it predicts the expected answer, like least squares): it can bend where the answer
 * scale does (clamped ends, good/bad ratings stored as 1 and 5). Deterministic for a seed: seeded
 * Glorot initialisation, rows in a seeded order and no shuffling by tfjs, 20 epochs.
 */
export async function fitMlp(data: RegressionData, seed: number): Promise<DenseLayer[]> {
	const tf = await tfReady();
	const { n, d } = data;
	const order = permutation(n, seed);
	const xs = new Float32Array(n * d);
	const ys = new Float32Array(n);
	let mean = 0;
	order.forEach((r, i) => {
		xs.set(data.x.subarray(r * d, r * d + d), i * d);
		ys[i] = data.y[r];
		mean += data.y[r] / n;
	});
	const model = tf.sequential({
		layers: [
			tf.layers.dense({ units: MLP.hidden, activation: 'relu', inputShape: [d], kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
			// Starting from the mean answer saves the first epochs from climbing there.
			tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }), biasInitializer: tf.initializers.constant({ value: mean }) })
		]
	});
	const x = tf.tensor2d(xs, [n, d]);
	const y = tf.tensor2d(ys, [n, 1]);
	try {
		model.compile({ optimizer: tf.train.adam(MLP.learningRate), loss: 'meanSquaredError' });
		await model.fit(x, y, { epochs: MLP.epochs, batchSize: batchSize(n), shuffle: false, verbose: 0 });
		return model.layers.map((layer, k): DenseLayer => {
			const [kernel, bias] = layer.getWeights();
			return { weights: kernel.arraySync() as number[][], bias: bias.arraySync() as number[], activation: k === 0 ? 'relu' : 'linear' };
		});
	} finally {
		tf.dispose([x, y]);
		model.dispose();
	}
}
