/**
 * The audit log: one row per change of state (people now; tokens, sources, rules, settings, alerts and
 * loads started from the app as they arrive), written in the same transaction as the change, so a
 * change is never without its row and a failed change leaves none. Append-only: nothing updates or
 * deletes its rows.
 */
import os from 'node:os';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Schema } from '../db/schema.js';

/** Who made a change, and from where (a client address; null for the local CLI). */
export interface Actor {
	actor: string;
	address: string | null;
}

/** The CLI on the database's own machine: the file's owner (through the handoff file's token when a server holds it). */
export function localActor(): Actor {
	return { actor: `local CLI (${os.userInfo().username})`, address: null };
}

/** One change: its action (`person.add`), its object (`person:ana@example.com`), the object before and after. */
export interface Change {
	action: string;
	object: string;
	before?: unknown;
	after?: unknown;
}

/** Appends `change` made by `by` to the audit log, inside the caller's transaction. */
export async function audit(trx: Transaction<Schema> | Kysely<Schema>, by: Actor, change: Change): Promise<void> {
	const json = (x: unknown) => (x === undefined ? null : JSON.stringify(x));
	await trx
		.insertInto('audit_log')
		.values({
			audit_id: sql<number>`nextval('audit_id_seq')`,
			changed_at: sql<string>`now()::TIMESTAMP`,
			actor: by.actor,
			address: by.address,
			action: change.action,
			object: change.object,
			before: json(change.before),
			after: json(change.after)
		})
		.execute();
}
