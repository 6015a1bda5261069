/**
 * A saved dense network evaluated in plain JavaScript (Float64), so scoring needs no tfjs: the artifact's
 * weights are all it takes.
 */

/** Activation of a dense layer. */
export type Activation = 'relu' | 'sigmoid' | 'linear';

/** One dense layer: outⱼ = act(Σᵢ inᵢ·weights[i][j] + bias[j]); `weights` is [inputs][units], as in tfjs. */
export interface DenseLayer {
	weights: number[][];
	bias: number[];
	activation: Activation;
}

interface Compiled {
	inputs: number;
	units: number;
	/** Row-major [inputs × units]. */
	w: Float64Array;
	b: Float64Array;
	activation: Activation;
}

/**
 * A network of dense layers whose last layer has one unit, the logit. Keeps scratch buffers, so one
 * instance serves many rows without allocating.
 */
export class DenseNet {
	private readonly layers: Compiled[];
	/** Pre-activation and activation of every layer for the current row (index 0 = the input). */
	private readonly pre: Float64Array[];
	private readonly act: Float64Array[];
	/** ∂logit/∂(input of layer k), for the backward pass. */
	private readonly back: Float64Array[];
	private readonly one = Float64Array.of(1);

	constructor(layers: DenseLayer[]) {
		if (!layers.length) throw new Error('a network needs at least one layer');
		this.layers = layers.map((l, k) => {
			const inputs = l.weights.length;
			const units = l.bias.length;
			if (l.weights.some((row) => row.length !== units)) throw new Error(`layer ${k}: weights do not match ${units} units`);
			if (k > 0 && inputs !== layers[k - 1].bias.length) throw new Error(`layer ${k}: expects ${inputs} inputs, previous layer has ${layers[k - 1].bias.length} units`);
			return { inputs, units, w: Float64Array.from(l.weights.flat()), b: Float64Array.from(l.bias), activation: l.activation };
		});
		if (this.layers.at(-1)!.units !== 1) throw new Error('the last layer must have one unit (the logit)');
		this.pre = this.layers.map((l) => new Float64Array(l.units));
		this.act = [new Float64Array(0), ...this.layers.map((l) => new Float64Array(l.units))];
		this.back = this.layers.map((l) => new Float64Array(l.inputs));
	}

	/** Number of inputs the network expects. */
	get inputs(): number {
		return this.layers[0].inputs;
	}

	/** The logit for the row x[offset … offset + inputs). */
	logit(x: Float64Array, offset: number): number {
		let input = x.subarray(offset, offset + this.inputs);
		for (let k = 0; k < this.layers.length; k++) {
			const { inputs, units, w, b, activation } = this.layers[k];
			const pre = this.pre[k];
			const out = this.act[k + 1];
			pre.set(b);
			for (let i = 0; i < inputs; i++) {
				const v = input[i];
				if (v === 0) continue;
				const row = i * units;
				for (let j = 0; j < units; j++) pre[j] += v * w[row + j];
			}
			for (let j = 0; j < units; j++) out[j] = activate(activation, pre[j]);
			input = out;
		}
		return this.act[this.layers.length][0];
	}

	/**
	 * ∂logit/∂xᵢ at the row x[offset …) by backpropagation through the stored layers, written into `grad`
	 * (length = inputs). Relu's derivative is 1 where its input was > 0, sigmoid's is s(1 − s).
	 */
	gradient(x: Float64Array, offset: number, grad: Float64Array): void {
		this.logit(x, offset);
		let upstream: Float64Array = this.one;
		for (let k = this.layers.length - 1; k >= 0; k--) {
			const { inputs, units, w, activation } = this.layers[k];
			const pre = this.pre[k];
			const out = this.act[k + 1];
			const down = k === 0 ? grad : this.back[k];
			down.fill(0);
			for (let j = 0; j < units; j++) {
				const g = upstream[j] * derivative(activation, pre[j], out[j]);
				if (g === 0) continue;
				for (let i = 0; i < inputs; i++) down[i] += w[i * units + j] * g;
			}
			upstream = down;
		}
	}
}

function activate(activation: Activation, v: number): number {
	if (activation === 'relu') return v > 0 ? v : 0;
	if (activation === 'sigmoid') return 1 / (1 + Math.exp(-v));
	return v;
}

function derivative(activation: Activation, pre: number, out: number): number {
	if (activation === 'relu') return pre > 0 ? 1 : 0;
	if (activation === 'sigmoid') return out * (1 - out);
	return 1;
}
