/**
 * Gradient-boosted decision trees for binary labels, written here rather than taken from `ml-xgboost`
 * (XGBoost in WebAssembly): its saved model is an opaque binary that needs the WebAssembly module to score,
 * and the per-account reasons need each tree's splits and covers (TreeSHAP, `treeshap.ts`). These trees are
 * plain JSON, scored by a few lines of JavaScript.
 */
import { mulberry32, shuffleInPlace, type Rand } from './random.js';

/**
 * One tree as parallel arrays over its nodes (0 = the root). A leaf has `feature` −1 and its output in
 * `value`; an internal node sends a row left when x[feature] ≤ threshold. `cover` is the sum of the
 * training rows' hessians reaching the node (XGBoost's cover), which TreeSHAP uses as the data's weight.
 */
export interface Tree {
	feature: number[];
	threshold: number[];
	left: number[];
	right: number[];
	value: number[];
	cover: number[];
}

/** A boosted ensemble: margin(x) = base + Σ trees' leaf values (log-odds, before calibration). */
export interface TreeEnsemble {
	base: number;
	trees: Tree[];
}

/** How to grow the trees; see {@link fitTrees}. */
export interface TreeSpec {
	maxDepth: number;
	/** Shrinkage: each tree's leaves are scaled by this. */
	learningRate: number;
	maxRounds: number;
	/** Rounds without a validation improvement of at least `minDelta` before stopping. */
	patience: number;
	minDelta: number;
	/** Least hessian sum in a child (XGBoost's min_child_weight). */
	minChildWeight: number;
	/** L2 penalty on leaf values (XGBoost's lambda). */
	lambda: number;
	/** Share of rows each tree sees, drawn without replacement… */
	rowSample: number;
	/** …but at most this many, so a round's cost stops growing with the data. */
	maxRowsPerTree: number;
	/** Share of features each tree may split on. */
	colSample: number;
	/** Histogram bins per feature, at most 256. */
	bins: number;
	seed: number;
}

/** Rows for training: feature values (row-major n × d), labels 0/1 and per-row weights. */
export interface TreeData {
	x: ArrayLike<number>;
	y: ArrayLike<number>;
	w: ArrayLike<number>;
	n: number;
	d: number;
}

/** The trees kept (those up to the best round) and how training went. */
export interface TreeFit {
	ensemble: TreeEnsemble;
	/** Rounds kept (= trees), and rounds run before early stopping. */
	bestRound: number;
	roundsRun: number;
	validationLoss: number;
}

/** The margin of row x[offset …) under one tree. */
function treeOutput(tree: Tree, x: ArrayLike<number>, offset: number): number {
	let k = 0;
	while (tree.feature[k] >= 0) k = x[offset + tree.feature[k]] <= tree.threshold[k] ? tree.left[k] : tree.right[k];
	return tree.value[k];
}

/** A tree's output for row `offset` of binned data, `splitBin[k]` being node k's split as a bin. */
function binnedOutput(tree: Tree, splitBin: number[], binned: Uint8Array, offset: number): number {
	let k = 0;
	while (tree.feature[k] >= 0) k = binned[offset + tree.feature[k]] <= splitBin[k] ? tree.left[k] : tree.right[k];
	return tree.value[k];
}

/** The ensemble's margin (log-odds before calibration) for row x[offset …). */
export function ensembleMargin(model: TreeEnsemble, x: ArrayLike<number>, offset: number): number {
	let s = model.base;
	for (const t of model.trees) s += treeOutput(t, x, offset);
	return s;
}

/** Checks that every tree's arrays agree and its features are below `d`; names the first fault. */
export function checkEnsemble(model: TreeEnsemble, d: number): void {
	model.trees.forEach((t, i) => {
		const n = t.feature.length;
		if ([t.threshold, t.left, t.right, t.value, t.cover].some((a) => a.length !== n)) throw new Error(`tree ${i}: node arrays differ in length`);
		for (let k = 0; k < n; k++) {
			if (t.feature[k] >= d) throw new Error(`tree ${i} node ${k} splits on feature ${t.feature[k]}, the model has ${d}`);
			if (t.feature[k] >= 0 && !(t.left[k] > k && t.left[k] < n && t.right[k] > k && t.right[k] < n)) throw new Error(`tree ${i} node ${k}: children out of range`);
		}
	});
}

