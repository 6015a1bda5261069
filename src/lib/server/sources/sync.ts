/**
 * The sync job: Zendesk sources synced one after another, then the fact tables a page could not keep
 * current rebuilt, as after a load. Each source's next run is planned from its own `everyMinutes` (else
 * the config's), whether it succeeded or not: a failing source is tried again on its schedule, its error
 * shown meanwhile.
 */
import type { Config } from '../config/config.js';
import type { Database } from '../db/connection.js';
import { SourcesRepository, type SourceRow } from '../db/repositories/sources.repository.js';
import { freshDerived } from '../derive/derived.js';
import { refreshDerived, type RefreshTiming } from '../derive/refresh.js';
import { FACTS } from '../facts/registry.js';
import type { JobOutcome } from '../jobs/kinds.js';
import { findSource, SourceError, type ZendeskSettings } from './registry.js';
import { syncZendesk, type StreamCounts, type ZendeskSyncDoc } from './zendesk/sync.js';

const STREAMS = ['tickets', 'ticket_metrics', 'users', 'organizations'] as const;

/** When a source syncs next after a run now. */
export function nextRun(source: Pick<SourceRow, 'settings'>, config: Config, from = Date.now()): string {
	const every = (JSON.parse(source.settings) as ZendeskSettings).everyMinutes ?? config.sources.zendesk.everyMinutes;
	return new Date(from + every * 60_000).toISOString();
}

/** Syncs one Zendesk source (`params.source`) or every active one. */
export async function syncSources(
	db: Database,
	config: Config,
	params: { source?: number | string },
	progress: (message: string) => void
): Promise<JobOutcome> {
	const repo = new SourcesRepository(db.kysely);
	let sources: SourceRow[];
	if (params.source !== undefined) {
		const one = await findSource(db, params.source);
		if (one.kind !== 'zendesk') throw new SourceError(`source '${one.name}' is a ${one.kind} source, not a Zendesk one`, 400);
		sources = [one];
	} else {
		sources = (await repo.list()).filter((s) => s.kind === 'zendesk' && s.state === 'active');
		if (sources.length === 0) throw new SourceError('there is no active Zendesk source to sync (adoption sources add zendesk …)', 404);
	}
	const total = Object.fromEntries(STREAMS.map((k) => [k, { accepted: 0, updated: 0, skipped: 0, rejected: 0 }])) as Record<
		(typeof STREAMS)[number],
		Omit<StreamCounts, 'pages'>
	>;
	const each: ({ id: number; name: string; ok: boolean; error?: string } & Partial<ZendeskSyncDoc>)[] = [];
	for (const source of sources) {
		const id = Number(source.source_id);
		progress(`Syncing Zendesk source '${source.name}'…`);
		try {
			const doc = await syncZendesk(db, config, source, { onProgress: progress });
			for (const k of STREAMS) for (const c of ['accepted', 'updated', 'skipped', 'rejected'] as const) total[k][c] += doc[k][c];
			each.push({ id, name: source.name, ok: true, ...doc });
		} catch (err) {
			each.push({ id, name: source.name, ok: false, error: (err as Error).message.split('\n')[0] });
		} finally {
			await repo.ran(id, { next_run_at: nextRun(source, config) });
		}
	}
	let derived: RefreshTiming[] = [];
	if (each.some((e) => e.ok) && (await freshDerived(db.kysely, config)).size < FACTS.length) {
		progress('Rebuilding stale fact tables…');
		derived = await refreshDerived(db, config);
	}
	const failed = each.filter((e) => !e.ok);
	const failure =
		failed.length === 0
			? undefined
			: failed.length === 1
				? `${failed[0].name}: ${failed[0].error}`
				: `${failed.length} sources failed; first: ${failed[0].name}: ${failed[0].error}`;
	return { doc: { ...total, sources: each, derived_tables: derived }, failure };
}
