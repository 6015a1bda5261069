/**
 * What people do with an alert: acknowledge it, assign it, snooze it until a time, resolve it with an
 * outcome, add a note. Each action names the version of the alert it was made on: if the alert changed
 * since (another person acted, an evaluation resolved it), the action is refused with 409 and the alert as
 * it is now, so nothing is silently overwritten. Each is one transaction with its history entry and its
 * audit row. Who may act: leaders on any alert; a CSM on the alerts of their own book (accounts whose
 * `csm` is theirs, or alerts assigned to them); an analyst on topic alerts (product gaps), which are
 * analysis work; nobody else.
 */
import { sql, type Transaction } from 'kysely';
import { z } from 'zod';
import { audit, type Actor } from '../auth/audit.js';
import type { Principal } from '../auth/policy.js';
import type { Config } from '../config/config.js';
import type { Database } from '../db/connection.js';
import { AlertsRepository, type AlertView } from '../db/repositories/alerts.repository.js';
import type { Schema } from '../db/schema.js';
import { dueWith } from './due.js';
import type { Span } from './sla.js';

/** Why an action cannot be done, with its HTTP status; a 409 carries the alert as it is now. */
export class AlertActionError extends Error {
	constructor(
		message: string,
		readonly status: 400 | 403 | 404 | 409,
		readonly current: AlertView | null = null
	) {
		super(message);
	}
}

export const OUTCOMES = ['saved', 'churned', 'false_alarm', 'other'] as const;
const MAX_SNOOZE_DAYS = 30;
const version = z.number().int().min(1);
const text = z.string().trim().min(1, 'must not be empty').max(2000, 'must be at most 2,000 characters');

/** An action as `POST /api/alerts/ID` and the page's forms send it. */
export const alertActionSchema = z.discriminatedUnion('action', [
	z.object({ action: z.literal('acknowledge'), version }).strict(),
	z
		.object({
			action: z.literal('assign'),
			assignee: z.string().trim().toLowerCase().email('must be the email of a person here').nullable(),
			version
		})
		.strict(),
	z
		.object({
			action: z.literal('snooze'),
			until: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 time such as 2026-12-03T09:00:00Z' }),
			version
		})
		.strict(),
	z.object({ action: z.literal('resolve'), outcome: z.enum(OUTCOMES), note: text.optional(), version }).strict(),
	z.object({ action: z.literal('note'), text, version }).strict()
]);
export type AlertAction = z.infer<typeof alertActionSchema>;

/** Checks an action; the error names the field (`until: must be …`). */
export function parseAlertAction(raw: unknown): AlertAction {
	const r = alertActionSchema.safeParse(raw);
	if (r.success) return r.data;
	const issue = r.error.issues[0];
	const field = issue.path.join('.') || 'action';
	const message =
		field === 'action' && issue.code === 'invalid_union' ? `must be one of acknowledge, assign, snooze, resolve, note` : issue.message;
	throw new AlertActionError(`${field}: ${message}`, 400);
}

/** Whether `p` may act on `alert`: null if so, else why not. */
export function mayAct(p: Principal, alert: AlertView): string | null {
	if (p.role === 'leader') return null;
	if (p.kind !== 'person') return 'Only leaders act on alerts here.';
	if (p.role === 'analyst')
		return alert.topic !== null ? null : 'Analysts act on product-gap (topic) alerts only; account alerts belong to their CSM.';
	const own = (p.csm !== null && alert.account?.csm === p.csm) || alert.assignee === p.email;
	return own ? null : "A CSM acts on their own book's alerts only (accounts whose CSM is you, or alerts assigned to you).";
}

type Alert = Schema['alerts'];

/**
 * Does `action` on alert `id` as `principal` (`by` in the history and the audit log) at `now`; resolves
 * with the alert as it is after the action.
 */
export async function actOnAlert(
	db: Database,
	config: Config,
	id: number,
	action: AlertAction,
	principal: Principal,
	by: Actor,
	now = new Date().toISOString()
): Promise<AlertView> {
	// Two writers on one row at once: DuckDB refuses the second while the first has not committed yet. Trying
	// again shortly after meets the first's result (its new version: a 409 with the alert as it is now) or,
	// had it rolled back, succeeds.
	for (let attempt = 0; ; attempt++) {
		try {
			return await actOnce({ db, config, id, action, principal, by, now });
		} catch (err) {
			if (err instanceof AlertActionError || !/conflict/i.test((err as Error).message) || attempt >= 20) throw err;
			await new Promise((r) => setTimeout(r, 10 + 10 * attempt));
		}
	}
}

