import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Schema } from '../schema.js';

/** Tables `adoption status` and the home page count, in the order they show them. */
export const COUNTED_TABLES = [
	'accounts',
	'users',
	'events',
	'tickets',
	'kb_articles',
	'kb_searches',
	'surveys',
	'releases',
	'zendesk_users',
	'zendesk_organizations',
	'truth'
] as const satisfies readonly (keyof Schema)[];

/** Time columns that bound "the data" per table (the end of the data is the latest of these). */
const TIME_COLUMNS = [
	['events', 'timestamp'],
	['tickets', 'created_at'],
	['kb_searches', 'timestamp'],
	['surveys', 'timestamp']
] as const;

/** Read-only facts about the contract's tables: row counts and the span of the data. */
export class TablesRepository {
	constructor(private readonly db: Kysely<Schema>) {}

	/** Row count of every counted table (deleted tickets excluded: they have left every metric). */
	async counts(): Promise<Record<(typeof COUNTED_TABLES)[number], number>> {
		const parts = COUNTED_TABLES.map((t) =>
			t === 'tickets'
				? sql`SELECT ${t} AS t, count(*) AS n FROM tickets WHERE NOT coalesce(deleted, false)`
				: sql`SELECT ${t} AS t, count(*) AS n FROM ${sql.table(t)}`
		);
		const { rows } = await sql<{ t: string; n: number }>`${sql.join(parts, sql` UNION ALL `)}`.execute(this.db);
		const out = Object.fromEntries(COUNTED_TABLES.map((t) => [t, 0])) as Record<(typeof COUNTED_TABLES)[number], number>;
		for (const r of rows) out[r.t as (typeof COUNTED_TABLES)[number]] = Number(r.n);
		return out;
	}

	/** Earliest and latest activity timestamp among events, tickets, searches and surveys (ISO, UTC). */
	async dataRange(): Promise<{ from: string | null; to: string | null }> {
		const parts = TIME_COLUMNS.map(([t, c]) => sql`SELECT min(${sql.ref(c)}) AS lo, max(${sql.ref(c)}) AS hi FROM ${sql.table(t)}`);
		const { rows } = await sql<{ from: string | null; to: string | null }>`
			SELECT min(lo) AS "from", max(hi) AS "to" FROM (${sql.join(parts, sql` UNION ALL `)})`.execute(this.db);
		return rows[0] ?? { from: null, to: null };
	}
}
