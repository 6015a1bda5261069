import { sql } from 'kysely';
import { inRange, inScope } from './filters.js';
import type { MetricContext, MetricDefinition } from './metric.js';
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

/**
 * Computes the activation funnel: entry = accounts whose first step-1 event falls in the range; step k
 * counts when its first event comes after step k−1's and within the step's window (its own `windowDays`,
 * else the funnel's) from entry, even after the range ends. Non-completers whose window has not closed by
 * the end of the data are counted as in progress.
 */
export async function computeFunnel(ctx: MetricContext): Promise<Funnel> {
	const { steps, windowDays } = ctx.config.funnel;
	const windowOf = (i: number) => sql`to_microseconds(CAST(${steps[i].windowDays ?? windowDays} * 86400e6 AS BIGINT))`;
	const end = ctx.range.end_of_data ?? '9999-12-31T00:00:00Z';
	const later = steps.slice(1).map(
		(s, j) => sql`, s${sql.raw(String(j + 2))} AS (
			SELECT p.*, (SELECT min(ev.ts) FROM ev WHERE ev.account_id = p.account_id AND ev.event = ${s.event}
				AND ev.ts > p.${sql.raw(`t${j + 1}`)} AND ev.ts <= p.t1 + ${windowOf(j + 1)}) AS ${sql.raw(`t${j + 2}`)}
			FROM s${sql.raw(String(j + 1))} p)`
	);
	const counts = steps.map((_, i) => sql`count(${sql.raw(`t${i + 1}`)}) AS ${sql.raw(`c${i + 1}`)}`);
	const progress = steps.slice(1).map(
		(_, j) => sql`count(*) FILTER (WHERE ${sql.raw(`t${j + 1}`)} IS NOT NULL AND ${sql.raw(`t${j + 2}`)} IS NULL
			AND t1 + ${windowOf(j + 1)} > CAST(${end} AS TIMESTAMPTZ)::TIMESTAMP) AS ${sql.raw(`p${j + 2}`)}`
	);
	const { rows } = await sql<Record<string, number>>`
		WITH ev AS (
			SELECT account_id, event, timestamp AS ts FROM events
			WHERE event IN (${sql.join(steps.map((s) => s.event))}) AND account_id IS NOT NULL AND ${inScope(sql.ref('account_id'), ctx.filters)}
		), s1 AS (
			SELECT account_id, min(ts) AS t1 FROM ev WHERE event = ${steps[0].event} GROUP BY account_id HAVING ${inRange(sql`min(ts)`, ctx.range)}
		)${sql.join(later, sql``)}
		SELECT ${sql.join([...counts, ...progress])} FROM s${sql.raw(String(steps.length))}`.execute(ctx.db);
	const r = rows[0];
	const out: FunnelStep[] = steps.map((s, i) => {
		const c = r[`c${i + 1}`];
		const prev = i === 0 ? c : r[`c${i}`];
		return {
			step: i + 1,
			event: s.event,
			completed: c,
			conversion: rate(c, prev),
			in_progress: i === 0 ? 0 : r[`p${i + 1}`],
			drop_off: i === 0 || prev === 0 ? null : 1 - c / prev
		};
	});
	let cliff: FunnelStep | undefined;
	for (const s of out.slice(1)) if (s.drop_off !== null && s.drop_off > 0 && (!cliff || s.drop_off > cliff.drop_off!)) cliff = s;
	return { entered: r.c1, steps: out, cliff: cliff?.event ?? null };
}

/** The activation cliff: the funnel step with the largest drop-off 1 − c_k/c_(k−1), named by the step not reached. */
export const activationCliffStep: MetricDefinition = {
	id: 'activation_cliff_step',
	label: 'Activation cliff',
	family: 'funnel',
	formula: 'the funnel step k with the largest 1 − c_k / c_(k−1), named by the step not reached',
	unit: 'step',
	direction: 'none',
	async compute(ctx: MetricContext) {
		const f = await computeFunnel(ctx);
		return { value: f.cliff, details: f };
	}
};
