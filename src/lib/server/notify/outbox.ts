/**
 * The durable outbox. A change to an alert that someone should hear about (opened, due soon, breached)
 * writes its messages here in the same transaction as the change, so a change is never without its
 * messages and a rolled-back change sends none. Each message has an idempotency key (alert, event,
 * channel, recipient): writing it twice keeps one. On the way in:
 * - who: the rule's audiences (`alerts.rules.*.notify`): `csm` is the alert's assignee, else the account's
 *   CSM if they sign in here, else the managers; `manager` is `notify.managers`, else every active leader;
 *   `product` is the webhook channel. Email goes to people; a kind of recipient with no channel configured
 *   falls back to the other channel; `customer` is a nudge by email to the account's admin, only when the
 *   next step has a link (see {@link nudges});
 * - opted out: kept as `skipped`, so the record shows it was not sent and why;
 * - frequency caps: past `caps.perAccountPerDay` messages about one account to one recipient, or
 *   `caps.perRecipientPerDay` to one recipient, in the last 24 hours, a message is `held` for the
 *   recipient's digest (see {@link digestHeld});
 * - quiet hours: an email to a person waits for their calendar's next working time.
 * The worker (`worker.ts`) delivers what is `pending` and due.
 */
import { sql, type Transaction } from 'kysely';
import { learnedSteps, nextStepFor, type LearnedSteps } from '../alerts/next-step.js';
import { freshDerived } from '../derive/derived.js';
import { RULES } from '../alerts/rules/index.js';
import type { RuleId } from '../alerts/rule.js';
import { calendarFor, nextWorkingTime } from '../alerts/sla.js';
import type { Config } from '../config/config.js';
import { insertJson, type BulkType } from '../db/bulk.js';
import type { Schema } from '../db/schema.js';
import { optedOut, optoutKey, optoutKeys, optoutUrl } from './optout.js';
import { compose, composeDigest, composeNudge, type Composed, type MessageAlert, type NoticeEvent } from './templates.js';

export type Channel = 'email' | 'webhook';
/** The recipient of webhook messages: the one configured channel. */
export const WEBHOOK = 'webhook';

/** A message as it is written: the outbox row but its id, which the sequence gives. */
type Message = Omit<Schema['outbox'], 'message_id'>;
const SEQUENCE = { column: 'message_id', name: 'message_id_seq' };
const OUTBOX_COLUMNS: Record<string, BulkType> = {
	idempotency_key: 'VARCHAR',
	alert_id: 'BIGINT',
	rule: 'VARCHAR',
	account_id: 'VARCHAR',
	event: 'VARCHAR',
	channel: 'VARCHAR',
	recipient: 'VARCHAR',
	subject: 'VARCHAR',
	body: 'VARCHAR',
	payload: 'VARCHAR',
	state: 'VARCHAR',
	reason: 'VARCHAR',
	attempts: 'INTEGER',
	next_attempt_at: 'TIMESTAMP',
	lease_until: 'TIMESTAMP',
	last_error: 'VARCHAR',
	digest_id: 'BIGINT',
	created_at: 'TIMESTAMP',
	sent_at: 'TIMESTAMP'
};

/** An alert change someone should hear about. */
export interface Notice {
	alert_id: number;
	event: NoticeEvent;
}

/** A customer's user who can get a nudge: the account's admin (else its first user) with an email. */
type Customer = { email: string; name: string | null };

interface Person {
	email: string;
	name: string | null;
	role: string;
	csm: string | null;
	time_zone: string;
}

/** Where messages link to: the configured address, else the server's own (`ORIGIN`, which `adoption serve` sets). */
export function baseUrl(config: Config): string {
	return (config.notify.baseUrl ?? process.env.ORIGIN ?? 'http://127.0.0.1:3000').replace(/\/$/, '');
}

/**
 * The address messages are written with, replaced by {@link baseUrl} when they are sent: a message written
 * by the CLI (which does not know where the server listens) links to wherever the delivering server is.
 */
export const LINK_BASE = 'https://adoption.invalid';

/** Whether any channel is configured (without one, nothing is written to the outbox). */
export const notifying = (config: Config) => config.notify.webhook !== undefined || config.notify.email !== undefined;

type Recipient = { channel: Channel; address: string; person: Person | null };

