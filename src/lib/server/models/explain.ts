import type { FeatureFrame } from '../features/store.js';

/** One reason an account scores as it does: which feature, how much it pushed the risk, in words. */
export interface Driver {
	feature: string;
	/** The feature's push on the churn log-odds for this account (from the model; > 0 raises the risk). */
	impact: number;
	text: string;
}

const n0 = (x: number) => Math.round(x).toLocaleString('en-US');
const n1 = (x: number) => (Math.round(x * 10) / 10).toLocaleString('en-US');
const plural = (x: number, one: string, many = `${one}s`) => `${n0(x)} ${Math.round(x) === 1 ? one : many}`;
const ratio = (trend: number) => Math.exp(trend);

/**
 * A feature's value for one account, as a sentence a CSM can act on. `row` gives every raw feature
 * value of the account, since some sentences need two (first value needs the account's age).
 */
export function describe(feature: string, row: (name: string) => number | string | null): string {
	const v = row(feature);
	const num = typeof v === 'number' ? v : NaN;
	switch (feature) {
		case 'first_value_reached':
		case 'first_value_within_30d':
		case 'days_to_first_value':
			return row('first_value_reached') === 1
				? `First value came ${n0(row('days_to_first_value') as number)} days after signup${row('first_value_within_30d') === 1 ? '' : ' (later than 30 days)'}`
				: `No first value yet, ${n0(row('tenure_days') as number)} days after signup`;
		case 'usage_trend':
			return num < 0 ? `Usage down ${n0((1 - ratio(num)) * 100)} % over the last 30 days` : `Usage up ${n0((ratio(num) - 1) * 100)} % over the last 30 days`;
		case 'ticket_trend':
			return num > 0 ? `Tickets up ${n1(ratio(num))}× in the last 30 days` : `Tickets down ${n0((1 - ratio(num)) * 100)} % in the last 30 days`;
		case 'days_since_last_event':
			return num >= 90 ? 'No product activity in 90 days' : `Last product activity ${n0(num)} days ago`;
		case 'events_7d':
		case 'events_30d':
		case 'events_90d':
			return `${num === 0 ? 'No' : n0(num)} product event${num === 1 ? '' : 's'} in the last ${feature.slice(7, -1)} days`;
		case 'active_days_30d':
			return `Active on ${plural(num, 'day')} of the last 30`;
		case 'user_days_30d':
			return num === 0 ? 'No user active in the last 30 days' : `${plural(num, 'user-day')} of activity in the last 30 days`;
		case 'milestone_level':
			return `Milestone level ${n0(num)} of 3`;
		case 'milestones_held':
			return `${plural(num, 'milestone')} reached`;
		case 'milestones_lost':
			return num > 0 ? `Lost ${plural(num, 'milestone')} (e.g. integration outdated)` : 'No milestone lost';
		case 'tickets_30d':
			return `${plural(num, 'ticket')} in the last 30 days`;
		case 'tickets_90d':
			return `${plural(num, 'ticket')} in the last 90 days`;
		case 'messages_per_ticket_90d':
			return Number.isFinite(num) ? `${n1(num)} messages per ticket (90 days)` : 'No tickets in 90 days';
		case 'reopened_90d':
			return `${plural(num, 'ticket')} reopened in 90 days`;
		case 'first_reply_hours_90d':
			return Number.isFinite(num) ? `First replies take ${n1(num)} hours (median, 90 days)` : 'No replied tickets in 90 days';
		case 'searches_90d':
			return `${plural(num, 'help-centre search', 'help-centre searches')} in 90 days`;
		case 'zero_result_searches_90d':
			return `${plural(num, 'search', 'searches')} found nothing in 90 days`;
		case 'failed_searches_90d':
			return `${plural(num, 'search', 'searches')} without a useful result in 90 days`;
		case 'sessions_90d':
			return `${plural(num, 'self-service session')} in 90 days`;
		case 'confusion_bursts_90d':
			return `${plural(num, 'confusion burst')} (same page viewed 3+ times in 2 minutes) in 90 days`;
		case 'csat_mean':
			return Number.isFinite(num) ? `CSAT averages ${n1(num)} of 5` : 'No CSAT answers yet';
		case 'ces_mean':
			return Number.isFinite(num) ? `Customer effort averages ${n1(num)} of 7 (7 = very easy)` : 'No CES answers yet';
		case 'nps_mean':
			return Number.isFinite(num) ? `NPS answers average ${n1(num)} of 10` : 'No NPS answers yet';
		case 'csat_responses':
		case 'ces_responses':
		case 'nps_responses':
			return `${plural(num, `${feature.split('_')[0].toUpperCase()} answer`)} so far`;
		case 'tenure_days':
			return `Customer for ${plural(num, 'day')}`;
		case 'log_arr':
			return `ARR $${n0(Math.expm1(num))}`;
		case 'seats':
			return `${plural(num, 'seat')}`;
		case 'days_to_renewal':
			return `Renewal in ${plural(num, 'day')}`;
		case 'plan':
		case 'segment':
		case 'region':
			return `${feature[0].toUpperCase()}${feature.slice(1)}: ${v ?? 'none'}`;
		default:
			if (feature.startsWith('tickets_90d_')) return `${plural(num, 'ticket')} about ${feature.slice('tickets_90d_'.length).replace(/_/g, ' ')} in 90 days`;
			return `${feature.replace(/_/g, ' ')}: ${typeof v === 'number' ? n1(v) : (v ?? 'none')}`;
	}
}

/** The snapshot column an encoded input comes from (`plan=starter` → `plan`). */
export function sourceColumn(input: string): string {
	const eq = input.indexOf('=');
	return eq < 0 ? input : input.slice(0, eq);
}

/**
 * The top risk drivers of row `i`: the model's per-input contributions summed per snapshot column
 * (one-hot levels together; first value's three columns together, as they tell one story), the `top`
 * largest positive ones, each with its sentence. Only what raises the risk is a driver.
 */
export function topDrivers(contributions: number[], inputs: string[], frame: FeatureFrame, i: number, top = 3): Driver[] {
	const byColumn = new Map<string, number>();
	inputs.forEach((name, k) => {
		let col = sourceColumn(name);
		if (col === 'first_value_within_30d' || col === 'days_to_first_value') col = 'first_value_reached';
		byColumn.set(col, (byColumn.get(col) ?? 0) + contributions[k]);
	});
	const row = (name: string) => frame.numeric[name]?.[i] ?? frame.categorical[name]?.[i] ?? null;
	return [...byColumn]
		.filter(([, impact]) => impact > 0)
		.sort((a, b) => b[1] - a[1])
		.slice(0, top)
		.map(([feature, impact]) => ({ feature, impact, text: describe(feature, row) }));
}
