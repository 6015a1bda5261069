/**
 * A Zendesk source's incremental sync (`adoption sync zendesk`, and the job that runs it every
 * `everyMinutes`): organizations, users, then tickets from Zendesk's incremental exports, each page
 * loaded by the Zendesk file loader (`ingest/formats/zendesk*.ts`), the one code path that maps Zendesk
 * records, exactly as `adoption load` would load the same page from a file. A page's rows and its stream's
 * new cursor commit in one transaction, so a sync that stops anywhere (Zendesk down, the process killed)
 * leaves whole pages, and the next sync resumes after the last page committed: no gap, no duplicate.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../../config/config.js';
import type { Database } from '../../db/connection.js';
import { SourcesRepository, type SourceRow } from '../../db/repositories/sources.repository.js';
import { loadFiles } from '../../ingest/load.js';
import type { ZendeskSettings } from '../registry.js';
import { unseal } from '../vault.js';
import { ZendeskClient } from './client.js';
import { STREAMS, type Page, type Stream, type StreamName } from './streams.js';

/** What a sync did to one stream: the loader's counts over its pages, and the pages fetched. */
export interface StreamCounts {
	accepted: number;
	updated: number;
	skipped: number;
	rejected: number;
	pages: number;
}

/** What `adoption sync zendesk` prints (tickets first), with the loads it made. */
export interface ZendeskSyncDoc {
	tickets: StreamCounts;
	/** The metric sets sideloaded with the tickets (`pages`: the tickets pages that carried some). */
	ticket_metrics: StreamCounts;
	users: StreamCounts;
	organizations: StreamCounts;
	load_ids: number[];
}

/** Options of {@link syncZendesk}; `fetch` and `sleep` replace the real ones (tests). */
export interface SyncOptions {
	onProgress?: (message: string) => void;
	fetch?: typeof fetch;
	sleep?: (ms: number) => Promise<void>;
}

type Kind = StreamName | 'ticket_metrics';

/** One sync under way. */
interface Run {
	db: Database;
	config: Config;
	sourceId: number;
	subdomain: string;
	client: ZendeskClient;
	/** Where each page is written for the loader (removed when the sync ends). */
	dir: string;
	doc: ZendeskSyncDoc;
	progress: (message: string) => void;
}

const CURSOR_SQL = `INSERT INTO source_cursors (source_id, stream, cursor, updated_at) VALUES ($1, $2, $3, now()::TIMESTAMP)
	ON CONFLICT (source_id, stream) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at`;

const counts = (): StreamCounts => ({ accepted: 0, updated: 0, skipped: 0, rejected: 0, pages: 0 });

/** A Zendesk ticket record listed as deleted (the loader skips it, or marks a loaded one deleted). */
function isDeleted(record: unknown): boolean {
	return typeof record === 'object' && record !== null && String((record as { status?: unknown }).status).toLowerCase() === 'deleted';
}

/** A value's `key` as text, for comparing ids whether Zendesk sent them as numbers or strings. */
function field(record: unknown, key: string): string | undefined {
	const v = typeof record === 'object' && record !== null ? (record as Record<string, unknown>)[key] : undefined;
	return v === undefined || v === null ? undefined : String(v);
}

/**
 * Syncs a Zendesk source into `db`: for each stream (organizations, users, tickets) the pages changed since
 * its stored cursor, each loaded by the Zendesk file loader with `config`'s fact updates. Satisfaction
 * ratings arrive with their tickets: the loader turns each `satisfaction_rating` answered good or bad into
 * a CSAT survey row, so there is no separate ratings stream. Ticket metrics are the metric sets sideloaded
 * on each tickets page (see `streams.ts`), loaded right after the page's tickets; the page's cursor commits
 * with the last of the two. On success the source's `last_success_at` is set; on failure its `last_error`
 * holds the one-line reason, which is thrown too, and what was committed stays. A source that is not
 * active (paused, revoked) is refused before any request. The token is never in a message.
 */
