/**
 * Exact per-row reasons for boosted trees: path-dependent TreeSHAP (Lundberg, Erion & Lee 2018,
 * "Consistent individualized feature attribution for tree ensembles", Algorithm 2), the algorithm behind
 * XGBoost's `pred_contribs`. For each row the contributions φⱼ satisfy Σⱼ φⱼ + E[f] = f(x): the margin,
 * where E[f] is the cover-weighted mean leaf value ({@link expectedValue}).
 */
import type { Tree, TreeEnsemble } from './trees.js';

/**
 * The unique paths of one recursion, in typed arrays: level L's path is at [L·stride, L·stride + length),
 * each element the feature split on, the share of cover that flows (zero), whether x flows (one), and its
 * permutation weight. Preallocated per tree: allocating a path per node cost more than the arithmetic.
 */
class Paths {
	readonly feature: Int32Array;
	readonly zero: Float64Array;
	readonly one: Float64Array;
	readonly weight: Float64Array;
	constructor(readonly stride: number) {
		const size = stride * (stride + 1);
		this.feature = new Int32Array(size);
		this.zero = new Float64Array(size);
		this.one = new Float64Array(size);
		this.weight = new Float64Array(size);
	}

	copy(from: number, to: number, length: number): void {
		// Plain loops: paths are a few elements long, and copyWithin's call cost exceeds the copying.
		for (let i = 0; i < length; i++) {
			this.feature[to + i] = this.feature[from + i];
			this.zero[to + i] = this.zero[from + i];
			this.one[to + i] = this.one[from + i];
			this.weight[to + i] = this.weight[from + i];
		}
	}

	/** Adds an element at position `depth` of the path at offset `o`. */
	extend(o: number, depth: number, zero: number, one: number, feature: number): void {
		const w = this.weight;
		this.feature[o + depth] = feature;
		this.zero[o + depth] = zero;
		this.one[o + depth] = one;
		w[o + depth] = depth === 0 ? 1 : 0;
		for (let i = depth - 1; i >= 0; i--) {
			w[o + i + 1] += (one * w[o + i] * (i + 1)) / (depth + 1);
			w[o + i] = (zero * w[o + i] * (depth - i)) / (depth + 1);
		}
	}

	/** Removes element `index` of the path at offset `o` (last position `depth`), undoing its extend. */
	unwind(o: number, depth: number, index: number): void {
		const w = this.weight;
		const one = this.one[o + index];
		const zero = this.zero[o + index];
		let next = w[o + depth];
		for (let i = depth - 1; i >= 0; i--) {
			if (one !== 0) {
				const t = w[o + i];
				w[o + i] = (next * (depth + 1)) / ((i + 1) * one);
				next = t - (w[o + i] * zero * (depth - i)) / (depth + 1);
			} else {
				w[o + i] = (w[o + i] * (depth + 1)) / (zero * (depth - i));
			}
		}
		for (let i = index; i < depth; i++) {
			this.feature[o + i] = this.feature[o + i + 1];
			this.zero[o + i] = this.zero[o + i + 1];
			this.one[o + i] = this.one[o + i + 1];
		}
	}

	/** The sum of the weights once element `index` is unwound, without changing the path. */
	unwoundSum(o: number, depth: number, index: number): number {
		const w = this.weight;
		const one = this.one[o + index];
		const zero = this.zero[o + index];
		let next = w[o + depth];
		let total = 0;
		if (one !== 0) {
			for (let i = depth - 1; i >= 0; i--) {
				const t = next / ((i + 1) * one);
				total += t;
				next = w[o + i] - t * zero * (depth - i);
			}
		} else {
			for (let i = depth - 1; i >= 0; i--) total += w[o + i] / (zero * (depth - i));
		}
		return total * (depth + 1);
	}
}

/** The depth of a tree (a lone leaf has depth 0). */
function treeDepth(tree: Tree, k = 0): number {
	return tree.feature[k] < 0 ? 0 : 1 + Math.max(treeDepth(tree, tree.left[k]), treeDepth(tree, tree.right[k]));
}

/**
 * Adds one tree's contributions for a row into `phi`, given the row's decision at each split
 * (`left[node]` = 1 when the row goes left).
 */
function treeShap(tree: Tree, left: Uint8Array, phi: Float64Array, paths: Paths): void {
	const recurse = (node: number, level: number, depth: number, zero: number, one: number, feature: number) => {
		const o = level * paths.stride;
		if (level > 0) paths.copy(o - paths.stride, o, depth);
		paths.extend(o, depth, zero, one, feature);
		if (tree.feature[node] < 0) {
			for (let i = 1; i <= depth; i++) {
				phi[paths.feature[o + i]] += paths.unwoundSum(o, depth, i) * (paths.one[o + i] - paths.zero[o + i]) * tree.value[node];
			}
			return;
		}
		const split = tree.feature[node];
		const hot = left[node] ? tree.left[node] : tree.right[node];
		const cold = left[node] ? tree.right[node] : tree.left[node];
		const cover = tree.cover[node];
		let incomingZero = 1;
		let incomingOne = 1;
		let d = depth;
		for (let i = 1; i <= d; i++) {
			if (paths.feature[o + i] !== split) continue;
			incomingZero = paths.zero[o + i];
			incomingOne = paths.one[o + i];
			paths.unwind(o, d, i);
			d -= 1;
			break;
		}
		recurse(hot, level + 1, d + 1, (tree.cover[hot] / cover) * incomingZero, incomingOne, split);
		recurse(cold, level + 1, d + 1, (tree.cover[cold] / cover) * incomingZero, 0, split);
	};
	recurse(0, 0, 0, 1, 1, -1);
}

