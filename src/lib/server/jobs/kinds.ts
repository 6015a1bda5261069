/**
 * The writing work the CLI and the server share: a load, a training run, a scoring run, a rebuild of the
 * fact tables. Each takes the open database, its parameters and a progress callback, and returns the
 * document `adoption <command> --json` prints, with the failure (if any) the command exits non-zero with.
 * The CLI runs them itself when no server holds the database, else the server runs them as jobs (see
 * `queue.ts`): either way the same code makes the same document.
 */
import { z } from 'zod';
import { loadConfig } from '../config/config.js';
import type { Database } from '../db/connection.js';
import { freshDerived } from '../derive/derived.js';
import { refreshDerived, type RefreshTiming } from '../derive/refresh.js';
import { FACTS } from '../facts/registry.js';
import { FORMATS } from '../ingest/detect.js';
import { loadFiles, type LoadProgress } from '../ingest/load.js';
import { evaluateAlerts } from '../alerts/evaluate.js';
import { tickAlerts } from '../alerts/clocks.js';
import { scoreAccounts } from '../models/churn/score.js';
import { trainChurn } from '../models/churn/train.js';

/** What a job reports while it runs: a line for a person, and/or how far a file has got. */
export interface JobProgress {
	message?: string;
	load?: LoadProgress;
}

/** A job's outcome: the command's JSON document, and why it failed when it did (the CLI's one-line reason). */
export interface JobOutcome {
	doc: unknown;
	failure?: string;
}

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');

/** Parameters of each kind of job, as a request to run one is checked (paths are absolute: the server's working folder is its own). */
export const jobRequestSchema = z.discriminatedUnion('kind', [
	z.object({
		kind: z.literal('load'),
		params: z
			.object({
				paths: z.array(z.string().refine((p) => p.startsWith('/'), 'must be absolute paths')).min(1),
				table: z.string().optional(),
				format: z.enum(FORMATS).optional(),
				skipDerived: z.boolean().optional()
			})
			.strict()
	}),
	z.object({
		kind: z.literal('train'),
		params: z.object({ model: z.enum(['churn', 'csat', 'ces', 'triage']), asOf: day.optional() }).strict()
	}),
	z.object({ kind: z.literal('score'), params: z.object({ asOf: day.optional() }).strict() }),
	z.object({ kind: z.literal('derive'), params: z.object({ rebuild: z.boolean().optional() }).strict() }),
	z.object({
		kind: z.literal('sync'),
		params: z
			.object({
				kind: z.literal('zendesk'),
				/** One source (its id or name); default: every active Zendesk source. */
				source: z.union([z.number().int().positive(), z.string().min(1)]).optional(),
				trigger: z.enum(['cli', 'schedule', 'page']).optional()
			})
			.strict()
	}),
	z.object({
		kind: z.literal('evaluate'),
		params: z.object({ asOf: z.string().optional(), trigger: z.enum(['cli', 'schedule', 'load', 'score']).optional() }).strict()
	})
]);
export type JobRequest = z.infer<typeof jobRequestSchema>;
export type JobKind = JobRequest['kind'];
export type JobParams = { [K in JobKind]: Extract<JobRequest, { kind: K }>['params'] };

type Work<K extends JobKind> = (db: Database, params: JobParams[K], progress: (p: JobProgress) => void) => Promise<JobOutcome>;

