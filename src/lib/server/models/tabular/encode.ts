import type { ColumnKind, ColumnPlan } from './columns.js';
import type { TextTable } from './read.js';
import { booleanValue, isMissing, parseNumber } from './values.js';

/** A column as encoded: its kind, for categoricals the levels given their own feature, for skewed numerics the log. */
export interface EncodedColumn {
	column: string;
	kind: ColumnKind;
	levels?: string[];
	transform?: 'log1p';
}

/**
 * Everything learnt about one column, as plain JSON, so a saved model can encode new rows exactly as its
 * training rows were: categoricals' kept levels (in feature order) and whether an `other` feature follows
 * them; the fill for blank cells (the training median, on the encoded scale, i.e. after the log); numerics'
 * training range [min, max], to which values are clipped before the log.
 */
export type ColumnEncoding =
	| { column: string; kind: 'categorical'; levels: string[]; other: boolean }
	| { column: string; kind: 'boolean'; fill: number }
	| { column: string; kind: 'numeric'; transform?: 'log1p'; fill: number; min: number; max: number };

/** Limits on one-hot encoding: at most `maxLevels` levels, each seen in at least `minShare` of the rows. */
export interface LevelRules {
	maxLevels: number;
	minShare: number;
}

/** The default {@link LevelRules}: 20 levels, 1 % of rows. */
export const DEFAULT_LEVEL_RULES: LevelRules = { maxLevels: 20, minShare: 0.01 };

/** The level name given to blank categorical cells, and to levels not kept. */
const MISSING_LEVEL = '(missing)';
const OTHER_LEVEL = 'other';

/** Cells of one column that could not be read as its kind (text in a numeric column), replaced like blanks. */
export interface Unparsable {
	count: number;
	/** The first one: its row (0-based, in the table) and text. */
	first: { row: number; value: string };
}

/** An encoding applied to the rows of one table. */
export interface Encoder {
	/** Feature names, in the order of the encoded values: a column's name, `log1p(column)`, or `column=level`. */
	features: string[];
	/** Per feature, the column it comes from (`log1p(x)` and `x=level` → `x`). */
	sources: string[];
	encoded: EncodedColumn[];
	encoding: ColumnEncoding[];
	/**
	 * Encoded rows, plus per column the number of blank cells replaced by the fitted median, and the cells that
	 * did not parse (never in the rows the encoding was fitted on, whose values decided the kinds), replaced too.
	 */
	transform(rows: number[]): { X: number[][]; imputed: Map<string, number>; unparsable: Map<string, Unparsable> };
}

/** Skewness above which a non-negative numeric column is log-transformed. */
const SKEWED = 0.75;

/** Sample skewness g₁ = mean((x − x̄)³) / sd³ (population moments); 0 for a constant column. */
function skewness(values: number[]): number {
	const n = values.length;
	const m = values.reduce((s, v) => s + v, 0) / n;
	let m2 = 0, m3 = 0;
	for (const v of values) {
		m2 += (v - m) ** 2;
		m3 += (v - m) ** 3;
	}
	return m2 > 0 ? m3 / n / (m2 / n) ** 1.5 : 0;
}

