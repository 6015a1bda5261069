import type { Database } from '../db/connection.js';
import { isOwner } from '../db/owner.js';

/**
 * The data version: what every committed write that changes analytic data advances. A load (ok or
 * failed) takes a new `load_id`; a scoring run writes rows with a new `scored_at`. Read with one cheap
 * query, so a result cached under it is never served after the data it came from changed.
 *
 * In the server that owns the file, every write to analytic data is a job (see `jobs/queue.ts`, which
 * calls {@link jobStarted} and {@link jobEnded}; the team's people and the audit log are written in their
 * own transactions, and no cached read depends on them): between jobs the version cannot change, so it is read once and
 * kept, and a cache hit costs no query at all (a hit that waited for a DuckDB thread behind other
 * requests' work was most of a busy server's slow hits). While a job runs it is read on every request.
 */
export async function dataVersion(db: Database): Promise<string> {
	if (running === 0 && known?.db === db) return known.version;
	const generation = jobs;
	const [v] = await db.query<{ loads: number | null; scored: string | null; scores: number }>(
		`SELECT (SELECT max(load_id) FROM loads) AS loads, (SELECT max(scored_at) FROM account_scores) AS scored,
			(SELECT count(*) FROM account_scores) AS scores`
	);
	const version = `${v.loads ?? 0}/${v.scored ?? '-'}/${v.scores}`;
	// Kept only when no job started (or ran) while it was read.
	if (isOwner() && running === 0 && jobs === generation) known = { db, version };
	return version;
}

let known: { db: Database; version: string } | null = null;
/** Jobs running now, and jobs ever started: a version read across a job's start is not kept. */
let running = 0;
let jobs = 0;

/** A writing job starts: the version may change from now until it ends. */
export function jobStarted(): void {
	running++;
	jobs++;
	known = null;
}

/** A writing job has ended (its writes committed or rolled back). */
export function jobEnded(): void {
	running--;
	known = null;
}
