/** How a list's columns and cells read on the page (the CSV and JSON keep the raw values). */
import { formatDay } from '$lib/components/format.js';
import { formatNumber, formatPercent } from '$lib/components/kpi/units.js';

const WORDS: Record<string, string> = { csm: 'CSM', arr: 'ARR', id: 'ID', kb: 'KB' };
const SHARES = new Set(['conversion', 'drop_off']);

/** `previous_28d` → `Previous 28d`, `csm` → `CSM`. */
export function columnLabel(key: string): string {
	const words = key.split('_').map((w) => WORDS[w] ?? w);
	const first = words[0] ?? '';
	return [first.charAt(0).toUpperCase() + first.slice(1), ...words.slice(1)].join(' ');
}

/** Whether a column holds numbers (right-aligned). */
export function numericColumn(rows: Record<string, unknown>[], key: string): boolean {
	return rows.some((r) => typeof r[key] === 'number') && rows.every((r) => r[key] === null || typeof r[key] === 'number');
}

/** A cell as text: dates as days, shares as percentages, lists joined, nothing as a dash. */
export function cellText(key: string, value: unknown): string {
	if (value === null || value === undefined || value === '') return '—';
	if (Array.isArray(value)) return value.join(', ');
	if (typeof value === 'boolean') return value ? 'yes' : '';
	if (typeof value === 'number') {
		if (SHARES.has(key)) return formatPercent(value);
		if (key === 'growth') return `${value.toFixed(2)}×`;
		return Number.isInteger(value) ? formatNumber(value) : value.toFixed(2);
	}
	if (typeof value === 'string' && key.endsWith('_at') && /^\d{4}-\d{2}-\d{2}T/.test(value)) return formatDay(value);
	return String(value);
}
