import type { FeatureFrame } from '../features/store.js';

/** One reason an account scores as it does: which feature, how much it pushed the risk, in words. */
export interface Driver {
	feature: string;
	/** The feature's push on the churn log-odds for this account (from the model; > 0 raises the risk). */
	impact: number;
	text: string;
}

// One formatter each, made once: toLocaleString builds a new one per call, a second per 100,000 accounts.
const whole = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const tenth = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
const n0 = (x: number) => whole.format(Math.round(x));
const n1 = (x: number) => tenth.format(Math.round(x * 10) / 10);
const plural = (x: number, one: string, many = `${one}s`) => `${n0(x)} ${Math.round(x) === 1 ? one : many}`;
/** A count opening a sentence: "No tickets …" rather than "0 tickets …". */
const some = (x: number, one: string, many = `${one}s`) => (Math.round(x) === 0 ? `No ${many}` : plural(x, one, many));
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
			return `${some(num, 'product event')} in the last ${feature.slice(7, -1)} days`;
		case 'active_days_30d':
			return `Active on ${plural(num, 'day')} of the last 30`;
		case 'user_days_30d':
			return num === 0 ? 'No user active in the last 30 days' : `${plural(num, 'user-day')} of activity in the last 30 days`;
		case 'milestone_level':
			return `Milestone level ${n0(num)} of 3`;
		case 'milestones_held':
			return `${some(num, 'milestone')} reached`;
		case 'milestones_lost':
			return num > 0 ? `Lost ${plural(num, 'milestone')} (e.g. integration outdated)` : 'No milestone lost';
		case 'tickets_30d':
			return `${some(num, 'ticket')} in the last 30 days`;
		case 'tickets_90d':
			return `${some(num, 'ticket')} in the last 90 days`;
		case 'messages_per_ticket_90d':
			return Number.isFinite(num) ? `${n1(num)} messages per ticket (90 days)` : 'No tickets in 90 days';
		case 'reopened_90d':
			return `${some(num, 'ticket')} reopened in 90 days`;
		case 'first_reply_hours_90d':
			return Number.isFinite(num) ? `First replies take ${n1(num)} hours (median, 90 days)` : 'No replied tickets in 90 days';
		case 'searches_90d':
			return `${some(num, 'help-centre search', 'help-centre searches')} in 90 days`;
		case 'zero_result_searches_90d':
			return `${some(num, 'search', 'searches')} found nothing in 90 days`;
		case 'failed_searches_90d':
			return `${some(num, 'search', 'searches')} without a useful result in 90 days`;
		case 'sessions_90d':
			return `${some(num, 'self-service session')} in 90 days`;
		case 'confusion_bursts_90d':
			return `${some(num, 'confusion burst')} (same page viewed 3+ times in 2 minutes) in 90 days`;
		case 'csat_mean':
			return Number.isFinite(num) ? `CSAT averages ${n1(num)} of 5` : 'No CSAT answers yet';
		case 'ces_mean':
			return Number.isFinite(num) ? `Customer effort averages ${n1(num)} of 7 (7 = very easy)` : 'No CES answers yet';
		case 'nps_mean':
			return Number.isFinite(num) ? `NPS answers average ${n1(num)} of 10` : 'No NPS answers yet';
		case 'csat_responses':
		case 'ces_responses':
		case 'nps_responses':
			return `${some(num, `${feature.split('_')[0].toUpperCase()} answer`)} so far`;
		case 'tenure_days':
			return `Customer for ${plural(num, 'day')}`;
		case 'log_arr':
			return `ARR $${n0(Math.expm1(num))}`;
		case 'seats':
			return `${some(num, 'seat')}`;
		case 'days_to_renewal':
			return `Renewal in ${plural(num, 'day')}`;
		case 'plan':
		case 'segment':
		case 'region':
			return `${feature[0].toUpperCase()}${feature.slice(1)}: ${v ?? 'none'}`;
		default:
			if (feature.startsWith('tickets_90d_')) return `${some(num, 'ticket')} about ${feature.slice('tickets_90d_'.length).replace(/_/g, ' ')} in 90 days`;
			return `${feature.replace(/_/g, ' ')}: ${typeof v === 'number' ? n1(v) : (v ?? 'none')}`;
	}
}