export async function syncZendesk(db: Database, config: Config, source: SourceRow, options: SyncOptions = {}): Promise<ZendeskSyncDoc> {
	const repo = new SourcesRepository(db.kysely);
	const sourceId = Number(source.source_id);
	// The row as it is now: the source may have been paused since the caller read it.
	const current = await repo.byId(sourceId);
	if (!current) throw new Error(`there is no source ${sourceId} (adoption sources list)`);
	if (current.kind !== 'zendesk') throw new Error(`source '${current.name}' is a ${current.kind} source, not a Zendesk one`);
	if (current.state === 'paused') throw new Error(`source '${current.name}' is paused: resume it to sync (adoption sources resume)`);
	if (current.state === 'revoked') throw new Error(`source '${current.name}' is revoked: add a new Zendesk source to sync`);
	await repo.ran(sourceId, { last_run_at: new Date().toISOString() });

	const secrets: string[] = [];
	const progress = options.onProgress ?? (() => {});
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'adoption-zendesk-'));
	try {
		const sealed = await repo.secret(sourceId);
		if (!sealed) throw new Error(`source '${current.name}' has no Zendesk token: give it one`);
		const token = unseal(db.path, sealed);
		const settings = JSON.parse(current.settings) as ZendeskSettings;
		const credentials = settings.auth === 'oauth' ? token : Buffer.from(`${settings.email}/token:${token}`).toString('base64');
		secrets.push(token, credentials);
		const z = config.sources.zendesk;
		const client = new ZendeskClient({
			baseUrl: (settings.url ?? `https://${settings.subdomain}.zendesk.com`).replace(/\/+$/, ''),
			authorization: `${settings.auth === 'oauth' ? 'Bearer' : 'Basic'} ${credentials}`,
			requestsPerMinute: z.requestsPerMinute,
			giveUpAfterMs: z.giveUpAfterMinutes * 60_000,
			fetch: options.fetch,
			sleep: options.sleep,
			onRetry: progress
		});
		const doc: ZendeskSyncDoc = { tickets: counts(), ticket_metrics: counts(), users: counts(), organizations: counts(), load_ids: [] };
		const run: Run = { db, config, sourceId, subdomain: settings.subdomain, client, dir, doc, progress };
		const cursors = await repo.cursors(sourceId);
		for (const stream of STREAMS) await syncStream(run, stream, cursors[stream.name]);
		await repo.succeeded(sourceId);
		return doc;
	} catch (err) {
		let message = (err instanceof Error ? err.message : String(err)).replace(/\s*\n\s*/g, ' ');
		for (const secret of secrets) message = message.replaceAll(secret, '[token]');
		await repo.failed(sourceId, message);
		// eslint-disable-next-line preserve-caught-error -- the cause is left out: its text is not redacted.
		throw new Error(message);
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

/** Fetches and commits the pages of `stream` after `cursor` until Zendesk says it has given everything. */
async function syncStream(run: Run, stream: Stream, cursor: string | undefined): Promise<void> {
	const pageSize = run.config.sources.zendesk.pageSize;
	let records = 0;
	for (let n = 1; ; n++) {
		const page = stream.page(await run.client.get(stream.request(cursor, pageSize), `Zendesk ${stream.name}`), cursor);
		run.doc[stream.name].pages++;
		await commit(run, stream.name, page, cursor, n);
		records += page.records.length;
		run.progress(`Zendesk ${stream.name}: page ${n}, ${records.toLocaleString('en-US')} records`);
		cursor = page.cursor;
		if (page.done) return;
	}
}

/**
 * Loads a page and commits its stream's new cursor with it: in the load's transaction, or (the page
 * bringing nothing, as the last page of an export often does) alone. A tickets page loads its tickets,
 * then their metric sets, the cursor going with the second: should the process stop between the two, the
 * next sync fetches the page again and its tickets are skipped as unchanged.
 */
async function commit(run: Run, name: StreamName, page: Page, previous: string | undefined, n: number): Promise<void> {
	const next = page.cursor;
	const writeCursor = async (conn: DuckDBConnection) => {
		if (next !== undefined) await conn.run(CURSOR_SQL, [run.sourceId, name, next]);
	};
	const loads: [Kind, unknown[]][] = [];
	if (page.records.length) loads.push([name, page.records]);
	const metrics = liveMetrics(run, page);
	if (metrics.length) loads.push(['ticket_metrics', metrics]);
	if (!loads.length) {
		if (next === undefined || next === previous) return;
		const conn = await run.db.connect();
		try {
			await writeCursor(conn);
		} finally {
			conn.closeSync();
		}
		return;
	}
	for (const [i, [kind, records]] of loads.entries()) {
		await loadPage(run, kind, records, n, i === loads.length - 1 ? writeCursor : undefined);
	}
	if (metrics.length) run.doc.ticket_metrics.pages++;
}

/**
 * The page's metric sets but those of tickets it lists as deleted (counted as skipped): the loader skips
 * those tickets, so their metrics would find no ticket to update and be rejected for it.
 */
function liveMetrics(run: Run, page: Page): unknown[] {
	if (!page.metricSets.length) return [];
	const deleted = new Set(page.records.filter(isDeleted).map((t) => field(t, 'id')));
	const live = page.metricSets.filter((m) => !deleted.has(field(m, 'ticket_id')));
	run.doc.ticket_metrics.skipped += page.metricSets.length - live.length;
	return live;
}

/**
 * Writes `records` as a `{"<kind>": […]}` export and loads it, adding its counts to the doc. Zendesk ids
 * (13 digits today) are far below 2^53, so parsing the page and writing it again keeps them exact.
 */
async function loadPage(
	run: Run,
	kind: Kind,
	records: unknown[],
	n: number,
	beforeCommit?: (conn: DuckDBConnection) => Promise<void>
): Promise<void> {
	const file = path.join(run.dir, `zendesk-${run.subdomain}-${kind}-page-${n}.json`);
	await fs.promises.writeFile(file, JSON.stringify({ [kind]: records }));
	try {
		const [r] = await loadFiles(run.db, [file], { format: 'zendesk', config: run.config, sourceId: run.sourceId, beforeCommit });
		if (!r.ok) throw new Error(`Zendesk ${kind}: page ${n} could not be loaded: ${(r.error ?? 'unknown error').replace(`${file}: `, '')}`);
		const c = run.doc[kind];
		c.accepted += r.accepted;
		c.updated += r.updated;
		c.skipped += r.skipped;
		c.rejected += r.rejected;
		run.doc.load_ids.push(r.load_id);
	} finally {
		await fs.promises.rm(file, { force: true });
	}
}
