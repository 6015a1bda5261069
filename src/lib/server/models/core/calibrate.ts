/** Platt scaling: turning a model's scores into calibrated probabilities. */

/** p = σ(a·s + b) for a score s (here a logit). */
export interface Platt {
	a: number;
	b: number;
}

/** σ(z) = 1 / (1 + e^−z). */
export function sigmoid(z: number): number {
	return 1 / (1 + Math.exp(-z));
}

/**
 * Fits a, b of p = σ(a·s + b) to labels y by minimising the log loss with Newton's method (step halving
 * when a step does not lower the loss). The targets are Platt's (1999) smoothed labels t₊ = (N₊ + 1)/(N₊ + 2)
 * and t₋ = 1/(N₋ + 2), so perfectly separated scores cannot drive a to infinity.
 */
export function fitPlatt(s: ArrayLike<number>, y: ArrayLike<number>): Platt {
	const n = s.length;
	let pos = 0;
	for (let i = 0; i < n; i++) pos += y[i] === 1 ? 1 : 0;
	const tPos = (pos + 1) / (pos + 2);
	const tNeg = 1 / (n - pos + 2);
	const t = Float64Array.from({ length: n }, (_, i) => (y[i] === 1 ? tPos : tNeg));
	const loss = (a: number, b: number) => {
		let l = 0;
		for (let i = 0; i < n; i++) {
			const z = a * s[i] + b;
			// log(1 + e^z) − t·z, written to stay finite for large |z|.
			l += Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - t[i] * z;
		}
		return l;
	};
	let a = 1;
	let b = 0;
	let current = loss(a, b);
	for (let iter = 0; iter < 100; iter++) {
		let ga = 0, gb = 0, haa = 0, hab = 0, hbb = 0;
		for (let i = 0; i < n; i++) {
			const p = sigmoid(a * s[i] + b);
			const r = p - t[i];
			const w = Math.max(p * (1 - p), 1e-12);
			ga += r * s[i];
			gb += r;
			haa += w * s[i] * s[i];
			hab += w * s[i];
			hbb += w;
		}
		const det = haa * hbb - hab * hab;
		if (!(Math.abs(det) > 1e-300)) break;
		const da = (hbb * ga - hab * gb) / det;
		const db = (haa * gb - hab * ga) / det;
		let step = 1;
		let next = loss(a - da, b - db);
		while (next > current && step > 1e-8) {
			step /= 2;
			next = loss(a - step * da, b - step * db);
		}
		if (next > current) break;
		a -= step * da;
		b -= step * db;
		const improved = current - next;
		current = next;
		if (improved < 1e-12 * Math.max(1, Math.abs(current))) break;
	}
	return { a, b };
}
