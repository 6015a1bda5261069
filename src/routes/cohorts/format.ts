/** How the cohorts page writes differences between segments (client-safe; the values themselves use `kpi/units.ts`). */
import { formatInterval, type Unit } from '$lib/components/kpi/units.js';

const one = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const two = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const NBSP = '\u00a0';

/** A difference's magnitude and unit: rates in percentage points, the NPS in points, the rest in the metric's unit. */
function magnitude(x: number, unit: Unit): string {
	switch (unit) {
		case 'rate':
			return `${one.format(x * 100)}${NBSP}pp`;
		case 'nps':
			return `${one.format(x)}${NBSP}pts`;
		case 'days':
			return `${one.format(x)}${NBSP}days`;
		case 'hours':
			return `${one.format(x)}${NBSP}h`;
		case 'per_1000':
			return one.format(x);
		case 'count':
			return integer.format(x);
		default:
			return two.format(x);
	}
}

/** A signed difference (`+4.2 pp`, `−0.31`), or `—` without one. */
export function formatDifference(d: number | null, unit: Unit): string {
	if (d === null || !Number.isFinite(d)) return '—';
	const sign = d > 0 ? '+' : d < 0 ? '−' : '±';
	return `${sign}${magnitude(Math.abs(d), unit)}`;
}

/** A difference's interval (`−2.1 to +6.3 pp`), or null without one. */
export function formatDifferenceInterval(ci: [number, number] | null, unit: Unit): string | null {
	if (!ci) return null;
	const signed = (x: number) => (x > 0 ? '+' : x < 0 ? '−' : '') + magnitude(Math.abs(x), unit).split(NBSP)[0];
	const suffix = magnitude(0, unit).split(NBSP)[1];
	return `${signed(ci[0])} to ${signed(ci[1])}${suffix ? `${NBSP}${suffix}` : ''}`;
}

/** A value's 95 % interval: the NPS in whole points with signs (`−8 to +10`, as the NPS itself is written), the rest as on /metrics. */
export function formatCi(ci: [number, number] | null, unit: Unit): string | null {
	if (!ci || unit !== 'nps') return formatInterval(ci, unit);
	const signed = (x: number) => {
		const r = Math.round(x);
		return r > 0 ? `+${r}` : r < 0 ? `−${-r}` : '0';
	};
	return `${signed(ci[0])} to ${signed(ci[1])}`;
}
