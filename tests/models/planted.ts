import { mulberry32 } from '../../src/lib/server/models/core/random.js';

/** Rows drawn from a known logistic model: P(y = 1 | x) = σ(β₀ + Σ βⱼ·(xⱼ − μⱼ)/σⱼ), on features of different scales. */
export interface Planted {
	X: number[][];
	y: number[];
	/** The true probability of each row. */
	truth: number[];
	features: string[];
}

const MEANS = [10, -3, 0, 500, 1, 0, 50, 2];
const SDS = [2, 1, 0.1, 100, 0.5, 3, 20, 1];
/** Only the first five features matter; the rest are noise. */
export const BETA = [0.9, -0.7, 0.5, 0.4, -0.3, 0, 0, 0];

/** `n` rows from the planted model (intercept −1.2, ≈ 27 % positives), seeded. */
export function planted(n: number, seed: number, interaction = 0): Planted {
	const rand = mulberry32(seed);
	const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
	const X: number[][] = [];
	const y: number[] = [];
	const truth: number[] = [];
	for (let i = 0; i < n; i++) {
		const z = BETA.map(() => gauss());
		const s = -1.2 + z.reduce((acc, v, j) => acc + BETA[j] * v, 0) + interaction * z[5] * z[6];
		const prob = 1 / (1 + Math.exp(-s));
		X.push(z.map((v, j) => MEANS[j] + SDS[j] * v));
		truth.push(prob);
		y.push(rand() < prob ? 1 : 0);
	}
	return { X, y, truth, features: BETA.map((_, j) => `x${j}`) };
}