/** The recipients of an alert for one audience. */
function recipientsFor(
	config: Config,
	people: Person[],
	audience: 'csm' | 'manager' | 'product',
	alert: { assignee: string | null; csm: string | null }
): Recipient[] {
	// Nudges to customers are made apart (see enqueue): this is the team's side.
	const email = config.notify.email !== undefined;
	const webhook = config.notify.webhook !== undefined;
	const toPeople = (ps: Person[]): Recipient[] =>
		email
			? ps.map((p) => ({ channel: 'email' as const, address: p.email, person: p }))
			: webhook
				? [{ channel: 'webhook', address: WEBHOOK, person: null }]
				: [];
	const managers = () => {
		const listed = config.notify.managers;
		return listed
			? listed.map(
					(e) =>
						people.find((p) => p.email === e.toLowerCase()) ?? {
							email: e.toLowerCase(),
							name: null,
							role: 'leader',
							csm: null,
							time_zone: 'UTC'
						}
				)
			: people.filter((p) => p.role === 'leader');
	};
	if (audience === 'product') return webhook ? [{ channel: 'webhook', address: WEBHOOK, person: null }] : toPeople(managers());
	if (audience === 'manager') return toPeople(managers());
	const assignee = alert.assignee ? people.find((p) => p.email === alert.assignee) : undefined;
	const csm = alert.csm !== null ? people.find((p) => p.role === 'csm' && p.csm === alert.csm) : undefined;
	const who = assignee ?? csm;
	return toPeople(who ? [who] : managers());
}

/** Which audiences hear of an event: the rule's on opening, the answerer when due soon, the managers on a breach. */
function audiences(config: Config, rule: string, event: NoticeEvent): ('csm' | 'manager' | 'product' | 'customer')[] {
	if (event === 'due_soon') return ['csm'];
	if (event === 'breached') return ['manager'];
	return config.alerts.rules[rule as RuleId]?.notify ?? ['manager'];
}

type Row = Schema['alerts'] & { name: string | null; csm: string | null; plan: string | null; arr: number | null };

/**
 * Writes the messages of `notices` (see the module comment) inside the caller's transaction, at `now`.
 * Resolves with how many were written as pending, held and skipped.
 */
export async function enqueue(
	trx: Transaction<Schema>,
	config: Config,
	notices: Notice[],
	now: string
): Promise<{ pending: number; held: number; skipped: number }> {
	const counts = { pending: 0, held: 0, skipped: 0 };
	if (!notices.length || !notifying(config)) return counts;
	const people = (await trx
		.selectFrom('people')
		.select(['email', 'name', 'role', 'csm', 'time_zone'])
		.where('active', '=', true)
		.execute()) as Person[];
	const ids = [...new Set(notices.map((n) => n.alert_id))];
	const alerts = new Map<number, Row>();
	for (let i = 0; i < ids.length; i += 1000) {
		const { rows } = await sql<Row>`
			SELECT al.*, a.name, a.csm, a.plan, a.arr FROM alerts al LEFT JOIN accounts a ON a.account_id = al.account_id
			WHERE al.alert_id IN (${sql.join(ids.slice(i, i + 1000))})`.execute(trx);
		for (const r of rows) alerts.set(r.alert_id, r);
	}
	const key = await optoutKey(trx);
	const optouts = await optoutKeys(trx);
	// Messages in the last 24 hours, per recipient and per recipient and account: what the caps count.
	const { rows: recent } = await sql<{ recipient: string; account_id: string | null; n: number }>`
		SELECT recipient, account_id, count(*) AS n FROM outbox
		WHERE created_at > CAST(${now} AS TIMESTAMPTZ)::TIMESTAMP - INTERVAL 24 HOUR AND state IN ('pending', 'sending', 'sent')
		GROUP BY ALL`.execute(trx);
	const perRecipient = new Map<string, number>();
	const perAccount = new Map<string, number>();
	for (const r of recent) {
		perRecipient.set(r.recipient, (perRecipient.get(r.recipient) ?? 0) + r.n);
		if (r.account_id) perAccount.set(`${r.recipient}|${r.account_id}`, r.n);
	}
	const base = LINK_BASE;
	// What the data says helped others reach a milestone, for the nudges about milestones not reached.
	const learned = [...alerts.values()].some((a) => a.rule === 'onboarding_stall' || a.rule === 'first_value_miss')
		? await learnedSteps(trx, config, await freshDerived(trx, config))
		: undefined;
	const values: Message[] = [];
	const seen = new Set<string>();
	const customers = await nudges(trx, config, notices, alerts, learned, key, optouts, now);
	for (const m of customers.values()) counts[m.state as keyof typeof counts]++;
	for (const n of notices) {
		const a = alerts.get(n.alert_id);
		if (!a) continue;
		const evidence = JSON.parse(a.evidence) as Record<string, unknown> & { summary: string };
		const message: MessageAlert = {
			alert_id: a.alert_id,
			rule: a.rule,
			rule_label: RULES[a.rule as RuleId]?.label ?? a.rule,
			severity: a.severity,
			account_id: a.account_id,
			topic: a.topic,
			account: a.account_id ? { name: a.name, csm: a.csm, plan: a.plan, arr: a.arr } : null,
			summary: evidence.summary,
			next_step: nextStepFor(config, a.rule, evidence, learned),
			due_at: a.due_at
		};
		for (const audience of audiences(config, a.rule, n.event)) {
			if (audience === 'customer') {
				const nudge = customers.get(a.alert_id);
				if (nudge) values.push(nudge);
				continue;
			}
			for (const r of recipientsFor(config, people, audience, a)) {
				const idempotency = `alert:${a.alert_id}:${n.event}:${r.channel}:${r.address}`;
				if (seen.has(idempotency)) continue;
				seen.add(idempotency);
				// A person reads times in their calendar's zone; a channel in the zone of the calendar the alert's clock runs on.
				const zone = r.person
					? calendarFor(config.sla, r.person.csm, r.person.email).calendar.timeZone
					: (config.sla.calendars[a.calendar] ?? config.sla.calendars[config.sla.defaultCalendar]).timeZone;
				const optout = optoutUrl(base, key, { recipient: r.address, channel: r.channel, rule: a.rule });
				const composed = compose(message, n.event, { name: r.person?.name ?? null, zone }, `${base}/alerts/${a.alert_id}`, optout);
				let state = 'pending';
				let reason: string | null = null;
				const sentToday = perRecipient.get(r.address) ?? 0;
				const aboutAccount = a.account_id ? (perAccount.get(`${r.address}|${a.account_id}`) ?? 0) : 0;
				if (optedOut(optouts, r.address, r.channel, a.rule)) [state, reason] = ['skipped', 'opted out'];
				else if (sentToday >= config.notify.caps.perRecipientPerDay)
					[state, reason] = ['held', `cap: ${config.notify.caps.perRecipientPerDay} messages a day to ${r.address}`];
				else if (a.account_id && aboutAccount >= config.notify.caps.perAccountPerDay)
					[state, reason] = ['held', `cap: ${config.notify.caps.perAccountPerDay} messages a day about ${a.account_id}`];
				if (state === 'pending') {
					perRecipient.set(r.address, sentToday + 1);
					if (a.account_id) perAccount.set(`${r.address}|${a.account_id}`, aboutAccount + 1);
				}
				counts[state as keyof typeof counts]++;
				const about = { alert_id: a.alert_id, rule: a.rule, account_id: a.account_id, event: n.event };
				values.push(row(idempotency, r, composed, optout, about, state, reason, sendAt(config, r, now), now));
			}
		}
	}
	await insertJson(trx, 'outbox', OUTBOX_COLUMNS, values, { sequence: SEQUENCE, skipExisting: 'idempotency_key' });
	return counts;
}

