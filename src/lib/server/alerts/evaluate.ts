/**
 * Evaluating the alert rules: each enabled rule finds the subjects whose condition holds (reads, outside
 * any transaction), then one transaction turns the findings into alerts, so an evaluation is all or
 * nothing:
 * - a subject whose condition has held for `openAfter` evaluations in a row and `openAfterHours` opens an
 *   alert, unless one is open for it already (one open alert per rule and subject: re-evaluating never
 *   duplicates) or a person resolved its alert while it held (then it waits for the condition to clear);
 * - an open alert whose condition has been clear for `resolveAfter` evaluations in a row is resolved, with
 *   the rule's note saying why ("First value reached on …");
 * - an open alert nobody has answered yet gets its due time recomputed when its SLA inputs changed (the
 *   account's health or renewal tightening it, its CSM's calendar);
 * - each rule's run is recorded in `alert_evaluations` (settings, matches, what opened, resolved, waited);
 * - the messages about the alerts it opened are written to the outbox (`notify/outbox.ts`).
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Config } from '../config/config.js';
import type { Database } from '../db/connection.js';
import { insertJson, type BulkType } from '../db/bulk.js';
import type { RuleCounts } from '../db/repositories/alerts.repository.js';
import type { Schema } from '../db/schema.js';
import { freshDerived } from '../derive/derived.js';
import { resolveRange } from '../metrics/filters.js';
import { dueFor, slaInputs, type SlaInputs } from './due.js';
import { RULE_IDS, subjectOf, type Finding, type RuleContext, type RuleId } from './rule.js';
import { RULES } from './rules/index.js';
import { enqueue } from '../notify/outbox.js';
import { nudge } from '../notify/worker.js';
import { calendarFor, tightening, type Span } from './sla.js';

/** A request that cannot be met as asked (a bad `--as-of`, an unknown alert), with the message to show. */
export class AlertError extends Error {
	constructor(
		message: string,
		readonly status: 400 | 404 | 409 = 400
	) {
		super(message);
	}
}

/** An evaluation time from `--as-of`: an ISO 8601 timestamp, or a date (its 00:00 UTC); now when not given. */
export function parseAsOf(value: string | undefined, now = Date.now()): string {
	if (value === undefined || value === '') return new Date(now).toISOString();
	const iso = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value;
	const t = /^\d{4}-\d{2}-\d{2}T/.test(iso) ? Date.parse(iso) : NaN;
	if (Number.isNaN(t)) throw new AlertError(`--as-of must be an ISO 8601 timestamp or a date YYYY-MM-DD, not '${value}'`);
	return new Date(t).toISOString();
}

export interface OpenedAlert {
	id: number;
	rule: RuleId;
	account_id: string | null;
	topic: string | null;
	severity: string;
	created_at: string;
	due_at: string;
}
export interface ResolvedAlert {
	id: number;
	rule: RuleId;
	account_id: string | null;
	topic: string | null;
}
/** One rule's part of an evaluation. */
export type RuleRun = { rule: RuleId } & RuleCounts;
/** What `adoption alerts evaluate --json` prints (PRODUCT.md's shape, plus the as-of, the clock and each rule's run). */
export interface EvaluationReport {
	as_of: string;
	clock: string;
	opened: OpenedAlert[];
	resolved: ResolvedAlert[];
	open: number;
	rules: RuleRun[];
}

export interface EvaluateOptions {
	/** `--as-of`: ISO timestamp or date; default now. */
	asOf?: string;
	/** What asked for the evaluation: `cli`, `schedule`, `load`, `score`… (recorded). */
	trigger?: string;
	/** Only these rules (default: every enabled one). */
	rules?: RuleId[];
}

type Found = { rule: RuleId; findings: Finding[]; ms: number };
type Condition = Schema['alert_conditions'];
type OpenAlert = Pick<
	Schema['alerts'],
	| 'alert_id'
	| 'fingerprint'
	| 'rule'
	| 'account_id'
	| 'topic'
	| 'created_at'
	| 'respond_hours'
	| 'responded_at'
	| 'pauses'
	| 'sla_factor'
	| 'calendar'
	| 'due_at'
>;