/**
 * Bin edges per feature from the distinct values of (a sample of) the rows: at most `bins` − 1 edges, at
 * quantiles, each halfway between two neighbouring distinct values, so bin(x) = the number of edges below
 * x and "bin ≤ b" is exactly "x ≤ edges[b]".
 */
function binEdges(data: TreeData, bins: number, rand: Rand): Float64Array[] {
	const { n, d, x } = data;
	// 50,000 rows place 255 quantile cuts well enough; sorting every row of every feature cost seconds.
	const sample = n > EDGE_SAMPLE ? sampleRows(n, EDGE_SAMPLE, rand) : null;
	const m = sample ? sample.length : n;
	const values = new Float64Array(m);
	const edges: Float64Array[] = [];
	for (let j = 0; j < d; j++) {
		for (let i = 0; i < m; i++) values[i] = x[(sample ? sample[i] : i) * d + j];
		values.sort();
		const distinct: number[] = [];
		for (let i = 0; i < m; i++) if (i === 0 || values[i] !== values[i - 1]) distinct.push(values[i]);
		const cuts: number[] = [];
		if (distinct.length <= bins) {
			for (let k = 0; k + 1 < distinct.length; k++) cuts.push((distinct[k] + distinct[k + 1]) / 2);
		} else {
			// Quantile cuts on the sorted values, each moved to the gap after its value so that equal values share a bin.
			for (let b = 1; b < bins; b++) {
				const v = values[Math.floor((b * m) / bins)];
				const k = upperIndex(distinct, v);
				if (k + 1 < distinct.length) {
					const cut = (distinct[k] + distinct[k + 1]) / 2;
					if (!cuts.length || cut > cuts[cuts.length - 1]) cuts.push(cut);
				}
			}
		}
		edges.push(Float64Array.from(cuts));
	}
	return edges;
}

const EDGE_SAMPLE = 50_000;

/**
 * `k` of the rows 0..n−1 drawn uniformly without replacement, ascending (Knuth's selection sampling: row i is
 * taken with probability (still needed) / (still left)), in one pass with no sort.
 */
function sampleRows(n: number, k: number, rand: Rand, out = new Int32Array(k)): Int32Array {
	let taken = 0;
	for (let i = 0; i < n && taken < k; i++) if ((n - i) * rand() < k - taken) out[taken++] = i;
	return out;
}

/** Index of `v` in the ascending distinct values (binary search). */
function upperIndex(sorted: number[], v: number): number {
	let lo = 0;
	let hi = sorted.length - 1;
	while (lo < hi) {
		const mid = (lo + hi + 1) >> 1;
		if (sorted[mid] <= v) lo = mid;
		else hi = mid - 1;
	}
	return lo;
}

/** The number of edges below v. */
function binOf(edges: Float64Array, v: number): number {
	let lo = 0;
	let hi = edges.length;
	while (lo < hi) {
		const mid = (lo + hi) >> 1;
		if (v <= edges[mid]) hi = mid;
		else lo = mid + 1;
	}
	return lo;
}

/** Weighted binary cross-entropy of margins s: Σ wᵢ·(log(1 + e^sᵢ) − yᵢsᵢ) / Σ wᵢ. */
function weightedLogLoss(s: Float64Array, data: { y: ArrayLike<number>; w: ArrayLike<number> }): number {
	let loss = 0;
	let wsum = 0;
	for (let i = 0; i < s.length; i++) {
		const z = s[i];
		loss += data.w[i] * (Math.max(z, 0) - data.y[i] * z + Math.log1p(Math.exp(-Math.abs(z))));
		wsum += data.w[i];
	}
	return loss / wsum;
}

interface Node {
	/** Rows of the node: rows[start … end) of the tree's row buffer. */
	start: number;
	end: number;
	/** Gradient and hessian histogram: [feature][bin][g, h]. */
	hist: Float64Array;
	g: number;
	h: number;
	/** Index in the tree's arrays. */
	id: number;
}