async function actOnce(req: {
	db: Database;
	config: Config;
	id: number;
	action: AlertAction;
	principal: Principal;
	by: Actor;
	now: string;
}): Promise<AlertView> {
	const { db, config, id, action, principal, by, now } = req;
	const repo = new AlertsRepository(db.kysely, now, config.sla.dueSoonHours);
	const current = await repo.get(id);
	if (!current) throw new AlertActionError(`There is no alert ${id}.`, 404);
	const refused = mayAct(principal, current);
	if (refused) throw new AlertActionError(refused, 403);
	const stale = (seen: AlertView) =>
		new AlertActionError(
			`Alert ${id} changed since you saw it (version ${action.version}, now ${seen.version}); look again and retry.`,
			409,
			seen
		);
	if (current.version !== action.version) throw stale(current);
	if (current.state === 'resolved' && action.action !== 'note')
		throw new AlertActionError(`Alert ${id} is resolved; only notes can be added.`, 409, current);

	// Someone else's change committed between the read above and this transaction: 409 with the alert as it is now.
	const changed = new Error('changed meanwhile');
	try {
		await write();
	} catch (err) {
		if (err === changed) throw stale((await repo.get(id))!);
		throw err;
	}
	return (await repo.get(id))!;

	async function write() {
		await db.kysely.transaction().execute(async (trx) => {
			const row = await trx.selectFrom('alerts').selectAll().where('alert_id', '=', id).executeTakeFirstOrThrow();
			if (row.version !== action.version) throw changed;
			const change = await changeFor(trx, config, row, action, by.actor, now);
			const done = await trx
				.updateTable('alerts')
				.set({ ...change.set, version: sql`version + 1`, updated_at: now })
				.where('alert_id', '=', id)
				.where('version', '=', action.version)
				.executeTakeFirst();
			if (Number(done.numUpdatedRows) !== 1) throw changed;
			await trx
				.insertInto('alert_events')
				.values({ alert_id: id, happened_at: now, kind: change.event, actor: by.actor, text: change.text, detail: null })
				.execute();
			// A person resolving an alert whose condition still holds: it stays quiet until the condition clears.
			if (action.action === 'resolve')
				await trx
					.updateTable('alert_conditions')
					.set({ suppressed: true })
					.where('fingerprint', '=', row.fingerprint)
					.where('held_from', 'is not', null)
					.execute();
			await audit(trx, by, {
				action: `alert.${action.action}`,
				object: `alert:${id}`,
				before: { state: row.state, assignee: row.assignee, version: row.version },
				after: { ...change.set, ...(change.text ? { text: change.text } : {}), version: row.version + 1 }
			});
		});
	}
}

interface Change {
	set: Partial<Omit<Alert, 'version' | 'updated_at'>>;
	event: string;
	text: string | null;
}

/** The columns an action changes, and its history entry. */
async function changeFor(
	trx: Transaction<Schema>,
	config: Config,
	row: Alert,
	action: AlertAction,
	actor: string,
	now: string
): Promise<Change> {
	const responded = row.responded_at ?? now;
	switch (action.action) {
		case 'acknowledge':
			return {
				set: {
					state: 'acknowledged',
					acknowledged_at: row.acknowledged_at ?? now,
					acknowledged_by: row.acknowledged_by ?? actor,
					responded_at: responded,
					...wake(config, row, now)
				},
				event: 'acknowledged',
				text: null
			};
		case 'assign': {
			if (action.assignee !== null) {
				const person = await trx.selectFrom('people').select(['email', 'active']).where('email', '=', action.assignee).executeTakeFirst();
				if (!person?.active)
					throw new AlertActionError(`assignee: ${action.assignee} is not an active person here (adoption user list)`, 400);
			}
			return {
				set: { assignee: action.assignee },
				event: 'assigned',
				text: action.assignee ? `Assigned to ${action.assignee}.` : 'Unassigned.'
			};
		}
		case 'snooze': {
			const until = new Date(action.until).toISOString();
			if (until <= now) throw new AlertActionError('until: must be in the future', 400);
			if (Date.parse(until) - Date.parse(now) > MAX_SNOOZE_DAYS * 86_400_000)
				throw new AlertActionError(`until: must be within ${MAX_SNOOZE_DAYS} days`, 400);
			const pauses = [...openPauses(row, now), [Date.parse(now), Date.parse(until)] as Span];
			return {
				set: { state: 'snoozed', snoozed_until: until, pauses: JSON.stringify(pauses), ...redue(config, row, pauses) },
				event: 'snoozed',
				text: `Snoozed until ${until.slice(0, 16).replace('T', ' ')} UTC.`
			};
		}
		case 'resolve':
			return {
				set: {
					state: 'resolved',
					resolved_at: now,
					resolved_by: actor,
					outcome: action.outcome,
					resolution: action.note ?? null,
					responded_at: responded,
					snoozed_until: null,
					pauses: JSON.stringify(openPauses(row, now))
				},
				event: 'resolved',
				text: `Resolved: ${action.outcome.replace('_', ' ')}${action.note ? `. ${action.note}` : '.'}`
			};
		case 'note':
			return { set: { responded_at: responded }, event: 'noted', text: action.text };
	}
}

/** The snoozed spans, the running one (if any) ended at `now`. */
function openPauses(row: Alert, now: string): Span[] {
	const t = Date.parse(now);
	return (JSON.parse(row.pauses) as Span[]).map(([s, e]): Span => [s, Math.min(e, Math.max(s, t))]);
}

/** An action that ends a snooze early: back to work, the pause cut at `now` and the due time with it. */
function wake(config: Config, row: Alert, now: string): Partial<Alert> {
	if (row.state !== 'snoozed') return {};
	const pauses = openPauses(row, now);
	return { snoozed_until: null, pauses: JSON.stringify(pauses), ...redue(config, row, pauses) };
}

/** The due time of an alert nobody has answered yet, with `pauses` (its calendar and tightening as they were); an answered alert's SLA is settled. */
function redue(config: Config, row: Alert, pauses: Span[]): Partial<Alert> {
	if (row.responded_at !== null) return {};
	return { due_at: dueWith(config, row, pauses) };
}