/** `adoption load`: the files in dependency order, each in its transaction keeping the facts current; then stale fact tables rebuilt. */
const load: Work<'load'> = async (db, params, progress) => {
	const config = loadConfig();
	const results = await loadFiles(db, params.paths, {
		config,
		table: params.table,
		format: params.format,
		onProgress: (p) => progress({ load: p })
	});
	let derived: RefreshTiming[] = [];
	// Each load kept the fresh fact tables current; what it could not (a table's first data, a changed config) is rebuilt whole.
	if (!params.skipDerived && results.some((r) => r.ok) && (await freshDerived(db.kysely, config)).size < FACTS.length) {
		progress({ message: 'Rebuilding stale fact tables…' });
		derived = await refreshDerived(db, config);
	}
	const doc = {
		files: results.map((r) => ({
			file: r.file,
			table: r.table,
			format: r.format,
			accepted: r.accepted,
			updated: r.updated,
			skipped: r.skipped,
			rejected: r.rejected,
			rejects: r.rejects,
			derived: r.derived,
			ignored_columns: r.ignored_columns,
			load_id: r.load_id,
			ok: r.ok,
			facts: r.facts,
			...(r.error ? { error: r.error } : {})
		})),
		derived_tables: derived
	};
	const failed = results.filter((r) => !r.ok);
	const failure =
		failed.length === 0
			? undefined
			: failed.length === 1
				? failed[0].error!
				: `${failed.length} files failed to load; first: ${failed[0].error}`;
	return { doc, failure };
};

/** `adoption train --model churn|csat|ces|triage`: trains, evaluates on held-out data, saves the model. */
const train: Work<'train'> = async (db, params, progress) => {
	const config = loadConfig();
	if (params.model === 'churn') {
		return { doc: await trainChurn(db, config, { asOf: params.asOf, onProgress: (message) => progress({ message }) }) };
	}
	if (params.model === 'triage') {
		const { trainTriage } = await import('../models/triage/train.js');
		const r = await trainTriage(db, config);
		return { doc: { target: 'triage', version: r.version, ...r.evaluation } };
	}
	const { trainSatisfaction } = await import('../models/satisfaction/train.js');
	const r = await trainSatisfaction(db, params.model, { asOf: params.asOf });
	return { doc: { target: params.model, version: r.version, ...r.evaluation } };
};

/** `adoption score`: every live account scored with the latest models. */
const score: Work<'score'> = async (db, params) => ({ doc: await scoreAccounts(db, loadConfig(), { asOf: params.asOf }) });

/** `adoption derive [--rebuild]`: the stale fact tables rebuilt, or every one. */
const derive: Work<'derive'> = async (db, params, progress) => {
	progress({ message: params.rebuild ? 'Rebuilding every fact table…' : 'Rebuilding stale fact tables…' });
	return { doc: { rebuilt: await refreshDerived(db, loadConfig(), { all: params.rebuild }) } };
};

/** `adoption alerts evaluate [--as-of TIME]`: every enabled rule, then the SLA clocks moved to now. */
const evaluate: Work<'evaluate'> = async (db, params, progress) => {
	const config = loadConfig();
	progress({ message: 'Evaluating the alert rules…' });
	const report = await evaluateAlerts(db, config, { asOf: params.asOf, trigger: params.trigger ?? 'cli' });
	await tickAlerts(db, config);
	return { doc: report };
};

/**
 * `adoption sync zendesk [--source S]`: each Zendesk source (one, or every active one) synced in turn, page by
 * page (`sources/zendesk/sync.ts`), then stale fact tables rebuilt as after a load. The document sums the
 * streams over the sources (`tickets` first, as PRODUCT.md prints it) and lists each source's own.
 */
const sync: Work<'sync'> = async (db, params, progress) => {
	const { syncSources } = await import('../sources/sync.js');
	return syncSources(db, loadConfig(), params, (message) => progress({ message }));
};

const WORK: { [K in JobKind]: Work<K> } = { load, train, score, derive, sync, evaluate };

/**
 * The work a job calls for after it succeeds: the alert rules after new data or new scores. The server
 * queues it; the CLI without a server runs it itself, so alerts follow the data either way.
 */
export function followUp(kind: JobKind, outcome: JobOutcome): JobRequest | null {
	if ((kind === 'load' || kind === 'score') && !outcome.failure) return { kind: 'evaluate', params: { trigger: kind } };
	if (kind === 'sync' && !outcome.failure) return { kind: 'evaluate', params: { trigger: 'load' } };
	return null;
}

/** Runs a job of `kind` on `db`. */
export function runJob<K extends JobKind>(
	db: Database,
	kind: K,
	params: JobParams[K],
	progress: (p: JobProgress) => void
): Promise<JobOutcome> {
	return (WORK[kind] as Work<K>)(db, params, progress);
}
