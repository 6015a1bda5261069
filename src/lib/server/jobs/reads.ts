/**
 * The reading work the CLI shares with the server: `adoption metrics` (a report or a list), `adoption
 * cohorts`, `adoption alerts list`, `adoption triage` and `adoption export`. Each makes the document the command prints with `--json`. The CLI runs it on the file when no
 * server holds it, else asks the server to run it (`POST /api/reads`, see `channel.ts`): reads need no
 * queue, but the file is the server's, so the same code runs there and the output is the same.
 */
import { z } from 'zod';
import type { Memo } from '../cache/reads.js';
import { loadConfig, type Config } from '../config/config.js';
import { triageTickets, type TicketTriage } from '../triage/triage.js';
import { ALERT_STATES, AlertsRepository, type AlertState } from '../db/repositories/alerts.repository.js';
import type { Database } from '../db/connection.js';
import { cohortMatrix, ttfvDistribution } from '../metrics/cohorts.js';
import { metricContext } from '../metrics/context.js';
import { DIMENSIONS, GRAINS } from '../metrics/engine.js';
import { filtersSchema, type Filters } from '../metrics/filters.js';
import { listById, LISTS, runList } from '../metrics/lists.js';
import { computeMetrics, METRICS } from '../metrics/registry.js';
import { snapshotTable } from '../features/store.js';
import { worklistTable } from '../scores/export.js';
import { ScoresRepository } from '../scores/repository.js';

/** What `adoption export` writes: the latest scoring run's worklist, or the feature snapshot it scored. */
export const EXPORTS = ['scores', 'features'] as const;

/** The cohort tables there are. */
export const COHORT_VIEWS = ['activation', 'retention', 'ttfv'] as const;
export type CohortView = (typeof COHORT_VIEWS)[number];

const metricId = z.string().refine((id) => METRICS.some((m) => m.id === id), 'is not a metric');

/** A read the CLI asks of the server, checked as it arrives. */
export const readRequestSchema = z.discriminatedUnion('kind', [
	z.object({
		kind: z.literal('metrics'),
		params: z
			.object({
				filters: filtersSchema,
				ids: z.array(metricId).optional(),
				trend: z.enum(GRAINS).optional(),
				by: z.enum(DIMENSIONS).optional()
			})
			.strict()
			.refine((p) => !(p.trend && p.by), 'takes a trend or a breakdown, not both')
	}),
	z.object({
		kind: z.literal('list'),
		params: z.object({ filters: filtersSchema, list: z.string().refine((id) => LISTS.some((l) => l.id === id), 'is not a list') }).strict()
	}),
	z.object({
		kind: z.literal('cohorts'),
		params: z.object({ filters: filtersSchema, view: z.enum(COHORT_VIEWS), weeks: z.number().int().min(1).max(104) }).strict()
	}),
	z.object({ kind: z.literal('alerts'), params: z.object({ state: z.enum(ALERT_STATES).optional() }).strict() }),
	z.object({ kind: z.literal('triage'), params: z.object({ tickets: z.array(z.string().min(1)).max(1000).optional() }).strict() }),
	z.object({ kind: z.literal('export'), params: z.object({ what: z.enum(EXPORTS) }).strict() })
]);
export type ReadRequest = z.infer<typeof readRequestSchema>;

/** `adoption cohorts <view>` and `GET /api/cohorts/<view>`: a signup-month cohort table. */
export async function cohortsDoc(db: Database, config: Config, view: CohortView, weeks: number, filters: Filters) {
	const ctx = await metricContext(db.kysely, config, filters);
	const data = view === 'ttfv' ? await ttfvDistribution(ctx) : await cohortMatrix(ctx, view, weeks);
	return { view, range: ctx.range, filters: ctx.filters, ...data };
}

/** The document each kind of read makes. */
export interface ReadDocs {
	metrics: Awaited<ReturnType<typeof computeMetrics>>;
	list: Awaited<ReturnType<typeof runList>>;
	cohorts: Awaited<ReturnType<typeof cohortsDoc>>;
	alerts: Awaited<ReturnType<typeof alertsDoc>>;
	triage: { tickets: TicketTriage[] };
	export: Awaited<ReturnType<typeof exportDoc>>;
}

/**
 * `adoption export scores|features`: the latest scoring run's worklist (every account, rank order) or the
 * feature snapshot it was scored from, as typed columns and rows for a Parquet file.
 */
export async function exportDoc(db: Database, config: Config, what: (typeof EXPORTS)[number]) {
	const scores = new ScoresRepository(db.kysely);
	const run = await scores.latestRun();
	if (!run) throw new Error('nothing to export: no account has been scored yet (run adoption train, then adoption score)');
	const table =
		what === 'scores'
			? worklistTable((await scores.list(run.as_of, {}, { limit: null, offset: 0 })).rows, run)
			: await snapshotTable(db, config, run.as_of);
	return { what, as_of: run.as_of, version: run.version, ...table };
}

/**
 * `adoption alerts list [--state S]`: the alerts (PRODUCT.md's keys first), unresolved by due time, then
 * resolved ones newest first.
 */
export async function alertsDoc(db: Database, config: Config, state?: AlertState) {
	const repo = new AlertsRepository(db.kysely, new Date().toISOString(), config.sla.dueSoonHours);
	const { total, alerts } = await repo.list({ state }, 10_000);
	return { alerts, total };
}

/** Runs a read on `db`: the document the command prints (in the server, each metric through its read cache, `memo`). */
export async function runRead<R extends ReadRequest>(db: Database, request: R, memo?: Memo): Promise<ReadDocs[R['kind']]> {
	const config = loadConfig();
	const r = request as ReadRequest;
	let doc: ReadDocs[keyof ReadDocs];
	if (r.kind === 'metrics') {
		const { filters, ids, trend, by } = r.params;
		doc = await computeMetrics(db.kysely, config, filters, ids, trend ? { trend } : by ? { by } : undefined, undefined, memo);
	} else if (r.kind === 'list') doc = await runList(listById(r.params.list)!, await metricContext(db.kysely, config, r.params.filters));
	else if (r.kind === 'cohorts') doc = await cohortsDoc(db, config, r.params.view, r.params.weeks, r.params.filters);
	else if (r.kind === 'alerts') doc = await alertsDoc(db, config, r.params.state);
	else if (r.kind === 'triage') doc = { tickets: await triageTickets(db, config, r.params.tickets, r.params.tickets?.length ?? 100) };
	else doc = await exportDoc(db, config, r.params.what);
	return doc as ReadDocs[R['kind']];
}