/** The columns bulk inserts write (see `db/bulk.ts`). */
const ALERT_COLUMNS: Record<string, BulkType> = {
	fingerprint: 'VARCHAR',
	rule: 'VARCHAR',
	account_id: 'VARCHAR',
	topic: 'VARCHAR',
	severity: 'VARCHAR',
	evidence: 'VARCHAR',
	state: 'VARCHAR',
	created_at: 'TIMESTAMP',
	respond_hours: 'DOUBLE',
	sla_factor: 'DOUBLE',
	sla_reasons: 'VARCHAR',
	calendar: 'VARCHAR',
	due_at: 'TIMESTAMP',
	pauses: 'VARCHAR',
	assignee: 'VARCHAR',
	version: 'INTEGER',
	updated_at: 'TIMESTAMP'
};
export const EVENT_COLUMNS: Record<string, BulkType> = {
	alert_id: 'BIGINT',
	happened_at: 'TIMESTAMP',
	kind: 'VARCHAR',
	actor: 'VARCHAR',
	text: 'VARCHAR',
	detail: 'VARCHAR'
};
const CONDITION_COLUMNS: Record<string, BulkType> = {
	fingerprint: 'VARCHAR',
	rule: 'VARCHAR',
	account_id: 'VARCHAR',
	topic: 'VARCHAR',
	held_from: 'INTEGER',
	cleared_from: 'INTEGER',
	since: 'TIMESTAMP',
	value: 'DOUBLE',
	evidence: 'VARCHAR',
	suppressed: 'BOOLEAN'
};

const fingerprint = (rule: RuleId, f: { account_id: string | null; topic: string | null }) => `${rule}:${subjectOf(f)}`;
const conflict = (err: unknown) => /conflict/i.test((err as Error).message ?? '');

/** Evaluates the enabled rules (see the module comment) and reports what opened and resolved. */
export async function evaluateAlerts(db: Database, config: Config, opts: EvaluateOptions = {}): Promise<EvaluationReport> {
	const asOf = parseAsOf(opts.asOf);
	const range = await resolveRange(db.kysely, {});
	const end = range.end_of_data ? new Date(Date.parse(range.end_of_data) + 1).toISOString() : null;
	const ctx: RuleContext = {
		db: db.kysely,
		config,
		asOf,
		clock: end !== null && end < asOf ? end : asOf,
		derived: await freshDerived(db.kysely, config)
	};

	const found: Found[] = [];
	for (const rule of opts.rules ?? RULE_IDS) {
		const settings = config.alerts.rules[rule];
		if (!settings.enabled) continue;
		const t0 = performance.now();
		const findings = await RULES[rule].find(ctx, settings as never);
		found.push({ rule, findings, ms: performance.now() - t0 });
	}
	// A person acting on an alert at the same moment makes DuckDB refuse one of the two writes: evaluate again.
	for (let attempt = 0; ; attempt++) {
		try {
			const report = await db.kysely.transaction().execute((trx) => apply(trx, ctx, found, opts.trigger ?? 'cli'));
			if (report.opened.length) nudge();
			return report;
		} catch (err) {
			if (attempt >= 3 || !conflict(err)) throw err;
		}
	}
}

