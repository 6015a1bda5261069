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

/** Encoders fitted on some rows, applied to any rows of the same table. */
export interface Encoder {
	/** Feature names, in the order of the encoded values: a column's name, or `column=level`. */
	features: string[];
	encoded: EncodedColumn[];
	/** Encoded rows, plus per column the number of blank cells replaced by the fitted median. */
	transform(rows: number[]): { X: number[][]; imputed: Map<string, number> };
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

type Encode = (v: string | null, out: number[], imputed: Map<string, number>) => void;

/**
 * Fits one encoder per planned column on `rows` only (the training part, so nothing leaks from held-out
 * rows): numeric → the value (log(1 + x) when the column is non-negative with skewness > 0.75), blanks →
 * the training median; boolean → 0/1, blanks → the training median;
 * categorical → one-hot over the most frequent levels (ties by name) that reach the share, plus `other`
 * for the rest when the training rows have any (blank is the level `(missing)`; unseen levels go to
 * `other`, or to all zeros when there is no `other`).
 */
export function fitEncoder(table: TextTable, plans: ColumnPlan[], rows: number[], rules: LevelRules = DEFAULT_LEVEL_RULES): Encoder {
	const features: string[] = [];
	const encoded: EncodedColumn[] = [];
	const encoders: { index: number; encode: Encode }[] = [];
	for (const { column, index, kind } of plans) {
		const values = table.values[index];
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
			const hasOther = levels.length < counts.size;
			const slot = new Map(levels.map((l, k) => [l, k]));
			const width = levels.length + (hasOther ? 1 : 0);
			features.push(...levels.map((l) => `${column}=${l}`), ...(hasOther ? [`${column}=${OTHER_LEVEL}`] : []));
			encoded.push({ column, kind, levels: hasOther ? [...levels, OTHER_LEVEL] : levels });
			encoders.push({
				index,
				encode: (v, out) => {
					const k = slot.get(isMissing(v) ? MISSING_LEVEL : v.trim()) ?? (hasOther ? levels.length : -1);
					for (let j = 0; j < width; j++) out.push(j === k ? 1 : 0);
				}
			});
			continue;
		}
		const seen = rows.filter((r) => !isMissing(values[r])).map((r) => (kind === 'boolean' ? booleanValue(values[r]!)! : parseNumber(values[r]!)));
		// Right-skewed amounts and counts (revenue, usage) act on the log scale far more often than linearly.
		const log = kind === 'numeric' && seen.every((v) => v >= 0) && skewness(seen) > SKEWED;
		const read = kind === 'boolean' ? (v: string) => booleanValue(v)! : log ? (v: string) => Math.log1p(parseNumber(v)) : parseNumber;
		const fill = median(log ? seen.map(Math.log1p) : seen);
		features.push(log ? `log1p(${column})` : column);
		encoded.push(log ? { column, kind, transform: 'log1p' } : { column, kind });
		encoders.push({
			index,
			encode: (v, out, imputed) => {
				if (isMissing(v)) {
					imputed.set(column, (imputed.get(column) ?? 0) + 1);
					out.push(fill);
				} else out.push(read(v));
			}
		});
	}
	return {
		features,
		encoded,
		transform(subset) {
			const imputed = new Map<string, number>();
			const X = subset.map((r) => {
				const out: number[] = [];
				for (const { index, encode } of encoders) encode(table.values[index][r], out, imputed);
				return out;
			});
			return { X, imputed };
		}
	};
}