/**
 * Nudges to customers, by alert: for an opened alert whose rule tells the customer, an email to the
 * account's admin (else its earliest user with an email) with the next step, when that step has a link
 * (the config's `nextSteps`): a customer is never sent a message with nothing to do in it. Opt-outs hold;
 * at most one nudge per account a day.
 */
async function nudges(
	trx: Transaction<Schema>,
	config: Config,
	notices: Notice[],
	alerts: Map<number, Row>,
	learned: LearnedSteps | undefined,
	key: string,
	optouts: Set<string>,
	now: string
): Promise<Map<number, Message>> {
	const out = new Map<number, Message>();
	if (!config.notify.email) return out;
	const wanted = notices
		.filter((n) => n.event === 'opened')
		.map((n) => alerts.get(n.alert_id))
		.filter(
			(a): a is Row =>
				a !== undefined && a.account_id !== null && (config.alerts.rules[a.rule as RuleId]?.notify ?? []).includes('customer')
		);
	if (!wanted.length) return out;
	const accounts = [...new Set(wanted.map((a) => a.account_id!))];
	const { rows: users } = await sql<Customer & { account_id: string }>`
		SELECT account_id, arg_min(email, (CASE WHEN lower(coalesce(role, '')) IN ('admin', 'owner') THEN 0 ELSE 1 END, created_at, user_id)) AS email, NULL AS name
		FROM users WHERE account_id IN (${sql.join(accounts)}) AND email LIKE '%@%' GROUP BY account_id`.execute(trx);
	const { rows: recent } = await sql<{ account_id: string }>`
		SELECT DISTINCT account_id FROM outbox WHERE event = 'nudge' AND state IN ('pending', 'sending', 'sent')
			AND created_at > CAST(${now} AS TIMESTAMPTZ)::TIMESTAMP - INTERVAL 24 HOUR`.execute(trx);
	const nudged = new Set(recent.map((r) => r.account_id));
	const byAccount = new Map(users.map((u) => [u.account_id, u]));
	for (const a of wanted) {
		const to = byAccount.get(a.account_id!);
		const step = nextStepFor(config, a.rule, JSON.parse(a.evidence) as Record<string, unknown>, learned);
		if (!to || step.url === null || nudged.has(a.account_id!)) continue;
		nudged.add(a.account_id!);
		const r: Recipient = { channel: 'email', address: to.email.toLowerCase(), person: null };
		const optout = optoutUrl(LINK_BASE, key, { recipient: r.address, channel: 'email', rule: a.rule });
		const c = composeNudge(a.name, { text: step.text, url: step.url }, to, optout);
		const state = optedOut(optouts, r.address, 'email', a.rule) ? 'skipped' : 'pending';
		const about = { alert_id: a.alert_id, rule: a.rule, account_id: a.account_id, event: 'nudge' };
		out.set(
			a.alert_id,
			row(`nudge:${a.alert_id}:${r.address}`, r, c, optout, about, state, state === 'skipped' ? 'opted out' : null, now, now)
		);
	}
	return out;
}