/**
 * Trains boosted trees on the logistic loss with per-row weights: each round computes gᵢ = wᵢ(pᵢ − yᵢ) and
 * hᵢ = wᵢpᵢ(1 − pᵢ) at the current margins, and grows one tree depth by depth on histogram bins of a seeded
 * row and feature sample. A split maximises the gain G_L²/(H_L + λ) + G_R²/(H_R + λ) − G²/(H + λ) with at
 * least `minChildWeight` of hessian on each side; a leaf outputs −η·G/(H + λ). Only the smaller child's
 * histogram is built, the other is its parent's minus it. Stops after `patience` rounds without improving
 * the weighted validation log loss and keeps the trees up to the best round. Same data and seed ⇒ the
 * identical ensemble.
 */
export function fitTrees(train: TreeData, valid: TreeData, spec: TreeSpec): TreeFit {
	const { n, d } = train;
	if (spec.bins < 2 || spec.bins > 256) throw new Error(`trees: bins must be between 2 and 256, got ${spec.bins}`);
	const rand = mulberry32(spec.seed);
	const edges = binEdges(train, spec.bins, rand);
	const B = spec.bins;
	// Row-major bins: a histogram pass reads each row's gradient once and its d bins in a row.
	const binned = new Uint8Array(n * d);
	for (let j = 0; j < d; j++) {
		const e = edges[j];
		for (let i = 0; i < n; i++) binned[i * d + j] = binOf(e, train.x[i * d + j]);
	}

	const validBinned = new Uint8Array(valid.n * d);
	for (let i = 0; i < valid.n; i++) for (let j = 0; j < d; j++) validBinned[i * d + j] = binOf(edges[j], valid.x[i * d + j]);

	let pos = 0;
	let wsum = 0;
	for (let i = 0; i < n; i++) {
		pos += train.w[i] * train.y[i];
		wsum += train.w[i];
	}
	const prior = Math.min(Math.max(pos / wsum, 1e-6), 1 - 1e-6);
	const base = Math.log(prior / (1 - prior));
	const margin = new Float64Array(n).fill(base);
	const validMargin = new Float64Array(valid.n).fill(base);
	const grad = new Float64Array(n);
	const hess = new Float64Array(n);
	const rowsPerTree = Math.max(1, Math.min(spec.maxRowsPerTree, Math.round(spec.rowSample * n)));
	const rows = new Int32Array(rowsPerTree);
	const scratch = new Int32Array(rowsPerTree);
	const features = Int32Array.from({ length: d }, (_, j) => j);
	const colsPerTree = Math.max(1, Math.round(spec.colSample * d));

	const trees: Tree[] = [];
	let best = Infinity;
	let bestRound = 0;
	let round = 0;
	for (let wait = 0; round < spec.maxRounds && wait < spec.patience; ) {
		round++;
		// The row sample, ascending so the histogram passes read the bins in order; gradients of those rows only.
		sampleRows(n, rowsPerTree, rand, rows);
		for (const i of rows) {
			const p = 1 / (1 + Math.exp(-margin[i]));
			grad[i] = train.w[i] * (p - train.y[i]);
			hess[i] = Math.max(train.w[i] * p * (1 - p), 1e-16);
		}
		shuffleInPlace(features, rand);
		const cols = features.slice(0, colsPerTree).sort();

		const { tree, splitBin } = growTree(rowsPerTree, rows, scratch, binned, cols, grad, hess, B, edges, spec);
		trees.push(tree);
		// Walked on the bins ("bin ≤ b" is "x ≤ edges[b]"): a byte per value reads far less than a double.
		for (let i = 0; i < n; i++) margin[i] += binnedOutput(tree, splitBin, binned, i * d);
		for (let i = 0; i < valid.n; i++) validMargin[i] += binnedOutput(tree, splitBin, validBinned, i * d);
		const loss = weightedLogLoss(validMargin, valid);
		if (!Number.isFinite(loss)) break;
		if (loss < best - spec.minDelta) {
			best = loss;
			bestRound = round;
			wait = 0;
		} else wait++;
	}
	if (!bestRound) throw new Error('trees: the validation loss did not improve on the first round');
	return { ensemble: { base, trees: trees.slice(0, bestRound) }, bestRound, roundsRun: round, validationLoss: best };
}

