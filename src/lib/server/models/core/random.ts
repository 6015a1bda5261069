/**
 * Seeded randomness for everything the models do (splits, shuffles, initial weights), so the same data
 * and seed always give the same model. Never Math.random.
 */

/** A random source: each call returns a uniform number in [0, 1). */
export type Rand = () => number;

/**
 * mulberry32: a 32-bit-state PRNG, fast and good enough for shuffling and weight initialisation
 * (not for cryptography). The same seed gives the same sequence on every platform.
 */
export function mulberry32(seed: number): Rand {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** Shuffles `a` in place (Fisher–Yates) with `rand`, and returns it. */
export function shuffleInPlace<A extends number[] | Int32Array>(a: A, rand: Rand): A {
	for (let i = a.length - 1; i > 0; i--) {
		const j = Math.floor(rand() * (i + 1));
		const t = a[i];
		a[i] = a[j];
		a[j] = t;
	}
	return a;
}

/** A random ordering of 0..n−1, fixed by `seed`. */
export function permutation(n: number, seed: number): number[] {
	return shuffleInPlace(
		Array.from({ length: n }, (_, i) => i),
		mulberry32(seed)
	);
}

/** Row indices per class value, in row order. */
function byClass(y: ArrayLike<number>): number[][] {
	const groups = new Map<number, number[]>();
	for (let i = 0; i < y.length; i++) {
		const g = groups.get(y[i]);
		if (g) g.push(i);
		else groups.set(y[i], [i]);
	}
	return [...groups.entries()].sort((a, b) => a[0] - b[0]).map(([, rows]) => rows);
}

/**
 * Splits rows 0..n−1 into [kept, held], holding out round(share × n_c) rows of each class c (at least
 * one when the class has two or more rows), so both parts keep the class balance. Indices ascending.
 */
export function stratifiedSplit(y: ArrayLike<number>, share: number, seed: number): [number[], number[]] {
	if (!(share > 0 && share < 1)) throw new Error(`stratifiedSplit: share must be between 0 and 1, got ${share}`);
	const rand = mulberry32(seed);
	const kept: number[] = [];
	const held: number[] = [];
	for (const rows of byClass(y)) {
		shuffleInPlace(rows, rand);
		let h = Math.round(share * rows.length);
		if (h === 0 && rows.length >= 2) h = 1;
		// A loop, not push(...rows): spreading 100,000s of arguments overflows the call stack.
		rows.forEach((r, i) => (i < h ? held : kept).push(r));
	}
	const asc = (a: number, b: number) => a - b;
	return [kept.sort(asc), held.sort(asc)];
}

/**
 * k folds of rows 0..n−1 (each fold's held-out indices, ascending): each class's rows are shuffled and
 * dealt round-robin, continuing across classes, so every fold has the class balance and sizes differ by
 * at most one.
 */
export function stratifiedFolds(y: ArrayLike<number>, k: number, seed: number): number[][] {
	if (!Number.isInteger(k) || k < 2) throw new Error(`stratifiedFolds: k must be an integer ≥ 2, got ${k}`);
	const rand = mulberry32(seed);
	const folds: number[][] = Array.from({ length: k }, () => []);
	let next = 0;
	for (const rows of byClass(y)) {
		for (const i of shuffleInPlace(rows, rand)) folds[next++ % k].push(i);
	}
	return folds.map((f) => f.sort((a, b) => a - b));
}
