/**
 * Sources as the Sources page and `GET /api/sources` show them: the stored state and totals, plus what only
 * the running server knows (calls acknowledged and still in the spool, the latest one's time).
 */
import type { SourceView } from './registry.js';
import { runningSegmentIngest } from './segment/ingest.js';

export interface SourceStatus extends SourceView {
	/** Segment: calls acknowledged and not yet loaded (null outside the server, which holds the spool). */
	waiting: number | null;
}

/** `views` with what the server's spool knows. */
export async function sourcesStatus(views: SourceView[]): Promise<SourceStatus[]> {
	const ingest = runningSegmentIngest();
	const spools = ingest ? await (await ingest.catch(() => null))?.status() : undefined;
	return views.map((v) => {
		const spool = spools?.get(v.id);
		const latest =
			[v.last_received_at, spool?.last_received_at]
				.filter((t): t is string => !!t)
				.sort()
				.at(-1) ?? null;
		return { ...v, waiting: v.kind === 'segment' && spools ? (spool?.waiting ?? 0) : null, last_received_at: latest };
	});
}
