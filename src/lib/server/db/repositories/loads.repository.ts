import type { Kysely } from 'kysely';
import type { Schema } from '../schema.js';

/** The load history and the rows loads rejected. */
export class LoadsRepository {
	constructor(private readonly db: Kysely<Schema>) {}

	/** The latest loads of files, newest first (a live source's micro-batches are on the Sources page). */
	async recent(limit = 20) {
		return this.db.selectFrom('loads').selectAll().where('source_id', 'is', null).orderBy('load_id', 'desc').limit(limit).execute();
	}

	/** Rejected-row counts per load and table, for loads that rejected anything, newest first. */
	async rejectCounts() {
		return this.db
			.selectFrom('rejected_rows')
			.select((eb) => ['load_id', 'file', 'table_name', eb.fn.countAll<number>().as('rejected')])
			.groupBy(['load_id', 'file', 'table_name'])
			.orderBy('load_id', 'desc')
			.execute();
	}

	/** Total rejected rows kept. */
	async totalRejected(): Promise<number> {
		const row = await this.db
			.selectFrom('rejected_rows')
			.select((eb) => eb.fn.countAll<number>().as('n'))
			.executeTakeFirst();
		return Number(row?.n ?? 0);
	}

	/** One load by id, or undefined when there is no such load (the rejected-rows page names its filter). */
	async find(loadId: number) {
		return this.db.selectFrom('loads').selectAll().where('load_id', '=', loadId).executeTakeFirst();
	}

	/** How many rejected rows are kept, optionally of one load or one live source: the total a paginated listing pages through. */
	async countRejected(options: { loadId?: number; sourceId?: number } = {}): Promise<number> {
		let q = this.db.selectFrom('rejected_rows').select((eb) => eb.fn.countAll<number>().as('n'));
		if (options.loadId !== undefined) q = q.where('load_id', '=', options.loadId);
		if (options.sourceId !== undefined) q = q.where('load_id', 'in', this.sourceLoads(options.sourceId));
		const row = await q.executeTakeFirst();
		return Number(row?.n ?? 0);
	}

	/** The loads of a live source, as a subquery. */
	private sourceLoads(sourceId: number) {
		return this.db.selectFrom('loads').select('load_id').where('source_id', '=', sourceId);
	}

	/** A page of rejected rows, optionally of one load or one live source, newest load first, in file order. */
	async rejectedRows(options: { loadId?: number; sourceId?: number; limit?: number; offset?: number } = {}) {
		let q = this.db.selectFrom('rejected_rows').selectAll();
		if (options.loadId !== undefined) q = q.where('load_id', '=', options.loadId);
		if (options.sourceId !== undefined) q = q.where('load_id', 'in', this.sourceLoads(options.sourceId));
		return q
			.orderBy('load_id', 'desc')
			.orderBy('line')
			.limit(options.limit ?? 200)
			.offset(options.offset ?? 0)
			.execute();
	}
}