/** When a message may go: now, or (an email to a person, with quiet hours on) their next working time. */
function sendAt(config: Config, r: Recipient, now: string): string {
	if (!config.notify.quietHours || r.channel !== 'email' || !r.person) return now;
	const { calendar } = calendarFor(config.sla, r.person.csm, r.person.email);
	return new Date(nextWorkingTime(Date.parse(now), calendar)).toISOString();
}

function row(
	idempotency: string,
	r: Recipient,
	c: Composed,
	optout: string,
	about: { alert_id: number | null; rule: string | null; account_id: string | null; event: string },
	state: string,
	reason: string | null,
	at: string,
	now: string
): Message {
	return {
		idempotency_key: idempotency,
		...about,
		channel: r.channel,
		recipient: r.address,
		subject: c.subject,
		body: c.text,
		// A webhook gets the Slack body as it is; an email keeps its HTML and its List-Unsubscribe link.
		payload: JSON.stringify(r.channel === 'webhook' ? c.slack : { html: c.html, optout }),
		state,
		reason,
		attempts: 0,
		next_attempt_at: at,
		lease_until: null,
		last_error: null,
		digest_id: null,
		created_at: now,
		sent_at: null
	};
}

/**
 * One digest per recipient per day of what the caps held back: for each recipient with held messages and
 * no digest in the last 24 hours, a message listing them (itself exempt from the caps); the held messages
 * are marked as digested in the same transaction.
 */
export async function digestHeld(trx: Transaction<Schema>, config: Config, now: string): Promise<number> {
	const { rows } = await sql<{ channel: Channel; recipient: string; ids: number[]; subjects: string[]; alerts: number[] }>`
		SELECT channel, recipient, list(message_id ORDER BY message_id) AS ids, list(subject ORDER BY message_id) AS subjects, list(alert_id ORDER BY message_id) AS alerts
		FROM outbox o WHERE state = 'held' AND NOT EXISTS (
			SELECT 1 FROM outbox d WHERE d.event = 'digest' AND d.recipient = o.recipient AND d.channel = o.channel
				AND d.created_at > CAST(${now} AS TIMESTAMPTZ)::TIMESTAMP - INTERVAL 24 HOUR)
		GROUP BY ALL`.execute(trx);
	if (!rows.length) return 0;
	const key = await optoutKey(trx);
	const base = LINK_BASE;
	const people = await trx.selectFrom('people').select(['email', 'name', 'csm']).execute();
	for (const r of rows) {
		const person = people.find((p) => p.email === r.recipient);
		const items = r.subjects.map((subject, i) => ({ subject, link: `${base}/alerts/${r.alerts[i]}` }));
		const optout = optoutUrl(base, key, { recipient: r.recipient, channel: r.channel, rule: null });
		const c = composeDigest(items, { name: person?.name ?? null }, optout);
		const recipient: Recipient = {
			channel: r.channel,
			address: r.recipient,
			person: person ? { ...person, role: '', time_zone: 'UTC' } : null
		};
		const [made] = await insertJson<{ message_id: number }>(
			trx,
			'outbox',
			OUTBOX_COLUMNS,
			[
				row(
					`digest:${r.channel}:${r.recipient}:${r.ids[0]}`,
					recipient,
					c,
					optout,
					{ alert_id: null, rule: null, account_id: null, event: 'digest' },
					'pending',
					null,
					sendAt(config, recipient, now),
					now
				)
			],
			{ sequence: SEQUENCE, skipExisting: 'idempotency_key', returning: ['message_id'] }
		);
		if (made)
			await trx.updateTable('outbox').set({ state: 'digested', digest_id: made.message_id }).where('message_id', 'in', r.ids).execute();
	}
	return rows.length;
}