async function apply(trx: Transaction<Schema>, ctx: RuleContext, found: Found[], trigger: string): Promise<EvaluationReport> {
	const { config, asOf } = ctx;
	const conds = new Map((await trx.selectFrom('alert_conditions').selectAll().execute()).map((c) => [c.fingerprint, c]));
	const open = await trx
		.selectFrom('alerts')
		.select([
			'alert_id',
			'fingerprint',
			'rule',
			'account_id',
			'topic',
			'created_at',
			'respond_hours',
			'responded_at',
			'pauses',
			'sla_factor',
			'calendar',
			'due_at'
		])
		.where('state', '<>', 'resolved')
		.execute();
	const openByFp = new Map(open.map((a) => [a.fingerprint, a]));

	const report: EvaluationReport = { as_of: asOf, clock: ctx.clock, opened: [], resolved: [], open: 0, rules: [] };
	/** Conditions to write (new or changed) and to delete, by fingerprint. */
	const write = new Map<string, Condition>();
	const drop = new Set<string>();
	const toOpen: { rule: RuleId; f: Finding }[] = [];
	const toResolve: { alert: OpenAlert; note: string }[] = [];
	const evaluated = new Set(found.map((x) => x.rule));
	// Each rule's evaluations are numbered; a streak is the ordinal it began at, so an unchanged subject needs no write.
	const ordinals = new Map(
		(
			await trx
				.selectFrom('alert_evaluations')
				.select(['rule', (eb) => eb.fn.countAll<number>().as('n')])
				.groupBy('rule')
				.execute()
		).map((r) => [r.rule, Number(r.n) + 1])
	);

	for (const { rule, findings, ms } of found) {
		const s = config.alerts.rules[rule];
		const k = ordinals.get(rule) ?? 1;
		const run: RuleRun = { rule, matched: findings.length, opened: 0, resolved: 0, waiting: 0, suppressed: 0, ms: Math.round(ms) };
		const matched = new Set<string>();
		for (const f of findings) {
			const fp = fingerprint(rule, f);
			matched.add(fp);
			const c = conds.get(fp);
			const holding = c !== undefined && c.held_from !== null;
			const evidence = JSON.stringify(f.evidence);
			const next: Condition = {
				fingerprint: fp,
				rule,
				account_id: f.account_id,
				topic: f.topic,
				held_from: holding ? c.held_from : k,
				cleared_from: null,
				since: holding ? c.since : asOf,
				value: f.value,
				evidence,
				suppressed: (c?.suppressed ?? false) && !openByFp.has(fp)
			};
			if (!c || !holding || c.cleared_from !== null || c.evidence !== evidence || c.value !== f.value || c.suppressed !== next.suppressed)
				write.set(fp, next);
			if (openByFp.has(fp)) continue;
			const held = k - next.held_from! + 1;
			if (next.suppressed) run.suppressed++;
			else if (held >= s.openAfter && Date.parse(asOf) - Date.parse(next.since!) >= s.openAfterHours * 3_600_000) {
				toOpen.push({ rule, f });
				run.opened++;
			} else run.waiting++;
		}
		const clearing: OpenAlert[] = [];
		// Subjects that held before (or have an alert open) and do not now.
		const before = new Set([
			...[...conds.values()].filter((c) => c.rule === rule).map((c) => c.fingerprint),
			...open.filter((a) => a.rule === rule).map((a) => a.fingerprint)
		]);
		for (const fp of before) {
			if (matched.has(fp)) continue;
			const c = conds.get(fp);
			const alert = openByFp.get(fp);
			// Nothing open: the subject is simply forgotten.
			if (!alert) {
				drop.add(fp);
				continue;
			}
			const from = c?.cleared_from ?? k;
			if (k - from + 1 >= s.resolveAfter) {
				clearing.push(alert);
				drop.add(fp);
			} else if (c?.cleared_from !== from)
				write.set(fp, { ...(c ?? newCondition(alert)), held_from: null, since: null, cleared_from: from });
		}
		if (clearing.length) {
			const notes = (await RULES[rule].cleared?.(ctx, s as never, clearing.map(subjectOf))) ?? new Map<string, string>();
			for (const alert of clearing) toResolve.push({ alert, note: notes.get(subjectOf(alert)) ?? 'The condition no longer holds.' });
			run.resolved = clearing.length;
		}
		report.rules.push(run);
	}

	// SLA inputs of the accounts of new alerts and of open alerts still waiting for an answer.
	const unanswered = open.filter((a) => a.responded_at === null && !toResolve.some((r) => r.alert.alert_id === a.alert_id));
	const accounts = [
		...new Set([...toOpen.map((o) => o.f.account_id), ...unanswered.map((a) => a.account_id)].filter((a): a is string => a !== null))
	];
	const inputs = accounts.length ? await slaInputs(trx, accounts, asOf) : new Map<string, SlaInputs>();
	const inputsOf = (account: string | null) => (account === null ? null : (inputs.get(account) ?? null));

	const rows = toOpen.map(({ rule, f }) => {
		const s = config.alerts.rules[rule];
		const due = dueFor(config.sla, asOf, s.respondWithinHours, inputsOf(f.account_id));
		return {
			fingerprint: fingerprint(rule, f),
			rule,
			account_id: f.account_id,
			topic: f.topic,
			severity: s.severity,
			evidence: JSON.stringify(f.evidence),
			state: 'open',
			created_at: asOf,
			respond_hours: s.respondWithinHours,
			sla_factor: due.factor,
			sla_reasons: JSON.stringify(due.reasons),
			calendar: due.calendar,
			due_at: due.due_at,
			pauses: '[]',
			assignee: inputsOf(f.account_id)?.person ?? null,
			version: 1,
			updated_at: asOf,
			summary: f.evidence.summary
		};
	});
	const made = await insertJson<Pick<Schema['alerts'], 'alert_id' | 'fingerprint' | 'due_at'>>(trx, 'alerts', ALERT_COLUMNS, rows, {
		sequence: { column: 'alert_id', name: 'alert_id_seq' },
		returning: ['alert_id', 'fingerprint', 'due_at']
	});
	const opened = new Map(rows.map((r) => [r.fingerprint, r]));
	await insertJson(
		trx,
		'alert_events',
		EVENT_COLUMNS,
		made.map((a) => ({
			alert_id: a.alert_id,
			happened_at: asOf,
			kind: 'opened',
			actor: null,
			text: opened.get(a.fingerprint)!.summary,
			detail: null
		}))
	);
	// Their messages, in the same transaction: an alert is never without them, nor they without it.
	await enqueue(
		trx,
		config,
		made.map((a) => ({ alert_id: a.alert_id, event: 'opened' as const })),
		new Date().toISOString()
	);
	for (const a of made.sort((x, y) => x.alert_id - y.alert_id)) {
		const r = opened.get(a.fingerprint)!;
		report.opened.push({
			id: a.alert_id,
			rule: r.rule,
			account_id: r.account_id,
			topic: r.topic,
			severity: r.severity,
			created_at: asOf,
			due_at: a.due_at
		});
	}

	for (const { alert, note } of toResolve) {
		await trx
			.updateTable('alerts')
			.set({
				state: 'resolved',
				resolved_at: asOf,
				resolved_by: null,
				outcome: 'cleared',
				resolution: note,
				snoozed_until: null,
				version: sql`version + 1`,
				updated_at: asOf
			})
			.where('alert_id', '=', alert.alert_id)
			.execute();
		await trx
			.insertInto('alert_events')
			.values({ alert_id: alert.alert_id, happened_at: asOf, kind: 'resolved', actor: null, text: note, detail: null })
			.execute();
		report.resolved.push({ id: alert.alert_id, rule: alert.rule as RuleId, account_id: alert.account_id, topic: alert.topic });
	}

	// Due times follow the SLA inputs until someone answers.
	for (const a of unanswered) {
		if (!evaluated.has(a.rule as RuleId)) continue;
		// The due time changes only with the calendar or the tightening; computing those is cheap, the time is not.
		const input = inputsOf(a.account_id);
		const t = input ? tightening(input.health, input.days_to_renewal, config.sla.tighten) : { factor: 1 };
		if (t.factor === a.sla_factor && calendarFor(config.sla, input?.csm ?? null, input?.person ?? null).name === a.calendar) continue;
		const due = dueFor(config.sla, a.created_at, a.respond_hours, input, JSON.parse(a.pauses) as Span[]);
		if (due.due_at === a.due_at && due.calendar === a.calendar) continue;
		await trx
			.updateTable('alerts')
			.set({
				due_at: due.due_at,
				sla_factor: due.factor,
				sla_reasons: JSON.stringify(due.reasons),
				calendar: due.calendar,
				version: sql`version + 1`,
				updated_at: asOf
			})
			.where('alert_id', '=', a.alert_id)
			.execute();
		const why = due.reasons.length ? `tightened ×${due.factor}: ${due.reasons.join('; ')}` : 'no longer tightened';
		await trx
			.insertInto('alert_events')
			.values({
				alert_id: a.alert_id,
				happened_at: asOf,
				kind: 'due_changed',
				actor: null,
				text: `Due ${utc(due.due_at)} (was ${utc(a.due_at)}): ${why}.`,
				detail: JSON.stringify({ from: a.due_at, to: due.due_at })
			})
			.execute();
	}

	const gone = [...drop, ...write.keys()];
	for (let i = 0; i < gone.length; i += 1000)
		await trx
			.deleteFrom('alert_conditions')
			.where('fingerprint', 'in', gone.slice(i, i + 1000))
			.execute();
	await insertJson(trx, 'alert_conditions', CONDITION_COLUMNS, [...write.values()]);
	if (report.rules.length) {
		await trx
			.insertInto('alert_evaluations')
			.values(
				report.rules.map((r) => ({
					evaluation_id: sql<number>`nextval('evaluation_id_seq')`,
					rule: r.rule,
					as_of: asOf,
					clock: ctx.clock,
					ran_at: sql<string>`now()::TIMESTAMP`,
					trigger,
					settings: JSON.stringify(config.alerts.rules[r.rule]),
					matched: r.matched,
					opened: r.opened,
					resolved: r.resolved,
					waiting: r.waiting,
					suppressed: r.suppressed,
					ms: r.ms
				}))
			)
			.execute();
	}
	report.open = await countOpen(trx);
	return report;
}

function newCondition(a: OpenAlert): Condition {
	return {
		fingerprint: a.fingerprint,
		rule: a.rule,
		account_id: a.account_id,
		topic: a.topic,
		held_from: null,
		cleared_from: null,
		since: null,
		value: null,
		evidence: null,
		suppressed: false
	};
}

/** An instant as a reader wants it in a history line: `2026-12-02 13:24 UTC`. */
const utc = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

/** How many alerts are not resolved. */
export async function countOpen(db: Kysely<Schema>): Promise<number> {
	const r = await db
		.selectFrom('alerts')
		.select((eb) => eb.fn.countAll<number>().as('n'))
		.where('state', '<>', 'resolved')
		.executeTakeFirst();
	return Number(r?.n ?? 0);
}
