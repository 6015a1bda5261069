/**
 * How the worklist's values read: probabilities with one decimal (the riskiest accounts sit a few points
 * apart), money in dollars as the drivers word it, renewals as days from the scores' as-of date, and
 * sentiment signed on its −100…100 scale.
 */

const NBSP = '\u00a0';
const one = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const dollars = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
const compactDollars = new Intl.NumberFormat('en-US', {
	style: 'currency',
	currency: 'USD',
	notation: 'compact',
	maximumFractionDigits: 1
});

/** A probability as a percentage with one decimal (`40.2 %`); `—` when there is none. */
export function formatProbability(p: number | null | undefined): string {
	return p === null || p === undefined || !Number.isFinite(p) ? '—' : `${one.format(p * 100)}${NBSP}%`;
}

/** An amount in whole dollars (`$48,000`), or compact (`$1.2M`) for a headline; `—` when there is none. */
export function formatMoney(amount: number | null | undefined, options: { compact?: boolean } = {}): string {
	if (amount === null || amount === undefined || !Number.isFinite(amount)) return '—';
	return (options.compact ? compactDollars : dollars).format(amount);
}

/** Days to a renewal as words: `in 45 days`, `today`, `3 days ago`; `—` without a renewal date. */
export function renewalText(days: number | null | undefined): string {
	if (days === null || days === undefined) return '—';
	if (days === 0) return 'today';
	const n = Math.abs(days);
	const span = `${n.toLocaleString('en-US')} ${n === 1 ? 'day' : 'days'}`;
	return days > 0 ? `in ${span}` : `${span} ago`;
}

/** Sentiment rounded and signed (`+35`, `−40`, `0`); `—` without survey answers. */
export function formatSentiment(s: number | null | undefined): string {
	if (s === null || s === undefined || !Number.isFinite(s)) return '—';
	const r = Math.round(s);
	return r > 0 ? `+${r}` : r < 0 ? `−${Math.abs(r)}` : '0';
}

/** A tone for a 0–100 health score: under 40 poor, under 70 fair, else good. */
export function healthTone(health: number): 'poor' | 'fair' | 'good' {
	return health < 40 ? 'poor' : health < 70 ? 'fair' : 'good';
}

/** A tone for sentiment: below −40 (the high-value alert's threshold) negative, above +20 positive. */
export function sentimentTone(s: number | null): 'negative' | 'neutral' | 'positive' | 'none' {
	if (s === null) return 'none';
	return s < -40 ? 'negative' : s > 20 ? 'positive' : 'neutral';
}
