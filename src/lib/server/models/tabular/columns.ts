import type { TextTable } from './read.js';
import { booleanValue, isMissing, parseNumber } from './values.js';

/** How a kept column becomes features. */
export type ColumnKind = 'numeric' | 'categorical' | 'boolean';

/** A kept column: its position in the table and its kind. */
export interface ColumnPlan {
	column: string;
	index: number;
	kind: ColumnKind;
}

/** A column left out, and why. */
export interface DroppedColumn {
	column: string;
	reason: string;
}

/**
 * Names that say "identifier": `id`, a separator before id (`account_id`, `user-id`), or camel case
 * (`customerID`, `accountId`), case-insensitive on the separator forms. Plain words ending in "id"
 * (paid, valid) are not identifiers.
 */
export function looksLikeIdName(name: string): boolean {
	return /^id$/i.test(name) || /[_\-\s.]id$/i.test(name) || /[a-z0-9](Id|ID)$/.test(name);
}

/** True when the column is exactly 1..n or 0..n−1 in file order: a row number, not a feature. */
function isRowNumber(values: (string | null)[]): boolean {
	for (const start of [1, 0]) {
		let ok = true;
		for (let r = 0; r < values.length && ok; r++) ok = !isMissing(values[r]) && parseNumber(values[r]!) === r + start;
		if (ok) return true;
	}
	return false;
}

/**
 * Decides, from the values alone (never the label, so no fold learns from another's labels), what each
 * column is, in this order: the `--id` column, identifier-like names, empty or constant columns, and row
 * numbers (1..n or 0..n−1 in order) are dropped; 0/1, yes/no, true/false, y/n, t/f columns are boolean; columns
 * whose non-blank values all parse as numbers are numeric; other columns are categorical, except text that
 * is unique per row (an identifier), which is dropped. `rows` are the rows used (those with a label).
 */
export function planColumns(table: TextTable, rows: number[], label: string, id?: string): { plans: ColumnPlan[]; dropped: DroppedColumn[] } {
	const plans: ColumnPlan[] = [];
	const dropped: DroppedColumn[] = [];
	table.columns.forEach((column, index) => {
		if (column === label) return;
		const drop = (reason: string) => dropped.push({ column, reason });
		if (column === id) return drop('the --id column');
		if (looksLikeIdName(column)) return drop('name looks like an identifier');
		const all = table.values[index];
		const distinct = new Set<string>();
		let present = 0;
		let numeric = true;
		let boolean = true;
		for (const r of rows) {
			const v = all[r];
			if (isMissing(v)) continue;
			present++;
			distinct.add(v.trim());
			if (numeric && Number.isNaN(parseNumber(v))) numeric = false;
			if (boolean && booleanValue(v) === undefined) boolean = false;
		}
		if (present === 0) return drop('empty');
		if (distinct.size === 1) return drop('constant');
		const bools = new Set([...distinct].map((v) => booleanValue(v)));
		if (boolean && bools.size === 2) return plans.push({ column, index, kind: 'boolean' });
		if (numeric) {
			if (isRowNumber(all)) return drop('row number (1..n in file order)');
			return plans.push({ column, index, kind: 'numeric' });
		}
		if (distinct.size === rows.length) return drop('unique per row (identifier-like text)');
		plans.push({ column, index, kind: 'categorical' });
	});
	return { plans, dropped };
}
