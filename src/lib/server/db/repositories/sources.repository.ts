import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Schema, SourcesTable } from '../schema.js';

/** A source as pages and the API show it: everything but its key hash and sealed token. */
export type SourceRow = Omit<Selectable<SourcesTable>, 'key_hash' | 'secret'> & { has_secret: boolean };

/** What a source's loads brought in: rows into their main tables, rows rejected, and its latest load. */
export interface SourceTotals {
	source_id: number;
	loads: number;
	rows_in: number;
	rejected: number;
	failed_loads: number;
	last_load_id: number | null;
	last_load_at: string | null;
}

const COLUMNS = [
	'source_id',
	'kind',
	'name',
	'state',
	'key_hint',
	'settings',
	'spooled_through',
	'received',
	'last_received_at',
	'last_run_at',
	'last_success_at',
	'next_run_at',
	'last_error',
	'last_error_at',
	'created_at',
	'updated_at'
] as const;

/** The live sources (`sources`, `source_cursors`): the only place that reads or writes those tables. */
export class SourcesRepository {
	constructor(private readonly db: Kysely<Schema> | Transaction<Schema>) {}

	private select() {
		return this.db
			.selectFrom('sources')
			.select(COLUMNS)
			.select(sql<boolean>`secret IS NOT NULL`.as('has_secret'));
	}

	/** Every source but the revoked ones (unless asked), oldest first. */
	list(options: { revoked?: boolean } = {}): Promise<SourceRow[]> {
		let q = this.select();
		if (!options.revoked) q = q.where('state', '!=', 'revoked');
		return q.orderBy('source_id').execute();
	}

	byId(id: number): Promise<SourceRow | undefined> {
		return this.select().where('source_id', '=', id).executeTakeFirst();
	}

	byName(name: string): Promise<SourceRow | undefined> {
		return this.select().where('name', '=', name).executeTakeFirst();
	}

	/** The source whose write key hashes to `hash`, revoked or not (the caller says why it is refused). */
	byKeyHash(hash: string): Promise<SourceRow | undefined> {
		return this.select().where('key_hash', '=', hash).executeTakeFirst();
	}

	/** A source's sealed token, for the sync that uses it; never shown. */
	async secret(id: number): Promise<string | null> {
		const row = await this.db.selectFrom('sources').select('secret').where('source_id', '=', id).executeTakeFirst();
		return row?.secret ?? null;
	}

	/** Adds a source; returns its id. */
	async insert(s: Pick<SourcesTable, 'kind' | 'name' | 'key_hash' | 'key_hint' | 'settings' | 'secret'>): Promise<number> {
		const [row] = await this.db
			.insertInto('sources')
			.values({
				...s,
				source_id: sql<number>`nextval('source_id_seq')`,
				state: 'active',
				created_at: sql<string>`now()::TIMESTAMP`,
				updated_at: sql<string>`now()::TIMESTAMP`
			})
			.returning('source_id')
			.execute();
		return Number(row.source_id);
	}

	/** Changes some of a source's fields (and `updated_at`). */
	async update(
		id: number,
		fields: Partial<Pick<SourcesTable, 'state' | 'key_hash' | 'key_hint' | 'settings' | 'secret' | 'next_run_at'>>
	): Promise<void> {
		await this.db
			.updateTable('sources')
			.set({ ...fields, updated_at: sql<string>`now()::TIMESTAMP` })
			.where('source_id', '=', id)
			.execute();
	}

	/** A run of a source began (a sync), or its next one is planned. */
	async ran(id: number, fields: Partial<Pick<SourcesTable, 'last_run_at' | 'next_run_at'>>): Promise<void> {
		await this.db.updateTable('sources').set(fields).where('source_id', '=', id).execute();
	}

	/** A run of a source succeeded: its error (if any) is history. */
	async succeeded(id: number): Promise<void> {
		await this.db
			.updateTable('sources')
			.set({ last_success_at: sql<string>`now()::TIMESTAMP` })
			.where('source_id', '=', id)
			.execute();
	}

	/** A run of a source failed with `message` (one line). */
	async failed(id: number, message: string): Promise<void> {
		await this.db
			.updateTable('sources')
			.set({ last_error: message, last_error_at: sql<string>`now()::TIMESTAMP` })
			.where('source_id', '=', id)
			.execute();
	}

	/** Per source, what its loads brought in (rejects of every table the loads wrote, e.g. a Segment group call). */
	async totals(): Promise<SourceTotals[]> {
		const { rows } = await sql<SourceTotals>`
			WITH l AS (SELECT * FROM loads WHERE source_id IS NOT NULL),
			r AS (SELECT load_id, count(*) AS n FROM rejected_rows WHERE load_id IN (SELECT load_id FROM l) GROUP BY load_id)
			SELECT l.source_id, count(*) AS loads,
				coalesce(sum(accepted + updated) FILTER (WHERE outcome = 'ok'), 0) AS rows_in,
				coalesce(sum(r.n), 0) AS rejected,
				count(*) FILTER (WHERE outcome = 'failed') AS failed_loads,
				max(l.load_id) AS last_load_id, max(finished_at) AS last_load_at
			FROM l LEFT JOIN r USING (load_id) GROUP BY l.source_id`.execute(this.db);
		return rows.map((r) => ({
			...r,
			loads: Number(r.loads),
			rows_in: Number(r.rows_in),
			rejected: Number(r.rejected),
			failed_loads: Number(r.failed_loads)
		}));
	}

	/** Rows each source's loads brought in per hour since `since` (ISO), for the Sources page's chart. */
	async hourly(since: string): Promise<{ source_id: number; hour: string; rows: number }[]> {
		const { rows } = await sql<{ source_id: number; hour: string; rows: number }>`
			SELECT source_id, date_trunc('hour', finished_at) AS hour, sum(accepted + updated) AS rows
			FROM loads WHERE source_id IS NOT NULL AND outcome = 'ok' AND finished_at >= ${since}::TIMESTAMP
			GROUP BY ALL ORDER BY hour`.execute(this.db);
		return rows.map((r) => ({ source_id: Number(r.source_id), hour: r.hour, rows: Number(r.rows) }));
	}

	/** Where each of a source's streams resumes. */
	async cursors(id: number): Promise<Record<string, string>> {
		const rows = await this.db.selectFrom('source_cursors').select(['stream', 'cursor']).where('source_id', '=', id).execute();
		return Object.fromEntries(rows.map((r) => [r.stream, r.cursor]));
	}
}
