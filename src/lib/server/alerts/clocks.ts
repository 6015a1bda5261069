/**
 * The SLA clocks as time passes (the server runs this every minute, and after each evaluation): snoozes
 * that have run out wake their alerts; an alert nobody has answered gets a "due soon" record
 * `sla.dueSoonHours` before its due time and a "breached" record at it. Each record is written once, in
 * its alert's history, with its messages in the outbox (the answerer hears "due soon", the managers of a
 * breach), so the SLA view and the notifications read the same facts.
 */
import { sql } from 'kysely';
import type { Config } from '../config/config.js';
import type { Database } from '../db/connection.js';
import { dueWith } from './due.js';
import { enqueue } from '../notify/outbox.js';
import type { Span } from './sla.js';

export interface ClockTick {
	woken: number[];
	due_soon: number[];
	breached: number[];
}

/** Moves the clocks to `now` (ISO); resolves with the alerts each kind of record was written for. */
export async function tickAlerts(db: Database, config: Config, now = new Date().toISOString()): Promise<ClockTick> {
	return db.kysely.transaction().execute(async (trx) => {
		const woke = await trx.selectFrom('alerts').selectAll().where('state', '=', 'snoozed').where('snoozed_until', '<=', now).execute();
		for (const a of woke) {
			const state = a.acknowledged_at ? 'acknowledged' : 'open';
			const due = a.responded_at === null ? { due_at: dueWith(config, a, JSON.parse(a.pauses) as Span[]) } : {};
			await trx
				.updateTable('alerts')
				.set({ state, snoozed_until: null, ...due, version: sql`version + 1`, updated_at: now })
				.where('alert_id', '=', a.alert_id)
				.execute();
			await trx
				.insertInto('alert_events')
				.values({
					alert_id: a.alert_id,
					happened_at: a.snoozed_until!,
					kind: 'woken',
					actor: null,
					text: `The snooze ended; back to ${state}.`,
					detail: null
				})
				.execute();
		}
		// Records, not changes a person acts on: the version stays, so nobody's action is refused for them.
		const breached = await trx
			.updateTable('alerts')
			.set({ breached_at: sql`due_at` })
			.where('state', '<>', 'resolved')
			.where('responded_at', 'is', null)
			.where('breached_at', 'is', null)
			.where('due_at', '<=', now)
			.returning(['alert_id', 'due_at'])
			.execute();
		const soon = await trx
			.updateTable('alerts')
			.set({ due_soon_at: now })
			.where('state', 'in', ['open', 'acknowledged'])
			.where('responded_at', 'is', null)
			.where('due_soon_at', 'is', null)
			.where('breached_at', 'is', null)
			.where(
				sql<boolean>`due_at - to_microseconds(CAST(${config.sla.dueSoonHours * 3600e6} AS BIGINT)) <= CAST(${now} AS TIMESTAMPTZ)::TIMESTAMP`
			)
			.returning(['alert_id', 'due_at'])
			.execute();
		const events = [
			...breached.map((a) => ({
				alert_id: a.alert_id,
				happened_at: a.due_at,
				kind: 'breached',
				actor: null,
				text: `Not answered by ${a.due_at.slice(0, 16).replace('T', ' ')} UTC: the SLA is breached.`,
				detail: null
			})),
			...soon.map((a) => ({
				alert_id: a.alert_id,
				happened_at: now,
				kind: 'due_soon',
				actor: null,
				text: `Due at ${a.due_at.slice(0, 16).replace('T', ' ')} UTC.`,
				detail: null
			}))
		];
		if (events.length) await trx.insertInto('alert_events').values(events).execute();
		await enqueue(
			trx,
			config,
			[
				...soon.map((a) => ({ alert_id: a.alert_id, event: 'due_soon' as const })),
				...breached.map((a) => ({ alert_id: a.alert_id, event: 'breached' as const }))
			],
			now
		);
		return { woken: woke.map((a) => a.alert_id), due_soon: soon.map((a) => a.alert_id), breached: breached.map((a) => a.alert_id) };
	});
}
