/**
 * What a metric card or table row says besides the value: the target and whether it is met (respecting
 * which way is good, and saying so when the 95 % interval still straddles the target), and the basis —
 * the numerator, denominator and interval — so a rate on 7 accounts is not read like one on 7,000.
 */
import { formatInterval, formatNumber, formatPercent, formatTarget, formatValue, type Direction, type Unit } from './units.js';

/** One week (or other period) of a metric's trend, as the page sends it to the browser. */
export interface TrendPoint {
	/** The period's first day, `YYYY-MM-DD`. */
	group: string;
	value: number | null;
	/** The 95 % interval's ends, when the metric has one. */
	low?: number | null;
	high?: number | null;
	/** How many rows the value is made of (the denominator or count), when known. */
	n?: number | null;
}

/** A metric as the page has it: its definition's presentation fields, value, details and target. */
export interface MetricSummary {
	id: string;
	label: string;
	formula: string;
	family: string;
	unit: Unit;
	direction: Direction;
	value: number | string | null;
	details: Record<string, unknown>;
	target: number | null;
	/** The date range does not apply (a state of things now). */
	timeless?: boolean;
}

/** Whether the value meets its target; `none` without a target, `unknown` without a value. */
export type TargetStatus = 'met' | 'missed' | 'none' | 'unknown';

/** The target verdict. */
export interface TargetView {
	status: TargetStatus;
	/** `≥ 40 %`, or null without a target. */
	target: string | null;
	/** The 95 % interval contains the target: met or missed, but not clearly. */
	uncertain: boolean;
}

/** What each rate or mean is counted in, for "312 of 780 sessions". */
export const BASIS_NOUNS: Record<string, string> = {
	deflection_rate: 'sessions',
	kb_search_success: 'searches',
	zero_result_rate: 'searches',
	portal_adoption_rate: 'active accounts',
	ttfv_within_30d: 'accounts',
	self_service_csat: 'responses',
	self_service_csat_top2: 'responses',
	ces: 'responses',
	reopen_rate: 'tickets',
	bot_handoff_reopen_rate: 'handoffs',
	kb_article_health: 'articles',
	messages_per_ticket: 'tickets'
};

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const interval = (v: unknown): [number, number] | null =>
	Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' && typeof v[1] === 'number' ? [v[0], v[1]] : null;

/** The target verdict: met when the value is on the good side of the target (or on it). */
export function targetView(m: Pick<MetricSummary, 'id' | 'unit' | 'direction' | 'value' | 'details' | 'target'>): TargetView {
	if (m.target === null || m.direction === 'none') return { status: 'none', target: null, uncertain: false };
	const target = formatTarget(m.target, m.unit, m.direction, m.id);
	if (typeof m.value !== 'number') return { status: 'unknown', target, uncertain: false };
	const met = m.direction === 'higher' ? m.value >= m.target : m.value <= m.target;
	const ci = interval(m.details.interval);
	const uncertain = ci !== null && ci[0] <= m.target && m.target <= ci[1];
	return { status: met ? 'met' : 'missed', target, uncertain };
}

/**
 * The basis of a value in words: `312 of 780 sessions, 95 % CI 36–43 %` for rates,
 * `mean of 337 responses, 95 % CI 3.62–3.81` for means, and each other metric's own counts.
 */
export function basisText(m: Pick<MetricSummary, 'id' | 'unit' | 'details'>): string {
	const d = m.details;
	const noun = BASIS_NOUNS[m.id];
	const ci = formatInterval(interval(d.interval), m.unit);
	const withCi = (s: string) => (ci ? `${s}, 95\u00a0% CI ${ci}` : s);
	switch (m.id) {
		case 'nps': {
			const n = num(d.responses) ?? 0;
			if (!n) return 'No responses';
			return `${formatNumber(n)} responses: ${formatPercent((num(d.promoters) ?? 0) / n)} promoters, ${formatPercent((num(d.detractors) ?? 0) / n)} detractors`;
		}
		case 'ttfv_median_days': {
			const reached = num(d.accounts_reached) ?? 0;
			const of = `${formatNumber(reached)} of ${formatNumber(num(d.accounts))} accounts reached it`;
			const p25 = num(d.p25);
			const p75 = num(d.p75);
			return p25 !== null && p75 !== null ? `${of}; middle half ${formatInterval([p25, p75], 'days')}` : of;
		}
		case 'self_service_score':
			return `${formatNumber(num(d.numerator))} sessions ÷ ${formatNumber(num(d.denominator))} ticket requesters`;
		case 'bot_flags_per_1000':
			return `${formatNumber(num(d.numerator))} flags in ${formatNumber(num(d.denominator))} bot conversations`;
		case 'first_reply_hours':
		case 'resolution_hours': {
			const p90 = num(d.p90);
			const base = `median of ${formatNumber(num(d.tickets))} tickets`;
			return p90 === null ? base : `${base}; 90th percentile ${formatValue(p90, 'hours')}`;
		}
		case 'stale_articles':
			return `${formatNumber(num(d.stale))} of ${formatNumber(num(d.articles))} articles`;
		case 'milestone_level': {
			const levels = Array.isArray(d.by_level) ? (d.by_level as number[]) : [];
			const lost = num(d.lost_a_milestone);
			const parts = levels.map((n, i) => `L${i} ${formatNumber(n)}`).join(' · ');
			return `${formatNumber(num(d.accounts))} live accounts: ${parts}${lost ? `; ${formatNumber(lost)} lost a milestone` : ''}`;
		}
		case 'confusion_bursts':
			return `in ${formatNumber(num(d.accounts))} accounts, by ${formatNumber(num(d.users))} users`;
		case 'repeat_automation_accounts':
			return `${formatNumber(num(d.repeats))} repeated runs`;
		case 'ticket_volume':
			return 'deleted tickets excluded';
		case 'activation_cliff_step':
			return cliffText(d);
	}
	const k = num(d.numerator);
	const n = num(d.denominator);
	if (k !== null && n !== null)
		return n === 0 ? `No ${noun ?? 'rows'} in this selection` : withCi(`${formatNumber(k)} of ${formatNumber(n)}${noun ? ` ${noun}` : ''}`);
	const count = num(d.count);
	if (count !== null)
		return count === 0 ? `No ${noun ?? 'rows'} in this selection` : withCi(`mean of ${formatNumber(count)}${noun ? ` ${noun}` : ''}`);
	return '';
}

/** The cliff in words: `43 % of the 252 accounts past User Invited did not reach it`. */
function cliffText(d: Record<string, unknown>): string {
	const steps = Array.isArray(d.steps) ? (d.steps as { event: string; completed: number; drop_off: number | null }[]) : [];
	const i = steps.findIndex((s) => s.event === d.cliff);
	if (i <= 0) return num(d.entered) ? 'No step loses accounts' : 'No accounts entered the funnel';
	const prev = steps[i - 1];
	return `${formatPercent(steps[i].drop_off)} of the ${formatNumber(prev.completed)} accounts past ${prev.event} did not reach it`;
}
