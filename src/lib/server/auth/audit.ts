/**
 * The audit log: one row per change of state (people now; tokens, sources, rules, settings, alerts and
 * loads started from the app as they arrive), written in the same transaction as the change, so a
 * change is never without its row and a failed change leaves none. Append-only: nothing updates or
 * deletes its rows.
 */
import os from 'node:os';
import { sql, type Kysely, type Transaction } from 'kysely';
import { z } from 'zod';
import type { AuditFilter } from '../db/repositories/audit.repository.js';
import type { Principal } from './policy.js';
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

/** The actor of a request's principal: a person's email (marked when by token), the local visitor or CLI. */
export function actorOf(p: Principal | null, address: string): Actor {
	if (p?.kind === 'cli') return localActor();
	if (p?.kind === 'person') return { actor: p.via === 'token' ? `${p.email} (token)` : p.email, address };
	return { actor: p?.kind === 'local' ? 'local visitor' : 'nobody', address };
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

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');

/** The audit log's filters as the page and `GET /api/audit` take them (`from`/`to` UTC days, both included). */
export const auditQuerySchema = z
	.object({
		actor: z.string().max(300, 'must be at most 300 characters').optional(),
		action: z
			.string()
			.regex(/^[a-z_]+(\.[a-z_]+)*$/, 'must be an action such as person.add, or its family such as person')
			.optional(),
		from: day.optional(),
		to: day.optional()
	})
	.strict();

/** The repository's filter for a checked query: dates as the ISO bounds of whole UTC days. */
export function auditFilter(q: z.infer<typeof auditQuerySchema>): AuditFilter {
	const next = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString();
	return { actor: q.actor, action: q.action, from: q.from ? `${q.from}T00:00:00.000Z` : undefined, to: q.to ? next(q.to) : undefined };
}
