import { CATEGORICAL_FEATURES, NUMERIC_FEATURES, type TicketFeatureRow } from './features.js';

/** A category needs this many training rows to get its own one-hot column (rarer ones join the reference). */
const MIN_LEVEL_ROWS = 30;

/**
 * The model's inputs: feature names (a numeric column such as `reply_log`, or `column=value` for a one-hot
 * category such as `channel=chat`) and their standardisation zⱼ = (xⱼ − meanⱼ) / sdⱼ over the training rows.
 */
export interface Design {
	features: string[];
	scaling: { mean: number[]; sd: number[] };
}

const numeric = new Set<string>(NUMERIC_FEATURES);
const categorical = new Set<string>(CATEGORICAL_FEATURES);

/** How a feature name reads a row: the numeric column, or the category column and the value it tests. */
export function parseFeature(name: string): { column: string; value?: string } {
	const eq = name.indexOf('=');
	if (eq < 0) {
		if (!numeric.has(name)) throw new Error(`unknown satisfaction feature "${name}": expected one of ${NUMERIC_FEATURES.join(', ')} or column=value`);
		return { column: name };
	}
	const column = name.slice(0, eq);
	if (!categorical.has(column)) throw new Error(`unknown satisfaction feature "${name}": ${column} is not one of ${CATEGORICAL_FEATURES.join(', ')}`);
	return { column, value: name.slice(eq + 1) };
}

/**
 * The design learnt from training rows: every numeric feature, and a one-hot column per category value with
 * at least 30 rows except the most frequent (the reference, with the rarer values, is all zeros).
 * Features constant over the rows are left out: they carry nothing and make the least-squares system singular.
 */
export function learnDesign(rows: TicketFeatureRow[]): Design {
	const names: string[] = [...NUMERIC_FEATURES];
	for (const column of CATEGORICAL_FEATURES) {
		const counts = new Map<string, number>();
		for (const r of rows) counts.set(r[column], (counts.get(r[column]) ?? 0) + 1);
		const levels = [...counts].filter(([, n]) => n >= MIN_LEVEL_ROWS).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
		for (const [value] of levels.slice(1)) names.push(`${column}=${value}`);
	}
	const features: string[] = [];
	const mean: number[] = [];
	const sd: number[] = [];
	for (const name of names) {
		const read = reader(name);
		let sum = 0;
		for (const r of rows) sum += read(r);
		const m = sum / rows.length;
		let ss = 0;
		for (const r of rows) ss += (read(r) - m) ** 2;
		const s = Math.sqrt(ss / rows.length);
		if (!(s > 1e-12)) continue;
		features.push(name);
		mean.push(m);
		sd.push(s);
	}
	return { features, scaling: { mean, sd } };
}

/** A function reading one feature's raw value from a row. */
function reader(name: string): (r: TicketFeatureRow) => number {
	const { column, value } = parseFeature(name);
	if (value === undefined) return (r) => r[column as (typeof NUMERIC_FEATURES)[number]];
	return (r) => (r[column as (typeof CATEGORICAL_FEATURES)[number]] === value ? 1 : 0);
}

/** The standardised inputs of `rows`, row-major (rows × features). */
export function designMatrix(design: Design, rows: TicketFeatureRow[]): Float64Array {
	const d = design.features.length;
	const readers = design.features.map(reader);
	const { mean, sd } = design.scaling;
	const x = new Float64Array(rows.length * d);
	rows.forEach((r, i) => {
		for (let j = 0; j < d; j++) x[i * d + j] = (readers[j](r) - mean[j]) / sd[j];
	});
	return x;
}
