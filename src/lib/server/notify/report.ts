/**
 * What a leader sees of the notifications: messages by state, the dead ones with why (to fix a channel and
 * send them again), and per rule how many of the people it messaged opted out (notification fatigue).
 */
import { sql, type Kysely } from 'kysely';
import { audit, type Actor } from '../auth/audit.js';
import type { Schema } from '../db/schema.js';

export interface NotifyReport {
	states: Record<string, number>;
	dead: {
		message_id: number;
		alert_id: number | null;
		channel: string;
		recipient: string;
		subject: string;
		attempts: number;
		last_error: string | null;
		created_at: string;
	}[];
	/** Per rule: distinct recipients sent its messages in the last 90 days, and how many of them opted out of it (or of everything). */
	optouts: Record<string, { recipients: number; opted_out: number; rate: number | null }>;
}

export async function notifyReport(db: Kysely<Schema>): Promise<NotifyReport> {
	const states = await db
		.selectFrom('outbox')
		.select(['state', (eb) => eb.fn.countAll<number>().as('n')])
		.groupBy('state')
		.execute();
	const dead = await db
		.selectFrom('outbox')
		.select(['message_id', 'alert_id', 'channel', 'recipient', 'subject', 'attempts', 'last_error', 'created_at'])
		.where('state', '=', 'dead')
		.orderBy('message_id', 'desc')
		.limit(50)
		.execute();
	const { rows } = await sql<{ rule: string; recipients: number; opted_out: number }>`
		SELECT o.rule, count(DISTINCT o.channel || '|' || o.recipient) AS recipients,
			count(DISTINCT o.channel || '|' || o.recipient) FILTER (WHERE EXISTS (
				SELECT 1 FROM notification_optouts x WHERE x.recipient = o.recipient AND x.channel = o.channel AND (x.rule IS NULL OR x.rule = o.rule))) AS opted_out
		FROM outbox o WHERE o.rule IS NOT NULL AND o.state IN ('sent', 'skipped', 'held', 'digested')
			AND o.created_at > now()::TIMESTAMP - INTERVAL 90 DAY
		GROUP BY o.rule`.execute(db);
	return {
		states: Object.fromEntries(states.map((s) => [s.state, Number(s.n)])),
		dead,
		optouts: Object.fromEntries(
			rows.map((r) => [
				r.rule,
				{ recipients: r.recipients, opted_out: r.opted_out, rate: r.recipients ? r.opted_out / r.recipients : null }
			])
		)
	};
}

/** Sends a dead message again (after its channel was fixed): pending now, attempts from zero. False if it is not dead. */
export async function retryDead(db: Kysely<Schema>, id: number, by: Actor): Promise<boolean> {
	return db.transaction().execute(async (trx) => {
		const r = await trx
			.updateTable('outbox')
			.set({ state: 'pending', attempts: 0, next_attempt_at: sql<string>`now()::TIMESTAMP`, last_error: null })
			.where('message_id', '=', id)
			.where('state', '=', 'dead')
			.executeTakeFirst();
		if (Number(r.numUpdatedRows) !== 1) return false;
		await audit(trx, by, { action: 'notify.retry', object: `message:${id}` });
		return true;
	});
}
