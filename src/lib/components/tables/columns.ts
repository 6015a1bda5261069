/** How a table panel's columns read: the kind of each value, formatted for the page (the CSV keeps it raw). */
import { formatDay } from '../format.js';
import { formatNumber, formatValue } from '../kpi/units.js';

/** A column of a {@link TablePanel}: the row key, its heading, how its values read, and a hover note. */
export interface Column {
	key: string;
	label: string;
	/** count: `1,234`; rate: `12.3 %`; hours: `4.5 h`; number: two decimals; day: `1 Mar 2024`; list: joined; custom: the panel's `cell` snippet. */
	kind?: 'text' | 'count' | 'rate' | 'hours' | 'number' | 'day' | 'list' | 'custom';
	title?: string;
}

const NUMERIC = new Set(['count', 'rate', 'hours', 'number']);

/** Whether the column is right-aligned in tabular figures. */
export function isNumeric(column: Column): boolean {
	return NUMERIC.has(column.kind ?? 'text');
}

/** A cell's text; `—` for no value. */
export function cellText(column: Column, value: unknown): string {
	if (value === null || value === undefined || value === '') return '—';
	switch (column.kind) {
		case 'count':
			return typeof value === 'number' ? formatNumber(value) : String(value);
		case 'rate':
			return typeof value === 'number' ? formatValue(value, 'rate') : String(value);
		case 'hours':
			return typeof value === 'number' ? formatValue(value, 'hours') : String(value);
		case 'number':
			return typeof value === 'number' ? value.toFixed(2) : String(value);
		case 'day':
			return typeof value === 'string' ? formatDay(value) : String(value);
		case 'list':
			return Array.isArray(value) ? value.join(', ') : String(value);
		default:
			return String(value);
	}
}
