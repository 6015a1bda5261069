import { sql } from 'kysely';
import { funnelStepsSql } from '../facts/funnel.js';
import { formatNumber, formatPercent } from '../../components/kpi/units.js';
import { defineMetric, type AggregateRow, type MetricContext } from './metric.js';
import { rate, type Rate } from './rate.js';

/** One step of a computed funnel. */
export interface FunnelStep {
	step: number;
	event: string;
	/** c_k: entered accounts that completed this step (after the previous one, inside the window). */
	completed: number;
	/** Of those that completed the previous step, the share completing this one. */
	conversion: Rate;
	/** Not completed, but their window is still open at the end of the data: shown apart, not subtracted. */
	in_progress: number;
	/** 1 − c_k / c_(k−1). */
	drop_off: number | null;
}

/** The activation funnel and its cliff. */
export interface Funnel {
	entered: number;
	steps: FunnelStep[];
	/** The step k with the largest 1 − c_k/c_(k−1), named by the step not reached; null without drop-offs. */
	cliff: string | null;
}

const t = (k: number) => sql.raw(`t${k}`);

/**
 * Accounts entering the funnel (`at` = their first step-1 event), with `t1…tn` (see `derived_funnel`:
 * each step first done after the previous one, within its window from entry, even after the range ends)
 * and `open2…openn`: whether that step's window is still open at the end of the data.
 */
function funnelFacts(ctx: MetricContext) {
	const { steps, windowDays } = ctx.config.funnel;
	const windowOf = (i: number) => sql`to_microseconds(CAST(${steps[i].windowDays ?? windowDays} * 86400e6 AS BIGINT))`;
	const end = ctx.range.end_of_data ?? '9999-12-31T00:00:00Z';
	const open = steps
		.slice(1)
		.map((_, j) => sql`t1 + ${windowOf(j + 1)} > CAST(${end} AS TIMESTAMPTZ)::TIMESTAMP AS ${sql.raw(`open${j + 2}`)}`);
	return sql`SELECT t1 AS at, *, ${sql.join(open)} FROM (${funnelStepsSql(ctx)})`;
}

/** The funnel from its aggregate row (`c1…cn` completed, `p2…pn` in progress). */
export function funnelFrom(r: AggregateRow, ctx: MetricContext): Funnel {
	const steps: FunnelStep[] = ctx.config.funnel.steps.map((s, i) => {
		const c = r[`c${i + 1}`] ?? 0;
		const prev = i === 0 ? c : (r[`c${i}`] ?? 0);
		return {
			step: i + 1,
			event: s.event,
			completed: c,
			conversion: rate(c, prev),
			in_progress: i === 0 ? 0 : (r[`p${i + 1}`] ?? 0),
			drop_off: i === 0 || prev === 0 ? null : 1 - c / prev
		};
	});
	let cliff: FunnelStep | undefined;
	for (const s of steps.slice(1)) if (s.drop_off !== null && s.drop_off > 0 && (!cliff || s.drop_off > cliff.drop_off!)) cliff = s;
	return { entered: r.c1 ?? 0, steps, cliff: cliff?.event ?? null };
}

/**
 * The activation cliff: in the activation funnel (entry = accounts whose first step-1 event falls in the
 * range; c_k = entered accounts completing step k after step k−1 within the window from entry), the step
 * k with the largest 1 − c_k/c_(k−1), named by the step not reached. Accounts still inside their window
 * are reported as in progress, not subtracted. The funnel itself is in the details.
 */
export const activationCliffStep = defineMetric({
	id: 'activation_cliff_step',
	label: 'Activation cliff',
	family: 'funnel',
	formula: (c) =>
		`the step k of ${c.funnel.steps.map((s) => s.event).join(' → ')} (each within ${c.funnel.windowDays} days of entry unless the step says otherwise) with the largest 1 − c_k / c_(k−1), named by the step not reached`,
	unit: 'step',
	direction: 'none',
	facts: funnelFacts,
	aggregate: (ctx) => {
		const n = ctx.config.funnel.steps.length;
		const counts = Array.from({ length: n }, (_, i) => sql`count(${t(i + 1)}) AS ${sql.raw(`c${i + 1}`)}`);
		const progress = Array.from(
			{ length: n - 1 },
			(_, j) =>
				sql`count(*) FILTER (WHERE ${t(j + 1)} IS NOT NULL AND ${t(j + 2)} IS NULL AND ${sql.raw(`open${j + 2}`)}) AS ${sql.raw(`p${j + 2}`)}`
		);
		return sql`${sql.join([...counts, ...progress])}`;
	},
	finish: (r, ctx) => {
		const f = funnelFrom(r, ctx);
		return { value: f.cliff, details: f };
	},
	basis: cliffText,
	n: (f) => f.entered
});

/** The cliff in words: `43 % of the 252 accounts past User Invited did not reach it`. */
function cliffText(f: Funnel): string {
	const i = f.steps.findIndex((s) => s.event === f.cliff);
	if (i <= 0) return f.entered ? 'No step loses accounts' : 'No accounts entered the funnel';
	const prev = f.steps[i - 1];
	return `${formatPercent(f.steps[i].drop_off)} of the ${formatNumber(prev.completed)} accounts past ${prev.event} did not reach it`;
}
