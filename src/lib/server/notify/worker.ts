/**
 * The outbox worker, in the server: every few seconds (and at once after a change wrote messages) it takes
 * the pending messages that are due, each under a lease, and delivers them one by one. Delivered: `sent`.
 * Failed for good (a 4xx other than 408/429, a bad address): `dead` at once. Failed for now: tried again
 * after an exponential backoff with jitter (`backoffSeconds` doubling up to `maxBackoffSeconds`, each wait
 * drawn between half and all of it, so retries after an outage do not arrive together; longer if the
 * receiver said `Retry-After`), and `dead` after `maxAttempts`. A message whose lease ran out (the server
 * died while sending) is pending again: at least once, and the idempotency key (the webhook's
 * `Idempotency-Key` header, the email's Message-ID) lets a receiver drop a repeat.
 */
import { sql } from 'kysely';
import { loadConfig, type Config } from '../config/config.js';
import type { Database } from '../db/connection.js';
import type { Schema } from '../db/schema.js';
import { sendEmail } from './channels/smtp.js';
import { sendWebhook } from './channels/webhook.js';
import type { Delivery, OutgoingMessage } from './channels/delivery.js';
import { baseUrl, digestHeld, LINK_BASE } from './outbox.js';

const LEASE_MS = 120_000;
const BATCH = 50;
const CONCURRENCY = 4;

/** The wait before attempt `attempts + 1`: full doubling from `backoffSeconds`, capped, drawn from its upper half. */
export function backoffMs(attempts: number, n: Config['notify'], random = Math.random): number {
	const cap = Math.min(n.maxBackoffSeconds, n.backoffSeconds * 2 ** Math.max(0, attempts - 1)) * 1000;
	return Math.round(cap / 2 + (random() * cap) / 2);
}

export interface WorkerRun {
	sent: number;
	retrying: number;
	dead: number;
	digests: number;
}

/** Delivers one message on its channel. */
async function deliver(config: Config, m: Schema['outbox']): Promise<Delivery> {
	const base = baseUrl(config);
	const linked = (s: string) => s.replaceAll(LINK_BASE, base);
	const payload = linked(m.payload);
	const out: OutgoingMessage = {
		idempotency_key: m.idempotency_key,
		recipient: m.recipient,
		subject: m.subject,
		body: linked(m.body),
		payload,
		optout: m.channel === 'email' ? ((JSON.parse(payload) as { optout?: string }).optout ?? null) : null
	};
	if (m.channel === 'webhook') {
		if (!config.notify.webhook) return { ok: false, permanent: false, error: 'no webhook is configured (notify.webhook)' };
		return sendWebhook(config.notify.webhook, out);
	}
	if (!config.notify.email) return { ok: false, permanent: false, error: 'no SMTP server is configured (notify.email)' };
	return sendEmail(config.notify.email, out);
}

/**
 * One pass at `now`: leases that ran out released, held messages digested, then the due pending messages
 * delivered. Resolves with what happened.
 */
export async function deliverDue(db: Database, config: Config, now = new Date().toISOString(), random = Math.random): Promise<WorkerRun> {
	const run: WorkerRun = { sent: 0, retrying: 0, dead: 0, digests: 0 };
	await db.kysely
		.updateTable('outbox')
		.set({ state: 'pending', lease_until: null })
		.where('state', '=', 'sending')
		.where('lease_until', '<', now)
		.execute();
	run.digests = await db.kysely.transaction().execute((trx) => digestHeld(trx, config, now));
	for (;;) {
		const claimed = await db.kysely.transaction().execute(async (trx) => {
			const due = await trx
				.selectFrom('outbox')
				.select('message_id')
				.where('state', '=', 'pending')
				.where('next_attempt_at', '<=', now)
				.orderBy('next_attempt_at')
				.orderBy('message_id')
				.limit(BATCH)
				.execute();
			if (!due.length) return [];
			return trx
				.updateTable('outbox')
				.set({ state: 'sending', attempts: sql`attempts + 1`, lease_until: new Date(Date.parse(now) + LEASE_MS).toISOString() })
				.where(
					'message_id',
					'in',
					due.map((d) => d.message_id)
				)
				.returningAll()
				.execute();
		});
		if (!claimed.length) return run;
		// A few at a time, so one slow receiver does not hold up the rest; delivered ones recorded together.
		const sent: number[] = [];
		for (let i = 0; i < claimed.length; i += CONCURRENCY) {
			const part = claimed.slice(i, i + CONCURRENCY);
			const results = await Promise.all(part.map((m) => deliver(config, m)));
			for (const [j, d] of results.entries()) {
				const m = part[j];
				if (d.ok) sent.push(m.message_id);
				else if (d.permanent || m.attempts >= config.notify.maxAttempts) {
					await db.kysely
						.updateTable('outbox')
						.set({ state: 'dead', lease_until: null, last_error: d.error })
						.where('message_id', '=', m.message_id)
						.execute();
					run.dead++;
				} else {
					const wait = Math.max(backoffMs(m.attempts, config.notify, random), d.retryAfterMs ?? 0);
					await db.kysely
						.updateTable('outbox')
						.set({
							state: 'pending',
							lease_until: null,
							last_error: d.error,
							next_attempt_at: new Date(Date.parse(now) + wait).toISOString()
						})
						.where('message_id', '=', m.message_id)
						.execute();
					run.retrying++;
				}
			}
		}
		if (sent.length) {
			await db.kysely
				.updateTable('outbox')
				.set({ state: 'sent', sent_at: new Date().toISOString(), lease_until: null, last_error: null })
				.where('message_id', 'in', sent)
				.execute();
			run.sent += sent.length;
		}
	}
}

/** Runs the worker in the server every `everyMs` (and when {@link nudge}d); returns a function that stops it. */
export function startOutboxWorker(db: Database, everyMs = 5_000): () => void {
	let busy = false;
	let again = false;
	const tick = async () => {
		if (busy) {
			again = true;
			return;
		}
		busy = true;
		try {
			do {
				again = false;
				await deliverDue(db, loadConfig());
			} while (again);
		} catch {
			// A config error or a busy row: the next tick tries again; messages wait in the outbox meanwhile.
		} finally {
			busy = false;
		}
	};
	const timer = setInterval(() => void tick(), everyMs);
	timer.unref();
	nudger = () => void tick();
	return () => {
		clearInterval(timer);
		nudger = null;
	};
}

let nudger: (() => void) | null = null;

/** Asks the running worker (if any) to look at the outbox now: a change has just written messages. */
export function nudge(): void {
	nudger?.();
}
