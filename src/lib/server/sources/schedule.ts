/**
 * The server's sync timetable: every active Zendesk source whose `next_run_at` has come (or that has never
 * run) is queued as a `sync` job, at most one waiting per source; the job plans the source's next run
 * (`sync.ts`). Checked every half minute, so a new source syncs within one.
 */
import type { Database } from '../db/connection.js';
import { SourcesRepository } from '../db/repositories/sources.repository.js';
import type { JobQueue } from '../jobs/queue.js';

const CHECK_MS = 30_000;

/** Starts the timetable on the owned database; returns a function that stops it. */
export function scheduleSources(db: Database, queue: JobQueue): () => void {
	const waiting = new Set<number>();
	queue.afterEach((job) => {
		const source = (job.params as { source?: unknown } | null)?.source;
		if (job.kind === 'sync' && typeof source === 'number') waiting.delete(source);
	});
	const check = async () => {
		const now = new Date().toISOString();
		for (const s of await new SourcesRepository(db.kysely).list()) {
			const id = Number(s.source_id);
			if (s.kind !== 'zendesk' || s.state !== 'active' || waiting.has(id)) continue;
			if (s.next_run_at !== null && s.next_run_at > now) continue;
			waiting.add(id);
			queue.submit('sync', { kind: 'zendesk', source: id, trigger: 'schedule' }).catch(() => waiting.delete(id));
		}
	};
	// A busy database now is asked again at the next check.
	const timer = setInterval(() => void check().catch(() => {}), CHECK_MS);
	timer.unref();
	void check().catch(() => {});
	return () => clearInterval(timer);
}