function growTree(
	count: number,
	rows: Int32Array,
	scratch: Int32Array,
	binned: Uint8Array,
	cols: Int32Array,
	grad: Float64Array,
	hess: Float64Array,
	B: number,
	edges: Float64Array[],
	spec: TreeSpec
): { tree: Tree; splitBin: number[] } {
	const d = edges.length;
	const tree: Tree = { feature: [], threshold: [], left: [], right: [], value: [], cover: [] };
	const splitBin: number[] = [];
	const addNode = () => {
		splitBin.push(-1);
		tree.feature.push(-1);
		tree.threshold.push(0);
		tree.left.push(-1);
		tree.right.push(-1);
		tree.value.push(0);
		tree.cover.push(0);
		return tree.feature.length - 1;
	};
	const leaf = (node: Node) => {
		tree.value[node.id] = (-spec.learningRate * node.g) / (node.h + spec.lambda);
	};
	const m = cols.length;
	const histogram = (start: number, end: number): Float64Array => {
		const hist = new Float64Array(d * B * 2);
		for (let k = start; k < end; k++) {
			const r = rows[k];
			const g = grad[r];
			const h = hess[r];
			const row = r * d;
			for (let c = 0; c < m; c++) {
				const j = cols[c];
				const b = 2 * (j * B + binned[row + j]);
				hist[b] += g;
				hist[b + 1] += h;
			}
		}
		return hist;
	};

	let g = 0;
	let h = 0;
	for (let k = 0; k < count; k++) {
		g += grad[rows[k]];
		h += hess[rows[k]];
	}
	let level: Node[] = [{ start: 0, end: count, hist: histogram(0, count), g, h, id: addNode() }];
	for (let depth = 0; level.length; depth++) {
		const next: Node[] = [];
		for (const node of level) {
			tree.cover[node.id] = node.h;
			const split = depth < spec.maxDepth ? bestSplit(node, cols, B, edges, spec) : null;
			if (!split) {
				leaf(node);
				continue;
			}
			const { feature, bin } = split;
			// Stable partition: rows with bin ≤ split go left, both sides stay ascending.
			let l = node.start;
			let r = 0;
			for (let k = node.start; k < node.end; k++) {
				const row = rows[k];
				if (binned[row * d + feature] <= bin) rows[l++] = row;
				else scratch[r++] = row;
			}
			rows.set(scratch.subarray(0, r), l);
			const leftId = addNode();
			const rightId = addNode();
			tree.feature[node.id] = feature;
			tree.threshold[node.id] = edges[feature][bin];
			splitBin[node.id] = bin;
			tree.left[node.id] = leftId;
			tree.right[node.id] = rightId;
			const smallLeft = l - node.start <= node.end - l;
			const small = smallLeft ? histogram(node.start, l) : histogram(l, node.end);
			const large = node.hist;
			for (let k = 0; k < large.length; k++) large[k] -= small[k];
			const leftNode: Node = { start: node.start, end: l, hist: smallLeft ? small : large, g: split.gl, h: split.hl, id: leftId };
			const rightNode: Node = { start: l, end: node.end, hist: smallLeft ? large : small, g: node.g - split.gl, h: node.h - split.hl, id: rightId };
			next.push(leftNode, rightNode);
		}
		level = next;
	}
	return { tree, splitBin };
}

/** The split of `node` with the largest positive gain over the sampled features and bins, if any. */
function bestSplit(node: Node, cols: Int32Array, B: number, edges: Float64Array[], spec: TreeSpec): { feature: number; bin: number; gl: number; hl: number } | null {
	const { lambda, minChildWeight } = spec;
	const parent = (node.g * node.g) / (node.h + lambda);
	let bestGain = 1e-12;
	let found: { feature: number; bin: number; gl: number; hl: number } | null = null;
	for (const j of cols) {
		const off = j * B * 2;
		let gl = 0;
		let hl = 0;
		// Bins above the feature's last edge are empty: no split there.
		for (let b = 0; b < edges[j].length; b++) {
			gl += node.hist[off + 2 * b];
			hl += node.hist[off + 2 * b + 1];
			if (hl < minChildWeight) continue;
			const hr = node.h - hl;
			if (hr < minChildWeight) break;
			const gr = node.g - gl;
			const gain = (gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda) - parent;
			if (gain > bestGain) {
				bestGain = gain;
				found = { feature: j, bin: b, gl, hl };
			}
		}
	}
	return found;
}
