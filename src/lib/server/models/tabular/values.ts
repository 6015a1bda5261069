/** How cell text is read: shared by the label, the column typing and the encoders. */

/** A cell is missing when absent, empty or only whitespace. */
export function isMissing(v: string | null): v is null {
	return v === null || v.trim() === '';
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The number in a cell, or NaN when it is not plainly a decimal number (no hex, no "Infinity", no commas). */
export function parseNumber(v: string): number {
	const t = v.trim();
	return NUMBER.test(t) ? Number(t) : NaN;
}

/** Words read as "true"/"false" in boolean columns and labels (compared lower-cased, trimmed). */
const TRUE_WORDS = new Set(['1', 'yes', 'y', 'true', 't']);
const FALSE_WORDS = new Set(['0', 'no', 'n', 'false', 'f']);

/** The boolean pairs a column may use: yes/no, y/n, true/false, t/f, 1/0 (also 1.0/0.0). */
export function booleanValue(v: string): 0 | 1 | undefined {
	let t = v.trim().toLowerCase();
	const n = parseNumber(t);
	if (n === 0 || n === 1) t = String(n);
	if (TRUE_WORDS.has(t)) return 1;
	if (FALSE_WORDS.has(t)) return 0;
	return undefined;
}

/** Extra label words beyond the boolean ones: the positive (event) side and the negative side. */
export const POSITIVE_LABELS = new Set(['churned', 'churn', 'left', 'lost', 'cancelled', 'canceled', 'positive', 'pos']);
export const NEGATIVE_LABELS = new Set(['active', 'retained', 'stayed', 'kept', 'negative', 'neg']);