/** The snapshot column an encoded input comes from (`plan=starter` → `plan`). */
export function sourceColumn(input: string): string {
	const eq = input.indexOf('=');
	return eq < 0 ? input : input.slice(0, eq);
}

/**
 * Columns that tell one story, summed into one driver and told by their strongest member: usage (so "no
 * events in 7 days" and "last activity 17 days ago" are one reason, not two), ticket volume, first value.
 */
const STORIES: Record<string, string> = {
	events_7d: 'usage',
	events_30d: 'usage',
	events_90d: 'usage',
	usage_trend: 'usage',
	active_days_30d: 'usage',
	user_days_30d: 'usage',
	days_since_last_event: 'usage',
	tickets_30d: 'tickets',
	tickets_90d: 'tickets',
	ticket_trend: 'tickets',
	first_value_reached: 'first_value',
	first_value_within_30d: 'first_value',
	days_to_first_value: 'first_value'
};

/** How the model's inputs group into snapshot columns and stories, worked out once for all rows. */
export interface DriverPlan {
	/** Per input: its column's index in `columns`. */
	columnOf: Int32Array;
	columns: string[];
	/** Per column: its story's index in `stories`. */
	storyOf: Int32Array;
	stories: string[];
	/** Scratch sums reused row after row: allocating typed arrays per row cost more than the arithmetic. */
	scratch: { byColumn: Float64Array; byStory: Float64Array; lead: Int32Array };
}

/** The {@link DriverPlan} of a model's inputs. */
export function driverPlan(inputs: string[]): DriverPlan {
	const columns = [...new Set(inputs.map(sourceColumn))];
	const stories = [...new Set(columns.map((c) => STORIES[c] ?? c))];
	return {
		columnOf: Int32Array.from(inputs, (name) => columns.indexOf(sourceColumn(name))),
		columns,
		storyOf: Int32Array.from(columns, (c) => stories.indexOf(STORIES[c] ?? c)),
		stories,
		scratch: { byColumn: new Float64Array(columns.length), byStory: new Float64Array(stories.length), lead: new Int32Array(stories.length) }
	};
}

/**
 * The top risk drivers of row `i`: the model's per-input contributions summed per snapshot column (one-hot
 * levels together) and per story (see {@link STORIES}), the `top` largest positive ones, each told by the
 * sentence of its strongest column. Only what raises the risk is a driver.
 */
export function topDrivers(contributions: ArrayLike<number>, plan: DriverPlan, frame: FeatureFrame, i: number, top = 3): Driver[] {
	const { byColumn, byStory, lead } = plan.scratch;
	byColumn.fill(0);
	byStory.fill(0);
	lead.fill(-1);
	for (let k = 0; k < contributions.length; k++) byColumn[plan.columnOf[k]] += contributions[k];
	for (let c = 0; c < byColumn.length; c++) {
		const s = plan.storyOf[c];
		byStory[s] += byColumn[c];
		if (lead[s] < 0 || byColumn[c] > byColumn[lead[s]]) lead[s] = c;
	}
	const row = (name: string) => frame.numeric[name]?.[i] ?? frame.categorical[name]?.[i] ?? null;
	const chosen: number[] = [];
	for (let s = 0; s < byStory.length; s++) if (byStory[s] > 0) chosen.push(s);
	return chosen
		.sort((a, b) => byStory[b] - byStory[a])
		.slice(0, top)
		.map((s) => {
			const feature = plan.columns[lead[s]];
			return { feature, impact: byStory[s], text: describe(feature, row) };
		});
}
