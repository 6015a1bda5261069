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

/**
 * Isotonic calibration: the non-decreasing step function of the score that best fits the labels (pool
 * adjacent violators), stored as its blocks' mean scores `x` and observed rates `y`; between two blocks p is
 * interpolated linearly, so distinct scores keep distinct probabilities and the ranking (AUC) is kept.
 */
export interface Isotonic {
	x: number[];
	y: number[];
}

/** The calibration a classifier applies to its margin: Platt's (older artifacts have no `method`) or isotonic. */
export type Calibration = ({ method?: 'platt' } & Platt) | ({ method: 'isotonic' } & Isotonic);

/**
 * Fits {@link Isotonic} by pool adjacent violators on the scores sorted ascending (ties pooled first), then
 * keeps the rates inside [½/n, 1 − ½/n], so no prediction is exactly 0 or 1.
 */
export function fitIsotonic(s: ArrayLike<number>, y: ArrayLike<number>): Isotonic {
	const n = s.length;
	const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => s[a] - s[b]);
	// Blocks as running sums: score sum, label sum, count.
	const xs: number[] = [];
	const ys: number[] = [];
	const ws: number[] = [];
	for (let k = 0; k < n; ) {
		let j = k;
		let sx = 0;
		let sy = 0;
		while (j < n && s[order[j]] === s[order[k]]) {
			sx += s[order[j]];
			sy += y[order[j]];
			j++;
		}
		xs.push(sx);
		ys.push(sy);
		ws.push(j - k);
		while (ys.length > 1 && ys[ys.length - 2] / ws[ws.length - 2] >= ys[ys.length - 1] / ws[ws.length - 1]) {
			const [x1, y1, w1] = [xs.pop()!, ys.pop()!, ws.pop()!];
			xs[xs.length - 1] += x1;
			ys[ys.length - 1] += y1;
			ws[ws.length - 1] += w1;
		}
		k = j;
	}
	const lo = 0.5 / n;
	return { x: xs.map((v, i) => v / ws[i]), y: ys.map((v, i) => Math.min(1 - lo, Math.max(lo, v / ws[i]))) };
}

/** p for score s under an isotonic fit: linear between block centres, the end rates beyond them. */
export function isotonicProbability(iso: Isotonic, s: number): number {
	const { x, y } = iso;
	if (s <= x[0]) return y[0];
	if (s >= x[x.length - 1]) return y[y.length - 1];
	let lo = 0;
	let hi = x.length - 1;
	while (hi - lo > 1) {
		const mid = (lo + hi) >> 1;
		if (x[mid] <= s) lo = mid;
		else hi = mid;
	}
	return y[lo] + ((y[hi] - y[lo]) * (s - x[lo])) / (x[hi] - x[lo]);
}

/** The calibrated probability of margin s. */
export function calibrated(c: Calibration, s: number): number {
	return c.method === 'isotonic' ? isotonicProbability(c, s) : sigmoid(c.a * s + c.b);
}

/** Both methods' Brier scores by cross-fitting, and the method chosen. */
export interface CalibrationChoice {
	calibration: Calibration;
	brier: { platt: number; isotonic: number | null };
}

/** Validation rows below which isotonic is not tried: its steps need data, Platt's two numbers do not. */
const ISOTONIC_MIN_ROWS = 200;

/**
 * Chooses between Platt and isotonic calibration of margins `s` by Brier score, honestly: each method is
 * fitted on one half of the rows and scored on the other, then the halves swap (`halves` splits the rows,
 * stratified and seeded, by the caller). Isotonic, the more flexible, is chosen only when its Brier score
 * is lower by more than the standard error of the paired per-row difference, the rule the model kinds
 * follow. The chosen method is then fitted on all rows.
 */
export function chooseCalibration(s: ArrayLike<number>, y: ArrayLike<number>, halves: [number[], number[]]): CalibrationChoice {
	const platt = fitPlatt(s, y);
	if (s.length < ISOTONIC_MIN_ROWS) return { calibration: { method: 'platt', ...platt }, brier: { platt: NaN, isotonic: null } };
	// Per row: Platt's squared error minus isotonic's, each from the fit on the other half.
	const gain: number[] = [];
	let bPlatt = 0;
	let bIso = 0;
	for (const [fit, score] of [halves, [halves[1], halves[0]]]) {
		const sf = fit.map((i) => s[i]);
		const yf = fit.map((i) => y[i]);
		const p = fitPlatt(sf, yf);
		const iso = fitIsotonic(sf, yf);
		for (const i of score) {
			const ep = (sigmoid(p.a * s[i] + p.b) - y[i]) ** 2;
			const ei = (isotonicProbability(iso, s[i]) - y[i]) ** 2;
			bPlatt += ep;
			bIso += ei;
			gain.push(ep - ei);
		}
	}
	const n = gain.length;
	const mean = gain.reduce((t, v) => t + v, 0) / n;
	const se = Math.sqrt(gain.reduce((t, v) => t + (v - mean) ** 2, 0) / (n - 1) / n);
	const brier = { platt: bPlatt / n, isotonic: bIso / n };
	return mean > se ? { calibration: { method: 'isotonic', ...fitIsotonic(s, y) }, brier } : { calibration: { method: 'platt', ...platt }, brier };
}
