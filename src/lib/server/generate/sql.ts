import { lit } from '../ingest/sql.js';

/**
 * Seeded randomness in SQL. DuckDB's `random()` depends on thread scheduling, so every draw is a hash of
 * the row's own key, a purpose string and the seed: the same seed gives the same data on any machine
 * with this DuckDB version, whatever the thread count.
 */
export function randomMacros(seed: number): string[] {
	const s = Math.trunc(seed);
	return [
		// Uniform on (0, 1) from 53 bits of the hash.
		`CREATE OR REPLACE MACRO rnd(k, salt) AS ((hash(k, salt, ${s}) >> 11)::DOUBLE + 0.5) / 9007199254740992.0`,
		`CREATE OR REPLACE MACRO rnd2(a, b, salt) AS ((hash(a, b, salt, ${s}) >> 11)::DOUBLE + 0.5) / 9007199254740992.0`,
		`CREATE OR REPLACE MACRO rnd3(a, b, c, salt) AS ((hash(a, b, c, salt, ${s}) >> 11)::DOUBLE + 0.5) / 9007199254740992.0`,
		// Standard normal by Box–Muller.
		`CREATE OR REPLACE MACRO rnorm(k, salt) AS sqrt(-2 * ln(rnd(k, salt || ':1'))) * cos(2 * pi() * rnd(k, salt || ':2'))`,
		`CREATE OR REPLACE MACRO rnorm2(a, b, salt) AS sqrt(-2 * ln(rnd2(a, b, salt || ':1'))) * cos(2 * pi() * rnd2(a, b, salt || ':2'))`,
		`CREATE OR REPLACE MACRO rnorm3(a, b, c, salt) AS sqrt(-2 * ln(rnd3(a, b, c, salt || ':1'))) * cos(2 * pi() * rnd3(a, b, c, salt || ':2'))`,
		// A count with mean and variance λ (normal approximation of Poisson, exact enough for activity volumes).
		`CREATE OR REPLACE MACRO rcount(mean, z) AS greatest(0, floor(mean + sqrt(mean) * z + 0.5))::INTEGER`,
		// ISO 8601 text in UTC, as the files carry timestamps.
		`CREATE OR REPLACE MACRO iso(ts) AS strftime(ts, '%Y-%m-%dT%H:%M:%SZ')`,
		`CREATE OR REPLACE MACRO capitalize(s) AS upper(left(s, 1)) || substr(s, 2)`
	];
}

/** SQL choosing one of `options` by weight with the uniform draw `u` (weights need not sum to 1). */
export function choose(u: string, options: readonly (readonly [string | number, number])[]): string {
	const total = options.reduce((s, [, w]) => s + w, 0);
	let acc = 0;
	const arms = options.slice(0, -1).map(([v, w]) => {
		acc += w / total;
		return `WHEN ${u} < ${acc.toFixed(6)} THEN ${typeof v === 'number' ? v : lit(v)}`;
	});
	const last = options[options.length - 1][0];
	return `(CASE ${arms.join(' ')} ELSE ${typeof last === 'number' ? last : lit(last)} END)`;
}

/** SQL of a list literal of strings. */
export function list(values: readonly string[]): string {
	return `[${values.map(lit).join(', ')}]`;
}