function median(values: number[]): number {
	if (!values.length) return 0;
	const s = [...values].sort((a, b) => a - b);
	const mid = s.length >> 1;
	return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Fits one column's {@link ColumnEncoding} on `rows` (see {@link fitEncoder}). */
function fitColumn(values: (string | null)[], { column, kind }: ColumnPlan, rows: number[], rules: LevelRules): ColumnEncoding {
	if (kind === 'categorical') {
		const counts = new Map<string, number>();
		for (const r of rows) {
			const level = isMissing(values[r]) ? MISSING_LEVEL : values[r]!.trim();
			counts.set(level, (counts.get(level) ?? 0) + 1);
		}
		const levels = [...counts.entries()]
			.filter(([, c]) => c >= rules.minShare * rows.length)
			.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
			.slice(0, rules.maxLevels)
			.map(([level]) => level);
		return { column, kind, levels, other: levels.length < counts.size };
	}
	const seen = rows.filter((r) => !isMissing(values[r])).map((r) => (kind === 'boolean' ? booleanValue(values[r]!)! : parseNumber(values[r]!)));
	if (kind === 'boolean') return { column, kind, fill: median(seen) };
	// Right-skewed amounts and counts (revenue, usage) act on the log scale far more often than linearly.
	const log = seen.every((v) => v >= 0) && skewness(seen) > SKEWED;
	const fill = median(log ? seen.map(Math.log1p) : seen);
	// A loop, not Math.min(...seen): spreading 100,000s of arguments overflows the call stack.
	let min = Infinity, max = -Infinity;
	for (const v of seen) {
		if (v < min) min = v;
		if (v > max) max = v;
	}
	// A column blank in every training row was always its fill: pin new values there too.
	if (!seen.length) min = max = fill;
	return log ? { column, kind, transform: 'log1p', fill, min, max } : { column, kind, fill, min, max };
}

/** Encodes one cell into `out`; says why when it had to use the fill instead of the cell. */
type Encode = (v: string | null, out: number[]) => 'blank' | 'unparsable' | undefined;

function columnEncoder(e: ColumnEncoding): Encode {
	if (e.kind === 'categorical') {
		const slot = new Map(e.levels.map((l, k) => [l, k]));
		const width = e.levels.length + (e.other ? 1 : 0);
		const none = e.other ? e.levels.length : -1;
		return (v, out) => {
			const k = slot.get(isMissing(v) ? MISSING_LEVEL : v.trim()) ?? none;
			for (let j = 0; j < width; j++) out.push(j === k ? 1 : 0);
			return undefined;
		};
	}
	const read = e.kind === 'boolean' ? (v: string) => booleanValue(v) ?? NaN : parseNumber;
	// Clipping to the training range keeps a value far outside what the model saw from dominating a linear model.
	const [lo, hi] = e.kind === 'numeric' ? [e.min, e.max] : [-Infinity, Infinity];
	const log = e.kind === 'numeric' && e.transform === 'log1p';
	return (v, out) => {
		if (isMissing(v)) {
			out.push(e.fill);
			return 'blank';
		}
		const x = read(v);
		if (Number.isNaN(x)) {
			out.push(e.fill);
			return 'unparsable';
		}
		const clipped = Math.min(hi, Math.max(lo, x));
		out.push(log ? Math.log1p(clipped) : clipped);
		return undefined;
	};
}

/** The feature names a column's encoding produces, in order. */
function featureNames(e: ColumnEncoding): string[] {
	if (e.kind === 'categorical') return [...e.levels, ...(e.other ? [OTHER_LEVEL] : [])].map((l) => `${e.column}=${l}`);
	return [e.kind === 'numeric' && e.transform === 'log1p' ? `log1p(${e.column})` : e.column];
}

/** The {@link EncodedColumn} summary of a column's encoding, as reported by training. */
function summary(e: ColumnEncoding): EncodedColumn {
	if (e.kind === 'categorical') return { column: e.column, kind: e.kind, levels: e.other ? [...e.levels, OTHER_LEVEL] : e.levels };
	return e.kind === 'numeric' && e.transform ? { column: e.column, kind: e.kind, transform: e.transform } : { column: e.column, kind: e.kind };
}

/**
 * Rebuilds an encoder from a saved encoding and applies it to `table`, finding each column by name (a new
 * file may order its columns differently, and hold others). Fails naming the file and every column the
 * encoding uses that the table lacks, and listing the table's columns.
 */
export function encoderFor(encoding: ColumnEncoding[], table: TextTable): Encoder {
	const missing = encoding.map((e) => e.column).filter((c) => !table.columns.includes(c));
	if (missing.length) {
		throw new Error(
			`${table.file} lacks ${missing.length === 1 ? 'a column' : `${missing.length} columns`} the model uses: ${missing.map((c) => `"${c}"`).join(', ')}; its columns are: ${table.columns.join(', ')}`
		);
	}
	const encoders = encoding.map((e) => ({ column: e.column, values: table.values[table.columns.indexOf(e.column)], encode: columnEncoder(e) }));
	return {
		features: encoding.flatMap(featureNames),
		sources: encoding.flatMap((e) => featureNames(e).map(() => e.column)),
		encoded: encoding.map(summary),
		encoding,
		transform(subset) {
			const imputed = new Map<string, number>();
			const unparsable = new Map<string, Unparsable>();
			const X = subset.map((r) => {
				const out: number[] = [];
				for (const { column, values, encode } of encoders) {
					const fault = encode(values[r], out);
					if (fault === 'blank') imputed.set(column, (imputed.get(column) ?? 0) + 1);
					else if (fault === 'unparsable') {
						const seen = unparsable.get(column);
						if (seen) seen.count++;
						else unparsable.set(column, { count: 1, first: { row: r, value: values[r]! } });
					}
				}
				return out;
			});
			return { X, imputed, unparsable };
		}
	};
}

/**
 * Fits one encoding per planned column on `rows` only (the training part, so nothing leaks from held-out
 * rows) and applies it to the table: numeric → the value clipped to the training rows' [min, max] (then
 * log(1 + x) when the column is non-negative with skewness > 0.75), blanks → the training median;
 * boolean → 0/1, blanks → the training median;
 * categorical → one-hot over the most frequent levels (ties by name) that reach the share, plus `other`
 * for the rest when the training rows have any (blank is the level `(missing)`; unseen levels go to
 * `other`, or to all zeros when there is no `other`).
 */
export function fitEncoder(table: TextTable, plans: ColumnPlan[], rows: number[], rules: LevelRules = DEFAULT_LEVEL_RULES): Encoder {
	return encoderFor(
		plans.map((plan) => fitColumn(table.values[plan.index], plan, rows, rules)),
		table
	);
}