/** E[f]: the base plus each tree's leaf values weighted by the share of the root's cover reaching them. */
export function expectedValue(model: TreeEnsemble): number {
	let e = model.base;
	for (const tree of model.trees) {
		const walk = (k: number): number =>
			tree.feature[k] < 0 ? tree.value[k] : (tree.cover[tree.left[k]] * walk(tree.left[k]) + tree.cover[tree.right[k]] * walk(tree.right[k])) / tree.cover[k];
		e += walk(0);
	}
	return e;
}

/**
 * TreeSHAP contributions of rows x (row-major, d features) to the ensemble's margin, row-major: out[r·d + j]. A tree's
 * contributions depend on the row only through its decision at each split, so they are computed once per
 * distinct decision pattern and reused (rows share patterns heavily, which makes 100,000 rows cheap).
 */
export function treeContributions(model: TreeEnsemble, x: ArrayLike<number>, n: number, d: number): Float64Array {
	const out = new Float64Array(n * d);
	const phi = new Float64Array(d);
	// Column-major copy: a tree's splits are tested feature by feature over every row, in sequence.
	const columns = Array.from({ length: d }, (_, j) => {
		const c = new Float64Array(n);
		for (let r = 0; r < n; r++) c[r] = x[r * d + j];
		return c;
	});
	// Every pattern's non-zero contributions, end to end in two growing pools: objects and typed arrays per
	// pattern cost more to make and read than the sums themselves.
	let featurePool = new Int32Array(1 << 16);
	let valuePool = new Float64Array(1 << 16);
	let used = 0;
	const keep = () => {
		if (used + d > featurePool.length) {
			const f = new Int32Array(featurePool.length * 2);
			f.set(featurePool);
			featurePool = f;
			const v = new Float64Array(valuePool.length * 2);
			v.set(valuePool);
			valuePool = v;
		}
		for (let j = 0; j < d; j++) {
			if (phi[j] === 0) continue;
			featurePool[used] = j;
			valuePool[used++] = phi[j];
		}
	};
	// Trees a group at a time: each row's sums stay in cache while the group's contributions are added.
	const GROUP = 8;
	const keys = new Int32Array(n * GROUP);
	for (let first = 0; first < model.trees.length; first += GROUP) {
		const group = model.trees.slice(first, first + GROUP).map((tree, g) => {
			const internal = Int32Array.from(tree.feature.flatMap((f, k) => (f >= 0 ? [k] : [])));
			const m = internal.length;
			const paths = new Paths(treeDepth(tree) + 2);
			const left = new Uint8Array(tree.feature.length);
			// A row's pattern, bit k = goes left at split k, indexes a table of 2^splits slots (a tree of depth ≤ 4
			// has ≤ 15 splits: 32,768 slots) holding where its contributions lie in the pools.
			if (m > 20) return { tree, internal, paths, left, from: null, to: null };
			keys.fill(0, g * n, (g + 1) * n);
			for (let k = 0; k < m; k++) {
				const col = columns[tree.feature[internal[k]]];
				const t = tree.threshold[internal[k]];
				// Branch-free: the comparison's outcome is random per row, and mispredicted branches doubled the time.
				for (let r = 0, o = g * n; r < n; r++, o++) keys[o] |= +(col[r] <= t) << k;
			}
			return { tree, internal, paths, left, from: new Int32Array(1 << m).fill(-1), to: new Int32Array(1 << m) };
		});
		for (let r = 0; r < n; r++) {
			const base = r * d;
			for (let g = 0; g < group.length; g++) {
				const { tree, internal, paths, left, from, to } = group[g];
				if (!from || !to) {
					// A tree too big to cache: explained row by row.
					for (let k = 0; k < internal.length; k++) left[internal[k]] = x[base + tree.feature[internal[k]]] <= tree.threshold[internal[k]] ? 1 : 0;
					phi.fill(0);
					treeShap(tree, left, phi, paths);
					for (let j = 0; j < d; j++) out[base + j] += phi[j];
					continue;
				}
				const key = keys[g * n + r];
				if (from[key] < 0) {
					for (let k = 0; k < internal.length; k++) left[internal[k]] = (key >> k) & 1;
					phi.fill(0);
					treeShap(tree, left, phi, paths);
					from[key] = used;
					keep();
					to[key] = used;
				}
				for (let k = from[key], end = to[key]; k < end; k++) out[base + featurePool[k]] += valuePool[k];
			}
		}
	}
	return out;
}
