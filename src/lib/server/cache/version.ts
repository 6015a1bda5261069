import type { Database } from '../db/connection.js';

/**
 * The data version: what every committed write that changes analytic data advances. A load (ok or
 * failed) takes a new `load_id`; a scoring run writes rows with a new `scored_at`. Read with one cheap
 * query per request, so a result cached under it is never served after the data it came from changed.
 */
export async function dataVersion(db: Database): Promise<string> {
	const [v] = await db.query<{ loads: number | null; scored: string | null; scores: number }>(
		`SELECT (SELECT max(load_id) FROM loads) AS loads, (SELECT max(scored_at) FROM account_scores) AS scored,
			(SELECT count(*) FROM account_scores) AS scores`
	);
	return `${v.loads ?? 0}/${v.scored ?? '-'}/${v.scores}`;
}
