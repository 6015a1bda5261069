/**
 * Opting out of notifications: every message carries a one-click link, signed with a key the server made
 * once (`app_secrets`), that stops that kind of message (a rule, or every rule) on that channel for that
 * recipient. The signature means nobody can opt someone else out by editing the link; the link needs no
 * sign-in, because it is read in a mailbox.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Schema } from '../db/schema.js';

type Db = Kysely<Schema> | Transaction<Schema>;

/** The key signing opt-out links, made on first use. */
export async function optoutKey(db: Db): Promise<string> {
	const row = await db.selectFrom('app_secrets').select('value').where('name', '=', 'optout').executeTakeFirst();
	if (row) return row.value;
	const value = randomBytes(32).toString('base64url');
	await db
		.insertInto('app_secrets')
		.values({ name: 'optout', value, created_at: sql<string>`now()::TIMESTAMP` })
		.onConflict((oc) => oc.column('name').doNothing())
		.execute();
	return (await db.selectFrom('app_secrets').select('value').where('name', '=', 'optout').executeTakeFirstOrThrow()).value;
}

/** What an opt-out stops: messages of `rule` (null: every rule) on `channel` to `recipient`. */
export interface Optout {
	recipient: string;
	channel: string;
	rule: string | null;
}

const signature = (key: string, o: Optout) =>
	createHmac('sha256', key)
		.update(JSON.stringify([o.recipient, o.channel, o.rule]))
		.digest('base64url');

/** The one-click link for `o` under the app's address `base`. */
export function optoutUrl(base: string, key: string, o: Optout): string {
	const q = new URLSearchParams({ r: o.recipient, c: o.channel, ...(o.rule ? { rule: o.rule } : {}), s: signature(key, o) });
	return `${base.replace(/\/$/, '')}/notifications/optout?${q}`;
}

/** The opt-out a link's parameters stand for, or null when its signature does not match. */
export function verifyOptout(key: string, params: URLSearchParams): Optout | null {
	const o: Optout = { recipient: params.get('r') ?? '', channel: params.get('c') ?? '', rule: params.get('rule') || null };
	const given = Buffer.from(params.get('s') ?? '');
	const want = Buffer.from(signature(key, o));
	return o.recipient && o.channel && given.length === want.length && timingSafeEqual(given, want) ? o : null;
}

/** Records `o` (once: asking again changes nothing). Resolves with whether it was new. */
export async function recordOptout(db: Db, o: Optout): Promise<boolean> {
	const existing = await db
		.selectFrom('notification_optouts')
		.select('recipient')
		.where('recipient', '=', o.recipient)
		.where('channel', '=', o.channel)
		.where(o.rule === null ? sql<boolean>`rule IS NULL` : sql<boolean>`rule = ${o.rule}`)
		.executeTakeFirst();
	if (existing) return false;
	await db
		.insertInto('notification_optouts')
		.values({ ...o, opted_out_at: sql<string>`now()::TIMESTAMP` })
		.execute();
	return true;
}

/** Every opt-out, as `recipient|channel|rule` keys (rule `*` for all), for checking many messages at once. */
export async function optoutKeys(db: Db): Promise<Set<string>> {
	const rows = await db.selectFrom('notification_optouts').select(['recipient', 'channel', 'rule']).execute();
	return new Set(rows.map((r) => `${r.recipient}|${r.channel}|${r.rule ?? '*'}`));
}

/** Whether `keys` stop a message of `rule` on `channel` to `recipient`. */
export const optedOut = (keys: Set<string>, recipient: string, channel: string, rule: string | null) =>
	keys.has(`${recipient}|${channel}|*`) || (rule !== null && keys.has(`${recipient}|${channel}|${rule}`));
