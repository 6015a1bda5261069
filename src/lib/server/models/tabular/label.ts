import { booleanValue, isMissing, NEGATIVE_LABELS, POSITIVE_LABELS } from './values.js';

/** The label as 0/1 per row (null where the label is blank), and which text meant which. */
export interface ParsedLabel {
	y: (0 | 1 | null)[];
	positive: string;
	negative: string;
	missing: number;
}

function side(value: string): 0 | 1 | undefined {
	const t = value.trim().toLowerCase();
	if (POSITIVE_LABELS.has(t)) return 1;
	if (NEGATIVE_LABELS.has(t)) return 0;
	return booleanValue(t);
}

/**
 * Reads a two-valued label column (values compared trimmed and case-insensitively). The positive value is
 * yes / true / 1 / y / t or an event word (churned, left, cancelled, …), the negative one no / false / 0 /
 * n / f or active, retained, stayed, …. Fails, naming the file, the column and the values found, unless
 * there are exactly two values, one of each side.
 */
export function parseLabel(values: (string | null)[], column: string, file: string): ParsedLabel {
	const seen = new Map<string, string>();
	let missing = 0;
	for (const v of values) {
		if (isMissing(v)) missing++;
		else if (!seen.has(v.trim().toLowerCase())) seen.set(v.trim().toLowerCase(), v.trim());
	}
	const found = [...seen.values()];
	const list = (vs: string[]) => vs.slice(0, 10).map((v) => `"${v}"`).join(', ') + (vs.length > 10 ? ', …' : '');
	if (found.length !== 2) {
		throw new Error(`label column "${column}" in ${file} must have exactly two values, found ${found.length}: ${list(found)}`);
	}
	const [first, second] = found;
	const [s1, s2] = [side(first), side(second)];
	// Both values must be recognised, one on each side: guessing (e.g. the rarer value) could silently invert the model.
	if (s1 === undefined || s2 === undefined || s1 === s2) {
		throw new Error(`cannot tell which value of label column "${column}" in ${file} is the positive one: ${list(found)}; recode it as 1/0 or yes/no`);
	}
	const [positive, negative] = s1 === 1 ? [first, second] : [second, first];
	const key = positive.toLowerCase();
	const y = values.map((v) => (isMissing(v) ? null : v.trim().toLowerCase() === key ? 1 : 0));
	return { y, positive, negative, missing };
}
