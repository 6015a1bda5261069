import { sql, type Kysely } from 'kysely';
import type { Schema } from '../schema.js';

export const ALERT_STATES = ['open', 'acknowledged', 'snoozed', 'resolved'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

/**
 * Where an alert's SLA stands: answered in time (`met`) or late or not at all by its due time (`breached`),
 * still running (`on_track`, `due_soon`), stopped while snoozed (`paused`), or closed by its condition
 * clearing before anyone had to answer (`cleared`).
 */
export type SlaStatus = 'on_track' | 'due_soon' | 'breached' | 'met' | 'paused' | 'cleared';

/** An alert as the API, the CLI and the pages show it. */
export interface AlertView {
	id: number;
	rule: string;
	account_id: string | null;
	topic: string | null;
	state: AlertState;
	severity: string;
	created_at: string;
	due_at: string;
	assignee: string | null;
	evidence: { summary: string; [k: string]: unknown };
	version: number;
	account: { name: string | null; csm: string | null; plan: string | null; arr: number | null; renewal_date: string | null } | null;
	sla: {
		status: SlaStatus;
		calendar: string;
		respond_hours: number;
		factor: number;
		reasons: string[];
		responded_at: string | null;
		breached_at: string | null;
	};
	snoozed_until: string | null;
	acknowledged_at: string | null;
	acknowledged_by: string | null;
	resolved_at: string | null;
	resolved_by: string | null;
	outcome: string | null;
	resolution: string | null;
	updated_at: string;
}

/** One rule's counts in one evaluation (see `alert_evaluations`). */
export type RuleCounts = Pick<Schema['alert_evaluations'], 'matched' | 'opened' | 'resolved' | 'waiting' | 'suppressed' | 'ms'>;

/** One evaluation: when it ran, what it judged, and each rule's counts. */
export interface EvaluationRun {
	ran_at: string;
	as_of: string;
	clock: string;
	trigger: string;
	rules: Record<string, RuleCounts>;
}

/** One entry of an alert's history. */
export interface AlertEvent {
	happened_at: string;
	kind: string;
	actor: string | null;
	text: string | null;
}

export interface AlertFilters {
	state?: AlertState | 'unresolved';
	rule?: string;
	account_id?: string;
	/** The accounts of this `accounts.csm` value. */
	csm?: string;
	assignee?: string;
	sla?: SlaStatus;
	/** A CSM's book: alerts on accounts of this csm value, or assigned to this email. */
	book?: { csm: string | null; email: string };
}

type Row = Schema['alerts'] & {
	name: string | null;
	csm: string | null;
	plan: string | null;
	arr: number | null;
	renewal_date: string | null;
};

/** SQL of an alert row's SLA status at `now`. */
function slaStatusSql(now: string, dueSoonHours: number) {
	const t = sql`CAST(${now} AS TIMESTAMPTZ)::TIMESTAMP`;
	return sql<SlaStatus>`CASE
		WHEN al.responded_at IS NOT NULL THEN CASE WHEN al.responded_at <= al.due_at THEN 'met' ELSE 'breached' END
		WHEN al.state = 'resolved' THEN CASE WHEN al.breached_at IS NOT NULL OR al.resolved_at > al.due_at THEN 'breached' ELSE 'cleared' END
		WHEN al.due_at <= ${t} THEN 'breached'
		WHEN al.state = 'snoozed' THEN 'paused'
		WHEN al.due_at <= ${t} + to_microseconds(CAST(${dueSoonHours * 3600e6} AS BIGINT)) THEN 'due_soon'
		ELSE 'on_track' END`;
}

/** Reads alerts with their accounts and SLA status, and an alert's history. */
export class AlertsRepository {
	constructor(
		private readonly db: Kysely<Schema>,
		/** The instant SLA statuses are judged at (ISO), and how long before its due time an alert is "due soon". */
		private readonly now: string,
		private readonly dueSoonHours: number
	) {}

	private base(f: AlertFilters) {
		const conds = [sql`true`];
		if (f.state === 'unresolved') conds.push(sql`al.state <> 'resolved'`);
		else if (f.state) conds.push(sql`al.state = ${f.state}`);
		if (f.rule) conds.push(sql`al.rule = ${f.rule}`);
		if (f.account_id) conds.push(sql`al.account_id = ${f.account_id}`);
		if (f.csm) conds.push(sql`a.csm = ${f.csm}`);
		if (f.assignee) conds.push(sql`al.assignee = ${f.assignee}`);
		if (f.book) conds.push(sql`(a.csm IS NOT DISTINCT FROM ${f.book.csm} AND a.csm IS NOT NULL OR al.assignee = ${f.book.email})`);
		return sql`
			SELECT * FROM (
				SELECT al.*, a.name, a.csm, a.plan, a.arr, a.renewal_date, ${slaStatusSql(this.now, this.dueSoonHours)} AS sla_status
				FROM alerts al LEFT JOIN accounts a ON a.account_id = al.account_id
				WHERE ${sql.join(conds, sql` AND `)}
			) ${f.sla ? sql`WHERE sla_status = ${f.sla}` : sql``}`;
	}

	/** The alerts matching `f`: unresolved ones by due time, then resolved ones newest first; `limit` of them and how many match. */
	async list(f: AlertFilters, limit = 500): Promise<{ total: number; alerts: AlertView[] }> {
		const { rows } = await sql<Row & { sla_status: SlaStatus; total: number }>`
			SELECT *, count(*) OVER () AS total FROM (${this.base(f)})
			ORDER BY state = 'resolved', CASE WHEN state = 'resolved' THEN NULL ELSE due_at END, resolved_at DESC, alert_id
			LIMIT ${limit}`.execute(this.db);
		return { total: rows[0]?.total ?? 0, alerts: rows.map(view) };
	}

	/** One alert, or null. */
	async get(id: number): Promise<AlertView | null> {
		const { rows } = await sql<Row & { sla_status: SlaStatus }>`SELECT * FROM (${this.base({})}) WHERE alert_id = ${id}`.execute(this.db);
		return rows[0] ? view(rows[0]) : null;
	}

	/** An alert's history, oldest first. */
	async events(id: number): Promise<AlertEvent[]> {
		return this.db
			.selectFrom('alert_events')
			.select(['happened_at', 'kind', 'actor', 'text'])
			.where('alert_id', '=', id)
			.orderBy('happened_at')
			.execute();
	}

	/** Unresolved alerts per account, for the worklist: the count, the worst severity and the earliest due time. */
	async openByAccount(accounts: string[]): Promise<Map<string, { open: number; severity: string; due_at: string; sla: SlaStatus }>> {
		if (!accounts.length) return new Map();
		const { rows } = await sql<{ account_id: string; open: number; severity: string; due_at: string; sla: SlaStatus }>`
			SELECT account_id, count(*) AS open,
				CASE max(CASE severity WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END) WHEN 3 THEN 'high' WHEN 2 THEN 'medium' ELSE 'low' END AS severity,
				min(due_at) AS due_at, arg_min(sla_status, due_at) AS sla
			FROM (${this.base({ state: 'unresolved' })}) WHERE account_id IN (${sql.join(accounts)}) GROUP BY account_id`.execute(this.db);
		return new Map(rows.map(({ account_id, ...r }) => [account_id, r]));
	}

	/** The latest evaluations (every rule's run in each), newest first: what matched, opened, resolved, waited and was held back. */
	async evaluations(limit = 10): Promise<EvaluationRun[]> {
		const rows = await this.db
			.selectFrom('alert_evaluations')
			.select(['ran_at', 'as_of', 'clock', 'trigger', 'rule', 'matched', 'opened', 'resolved', 'waiting', 'suppressed', 'ms'])
			.where('ran_at', 'in', (eb) => eb.selectFrom('alert_evaluations').select('ran_at').distinct().orderBy('ran_at', 'desc').limit(limit))
			.orderBy('ran_at', 'desc')
			.execute();
		const out = new Map<string, EvaluationRun>();
		for (const { ran_at, as_of, clock, trigger, rule, ...r } of rows) {
			const e = out.get(ran_at) ?? { ran_at, as_of, clock, trigger, rules: {} };
			e.rules[rule] = r;
			out.set(ran_at, e);
		}
		return [...out.values()];
	}

	/** Unresolved alerts per rule. */
	async unresolvedByRule(): Promise<Map<string, number>> {
		const rows = await this.db
			.selectFrom('alerts')
			.select(['rule', (eb) => eb.fn.countAll<number>().as('n')])
			.where('state', '<>', 'resolved')
			.groupBy('rule')
			.execute();
		return new Map(rows.map((r) => [r.rule, Number(r.n)]));
	}

	/** The SLA view: per CSM (null: topic alerts), how many unresolved alerts are on track, due soon, paused or breached, and how many answered in the last `days` met their SLA. */
	async slaByCsm(
		days = 30
	): Promise<{ csm: string | null; on_track: number; due_soon: number; paused: number; breached: number; met: number; late: number }[]> {
		const { rows } = await sql<{
			csm: string | null;
			on_track: number;
			due_soon: number;
			paused: number;
			breached: number;
			met: number;
			late: number;
		}>`
			SELECT csm,
				count(*) FILTER (WHERE state <> 'resolved' AND sla_status = 'on_track') AS on_track,
				count(*) FILTER (WHERE state <> 'resolved' AND sla_status = 'due_soon') AS due_soon,
				count(*) FILTER (WHERE state <> 'resolved' AND sla_status = 'paused') AS paused,
				count(*) FILTER (WHERE state <> 'resolved' AND sla_status = 'breached' AND responded_at IS NULL) AS breached,
				count(*) FILTER (WHERE responded_at >= CAST(${this.now} AS TIMESTAMPTZ)::TIMESTAMP - to_days(${days}) AND sla_status = 'met') AS met,
				count(*) FILTER (WHERE responded_at >= CAST(${this.now} AS TIMESTAMPTZ)::TIMESTAMP - to_days(${days}) AND sla_status = 'breached') AS late
			FROM (${this.base({})}) GROUP BY csm ORDER BY breached DESC, due_soon DESC, csm NULLS LAST`.execute(this.db);
		return rows;
	}
}

function view(r: Row & { sla_status: SlaStatus }): AlertView {
	return {
		id: r.alert_id,
		rule: r.rule,
		account_id: r.account_id,
		topic: r.topic,
		state: r.state as AlertState,
		severity: r.severity,
		created_at: r.created_at,
		due_at: r.due_at,
		assignee: r.assignee,
		evidence: JSON.parse(r.evidence),
		version: r.version,
		account: r.account_id === null ? null : { name: r.name, csm: r.csm, plan: r.plan, arr: r.arr, renewal_date: r.renewal_date },
		sla: {
			status: r.sla_status,
			calendar: r.calendar,
			respond_hours: r.respond_hours,
			factor: r.sla_factor,
			reasons: JSON.parse(r.sla_reasons),
			responded_at: r.responded_at,
			breached_at: r.breached_at
		},
		snoozed_until: r.snoozed_until,
		acknowledged_at: r.acknowledged_at,
		acknowledged_by: r.acknowledged_by,
		resolved_at: r.resolved_at,
		resolved_by: r.resolved_by,
		outcome: r.outcome,
		resolution: r.resolution,
		updated_at: r.updated_at
	};
}
