/**
 * Metric values as people read them, by unit: rates as percentages, days and hours with their unit,
 * scores with their scale, NPS signed. Plain functions (no Svelte), shared by the KPI cards, the metrics
 * table and the charts' axes and tooltips, and tested on their own.
 */
import type { MetricDefinition } from '$lib/server/metrics/metric.js';

/** A metric's unit (see `MetricDefinition.unit`). */
export type Unit = MetricDefinition['unit'];
/** Which way is good (see `MetricDefinition.direction`). */
export type Direction = MetricDefinition['direction'];

const NBSP = '\u00a0';
/** An en dash lines never break at (`3.29–3.33` stays on one line). */
const DASH = '\u2060–\u2060';
const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const fixed = (digits: number) => new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const one = fixed(1);
const two = fixed(2);

/** A whole signed number of points (`+7`, `−12`, `0`), as NPS values and their intervals read. */
function signed(x: number): string {
	const r = Math.round(x);
	return r > 0 ? `+${r}` : r < 0 ? `−${Math.abs(r)}` : '0';
}

/** A value split into its number and a unit suffix the cards set smaller (`{ main: '41.2', suffix: '%' }`). */
export interface ValueParts {
	main: string;
	suffix: string;
}

/** A metric value in parts; `—` when there is none (a zero denominator). A score with a `scale` reads "3.72 / 5". */
export function valueParts(value: number | string | null | undefined, unit: Unit, scale?: number | null): ValueParts {
	if (value === null || value === undefined) return { main: '—', suffix: '' };
	if (typeof value === 'string') return { main: value, suffix: '' };
	if (!Number.isFinite(value)) return { main: '—', suffix: '' };
	switch (unit) {
		case 'rate':
			return { main: one.format(value * 100), suffix: '%' };
		case 'days':
			return { main: one.format(value), suffix: value === 1 ? 'day' : 'days' };
		case 'hours':
			return { main: one.format(value), suffix: 'h' };
		case 'score':
			return { main: two.format(value), suffix: scale ? `/ ${scale}` : '' };
		case 'ratio':
			return { main: two.format(value), suffix: '×' };
		case 'nps':
			return { main: signed(value), suffix: '' };
		case 'per_1000':
			return { main: one.format(value), suffix: 'per 1,000' };
		case 'level':
			return { main: two.format(value), suffix: 'of 3' };
		case 'count':
			return { main: integer.format(value), suffix: '' };
		case 'step':
			return { main: String(value), suffix: '' };
	}
}

/** A metric value as one string (`41.2 %`, `10.3 days`, `+7`, `—`). */
export function formatValue(value: number | string | null | undefined, unit: Unit, scale?: number | null): string {
	const p = valueParts(value, unit, scale);
	return p.suffix ? `${p.main}${NBSP}${p.suffix}` : p.main;
}

/** A short value for chart axes (`40 %`, `12 d`, `4.0`): fewer decimals than {@link formatValue}. */
export function formatAxis(value: number, unit: Unit): string {
	switch (unit) {
		case 'rate':
			return `${integer.format(value * 100)}${NBSP}%`;
		case 'days':
			return `${integer.format(value)}${NBSP}d`;
		case 'hours':
			return `${integer.format(value)}${NBSP}h`;
		case 'score':
		case 'ratio':
		case 'level':
			return one.format(value);
		default:
			return integer.format(value);
	}
}

/**
 * A 95 % interval in the value's unit, its ends sharing one suffix (`36–43 %`, `3.62–3.81`). Rates get one
 * decimal when the interval is narrower than 2 points, so a tight interval does not round to one number.
 */
export function formatInterval(interval: [number, number] | null | undefined, unit: Unit): string | null {
	if (!interval) return null;
	const [lo, hi] = interval;
	if (unit === 'rate') {
		const f = hi - lo < 0.02 ? one : integer;
		return `${f.format(lo * 100)}${DASH}${f.format(hi * 100)}${NBSP}%`;
	}
	if (unit === 'nps') return `${signed(lo)} to ${signed(hi)}`;
	if (unit === 'days') return `${one.format(lo)}${DASH}${one.format(hi)}${NBSP}days`;
	if (unit === 'hours') return `${one.format(lo)}${DASH}${one.format(hi)}${NBSP}h`;
	return `${two.format(lo)}${DASH}${two.format(hi)}`;
}

/** A count with thousands separators. */
export function formatNumber(n: number | null | undefined): string {
	return n === null || n === undefined ? '—' : integer.format(n);
}

/** A share as a whole percentage (`43 %`). */
export function formatPercent(share: number | null | undefined): string {
	return share === null || share === undefined || !Number.isFinite(share) ? '—' : `${integer.format(share * 100)}${NBSP}%`;
}

const trimmed = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const scoreTarget = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 2 });

/**
 * A target as a goal with its direction (`≥ 40 %`, `≤ 10 %`, `≥ 4.0 / 5`): written as a person would set
 * it, without the trailing zeros of a measured value.
 */
export function formatTarget(target: number, unit: Unit, direction: Direction, scale?: number | null): string {
	const op = direction === 'lower' ? '≤' : direction === 'higher' ? '≥' : '';
	let v: string;
	if (unit === 'rate') v = `${trimmed.format(target * 100)}${NBSP}%`;
	else if (unit === 'score' || unit === 'level' || unit === 'ratio') {
		const p = valueParts(target, unit, scale);
		v = p.suffix ? `${scoreTarget.format(target)}${NBSP}${p.suffix}` : scoreTarget.format(target);
	} else v = formatValue(target, unit, scale);
	return op ? `${op}${NBSP}${v}` : v;
}
