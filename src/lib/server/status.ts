import type { Database } from './db/connection.js';
import { LoadsRepository } from './db/repositories/loads.repository.js';
import { TablesRepository } from './db/repositories/tables.repository.js';

/**
 * What is loaded: rows per table, the span of the data, the latest loads and rejected-row counts.
 * The CLI's `status` and the home page both show this.
 */
export async function getStatus(db: Database, options: { loads?: number } = {}) {
	const tables = new TablesRepository(db.kysely);
	const loads = new LoadsRepository(db.kysely);
	const [counts, range, recent, rejects, rejectedTotal] = await Promise.all([
		tables.counts(),
		tables.dataRange(),
		loads.recent(options.loads ?? 20),
		loads.rejectCounts(),
		loads.totalRejected()
	]);
	return { tables: counts, range, loads: recent, rejects, rejected_total: rejectedTotal };
}

/** The shape {@link getStatus} returns. */
export type Status = Awaited<ReturnType<typeof getStatus>>;
