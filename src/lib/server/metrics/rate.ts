import { formatInterval, formatNumber, type Unit } from '../../components/kpi/units.js';

/** A rate with what it is made of, so a rate on 7 accounts is not read like one on 7,000. */
export interface Rate {
	/** numerator ÷ denominator, or null when the denominator is zero. */
	value: number | null;
	numerator: number;
	denominator: number;
	/** 95 % Wilson score interval [low, high], or null when the denominator is zero. */
	interval: [number, number] | null;
}

/**
 * The Wilson score interval of k successes in n trials at z (1.96 for 95 %):
 * (p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) ÷ (1 + z²/n). Unlike p̂ ± z·√(p̂(1−p̂)/n) it stays inside [0, 1]
 * and is honest for small n and for rates near 0 or 1.
 */
export function wilson(k: number, n: number, z = 1.96): [number, number] | null {
	if (n <= 0) return null;
	const p = k / n;
	const z2 = z * z;
	const centre = p + z2 / (2 * n);
	const spread = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
	const denom = 1 + z2 / n;
	return [Math.max(0, (centre - spread) / denom), Math.min(1, (centre + spread) / denom)];
}

/** A {@link Rate} of k out of n. */
export function rate(k: number, n: number): Rate {
	return { value: n > 0 ? k / n : null, numerator: k, denominator: n, interval: wilson(k, n) };
}

/** A mean with its count and a 95 % normal interval (t-free: samples here are large or flagged by n). */
export interface Mean {
	value: number | null;
	count: number;
	interval: [number, number] | null;
}

/** A {@link Mean} from a sample's count, mean and standard deviation (null mean when the sample is empty). */
export function mean(count: number, avg: number | null, sd: number | null): Mean {
	if (!count || avg === null) return { value: null, count: 0, interval: null };
	const half = count > 1 && sd !== null ? (1.96 * sd) / Math.sqrt(count) : null;
	return { value: avg, count, interval: half === null ? null : [avg - half, avg + half] };
}

/**
 * The 95 % normal interval of an NPS from its answers: each answer scores +100 (promoter), 0 (passive) or
 * −100 (detractor), so the NPS is their mean and its standard error is 100·√((p + d − (p − d)²) ÷ n),
 * with p and d the promoter and detractor shares; the interval is NPS ± z·SE, kept within −100…100.
 * Null without answers.
 */
export function npsInterval(promoters: number, detractors: number, n: number, z = 1.96): [number, number] | null {
	if (n <= 0) return null;
	const p = promoters / n;
	const d = detractors / n;
	const nps = 100 * (p - d);
	const half = z * 100 * Math.sqrt(Math.max(0, p + d - (p - d) ** 2) / n);
	return [Math.max(-100, nps - half), Math.min(100, nps + half)];
}

/** A metric result whose value is the rate k of n, with the rate (numerator, denominator, interval) as its details. */
export function rateResult(k: number | null, n: number | null): { value: number | null; details: Rate } {
	const r = rate(k ?? 0, n ?? 0);
	return { value: r.value, details: r };
}

/** A metric result whose value is a sample mean, with the {@link Mean} as its details. */
export function meanResult(count: number | null, avg: number | null, sd: number | null): { value: number | null; details: Mean } {
	const m = mean(count ?? 0, avg, sd);
	return { value: m.value, details: m };
}

/** `text, 95 % CI lo–hi` when there is an interval. */
export function withInterval(text: string, interval: [number, number] | null, unit: Unit): string {
	const ci = formatInterval(interval, unit);
	return ci ? `${text}, 95\u00a0% CI ${ci}` : text;
}

/** How a rate metric describes itself: "312 of 780 sessions, 95 % CI 36–43 %", its interval, its n. */
export function rateDisplay(noun: string) {
	return {
		basis: (d: Rate) =>
			d.denominator === 0
				? `No ${noun} in this selection`
				: withInterval(`${formatNumber(d.numerator)} of ${formatNumber(d.denominator)} ${noun}`, d.interval, 'rate'),
		interval: (d: Rate) => d.interval,
		n: (d: Rate) => d.denominator
	};
}

/** How a mean metric describes itself: "mean of 337 responses, 95 % CI 3.62–3.81", its interval, its n. */
export function meanDisplay(noun: string, unit: Unit) {
	return {
		basis: (d: Mean) =>
			d.count === 0 ? `No ${noun} in this selection` : withInterval(`mean of ${formatNumber(d.count)} ${noun}`, d.interval, unit),
		interval: (d: Mean) => d.interval,
		n: (d: Mean) => d.count
	};
}
