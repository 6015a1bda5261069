/**
 * From the spool to the tables: every `sources.segment.flushEveryMs` (or sooner, once `flushAtCalls` calls
 * wait) each Segment source's open segment is closed and loaded by the Segment file loader, the same code
 * path as `adoption load segment.jsonl`: one transaction per segment with its facts, its `loads` row (with
 * the source) and the source's mark (`spooled_through`, what it received). Loads take their turn with the
 * server's jobs (`JobQueue.exclusive`), one writer at a time. A paused source keeps spooling; its segments
 * load when it is resumed. Nothing acknowledged is dropped: a segment that fails to load three times is moved
 * to `failed/` in the spool, the error shown on the source.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../config/config.js';
import type { Database } from '../../db/connection.js';
import { SourcesRepository } from '../../db/repositories/sources.repository.js';
import { loadFiles } from '../../ingest/load.js';
import type { JobQueue } from '../../jobs/queue.js';
import { Backlog } from './api.js';
import { Spool, spoolDir, type SpoolSegment } from './spool.js';

const ATTEMPTS = 3;

/** Calls acknowledged into a spool and not yet loaded. */
const waitingIn = (spool: Spool) => spool.openCalls + spool.closed.reduce((n, c) => n + c.calls, 0);

/** What waits in a source's spool, for the Sources page. */
export interface SpoolStatus {
	/** Calls acknowledged and not yet loaded. */
	waiting: number;
	/** When the latest call was acknowledged (this server's lifetime). */
	last_received_at: string | null;
}

export class SegmentIngest {
	private readonly spools = new Map<number, Promise<Spool>>();
	private readonly lastAck = new Map<number, Date>();
	private readonly failures = new Map<string, number>();
	private timer: NodeJS.Timeout | null = null;
	private running: Promise<void> | null = null;
	private again = false;
	private stopped = false;
	/** Stopping: no new timetable, whatever the flush under way does. */
	private closing = false;
	private settings = loadConfig().sources.segment;

	constructor(
		private readonly db: Database,
		private readonly queue: Pick<JobQueue, 'exclusive'>,
		private readonly dir = spoolDir(db.path)
	) {}

	/** Opens the spools a previous run left segments in and loads them; then flushes on the timetable. */
	async start(): Promise<void> {
		const ids = fs.existsSync(this.dir) ? (await fs.promises.readdir(this.dir)).filter((n) => /^\d+$/.test(n)).map(Number) : [];
		await Promise.all(ids.map((id) => this.spool(id)));
		await this.flush();
		this.plan();
	}

	private plan(): void {
		if (this.closing) return;
		// Read once a cycle rather than on every request; a config that no longer parses leaves the last one in force.
		try {
			this.settings = loadConfig().sources.segment;
		} catch {
			// The error shows wherever the config is used for real (loads, pages).
		}
		this.timer = setTimeout(() => {
			this.timer = null;
			void this.flush().finally(() => this.plan());
		}, this.settings.flushEveryMs);
		this.timer.unref();
	}

	/** The spool of a source, opened once. */
	private spool(sourceId: number): Promise<Spool> {
		let s = this.spools.get(sourceId);
		if (!s) {
			s = new SourcesRepository(this.db.kysely)
				.byId(sourceId)
				.then((row) => Spool.open(path.join(this.dir, String(sourceId)), Number(row?.spooled_through ?? 0), this.settings.maxLoadCalls));
			this.spools.set(sourceId, s);
			s.catch(() => this.spools.delete(sourceId));
		}
		return s;
	}

	/**
	 * Makes `text` (JSON lines holding `calls` calls) durable in the source's spool; resolves once it is on
	 * disk, which is when the tracking API may acknowledge it.
	 */
	async accept(sourceId: number, text: string, calls: number): Promise<void> {
		if (this.stopped) throw new Error('the server is stopping');
		const spool = await this.spool(sourceId);
		if (waitingIn(spool) + calls > this.settings.maxWaitingCalls) throw new Backlog(waitingIn(spool));
		await spool.append(text, calls);
		this.lastAck.set(sourceId, new Date());
		if (spool.openCalls >= this.settings.flushAtCalls) void this.flush();
	}

	/** What waits in each spool. */
	async status(): Promise<Map<number, SpoolStatus>> {
		const out = new Map<number, SpoolStatus>();
		for (const [id, s] of this.spools) {
			const spool = await s.catch(() => null);
			if (!spool) continue;
			const waiting = waitingIn(spool);
			out.set(id, { waiting, last_received_at: this.lastAck.get(id)?.toISOString() ?? null });
		}
		return out;
	}

	/**
	 * Closes every open segment and loads what waits, source by source, oldest segment first; a flush asked
	 * for while one runs runs again after it. Resolves when what was acknowledged before the call is loaded
	 * (or waits on a paused source).
	 */
	flush(): Promise<void> {
		if (this.running) {
			this.again = true;
			return this.running;
		}
		this.running = (async () => {
			do {
				this.again = false;
				for (const [id, s] of this.spools) {
					const spool = await s.catch(() => null);
					if (spool) await this.flushSpool(id, spool);
				}
			} while (this.again && !this.stopped);
		})().finally(() => (this.running = null));
		return this.running;
	}

	private async flushSpool(sourceId: number, spool: Spool): Promise<void> {
		await spool.rotate();
		const repo = new SourcesRepository(this.db.kysely);
		while (spool.closed.length > 0 && !this.stopped) {
			const source = await repo.byId(sourceId);
			if (source?.state === 'paused') return;
			const segment = spool.closed[0];
			const loaded = await this.queue.exclusive(() => this.load(sourceId, segment));
			if (loaded) {
				spool.closed.shift();
				this.failures.delete(segment.file);
				await fs.promises.rm(segment.file, { force: true });
				continue;
			}
			const failures = (this.failures.get(segment.file) ?? 0) + 1;
			this.failures.set(segment.file, failures);
			if (failures < ATTEMPTS) return;
			// Kept aside (never deleted), so its calls can be loaded by hand once the cause is fixed.
			const aside = path.join(spool.dir, 'failed', path.basename(segment.file));
			await fs.promises.mkdir(path.dirname(aside), { recursive: true });
			await fs.promises.rename(segment.file, aside);
			await this.db.query(`UPDATE sources SET spooled_through = greatest(spooled_through, $1) WHERE source_id = $2`, [
				segment.seq,
				sourceId
			]);
			await repo.failed(sourceId, `spooled calls could not be loaded ${ATTEMPTS} times; kept in ${aside}`);
			spool.closed.shift();
			this.failures.delete(segment.file);
		}
	}

	/** Loads one segment in one transaction with the source's mark; whether it committed. */
	private async load(sourceId: number, segment: SpoolSegment): Promise<boolean> {
		const config = loadConfig();
		const receivedAt = (this.lastAck.get(sourceId) ?? (await fs.promises.stat(segment.file)).mtime).toISOString();
		const [result] = await loadFiles(this.db, [segment.file], {
			format: 'segment',
			config,
			sourceId,
			maxRejectsListed: 0,
			beforeCommit: async (conn) => {
				await conn.run(
					`UPDATE sources SET spooled_through = $1, received = received + $2,
						last_received_at = greatest(coalesce(last_received_at, $3::TIMESTAMP), $3::TIMESTAMP),
						last_run_at = now()::TIMESTAMP, last_success_at = now()::TIMESTAMP
					 WHERE source_id = $4`,
					[segment.seq, segment.calls, receivedAt.replace('Z', ''), sourceId]
				);
			}
		});
		if (!result.ok) await new SourcesRepository(this.db.kysely).failed(sourceId, result.error ?? 'the spooled calls could not be loaded');
		return result.ok;
	}

	/** Stops the timetable, loads what waits (unless `loadPending` is false), and closes the spools. */
	async stop(options: { loadPending?: boolean } = {}): Promise<void> {
		this.closing = true;
		if (this.timer) clearTimeout(this.timer);
		if (options.loadPending !== false) await this.flush();
		this.stopped = true;
		await this.running;
		for (const s of this.spools.values()) await (await s.catch(() => null))?.close();
	}
}

let service: Promise<SegmentIngest> | null = null;

/** Starts the tracking API's loader on the owned database, once; a start that failed is tried again on the next call. */
export function startSegmentIngest(db: Database, queue: Pick<JobQueue, 'exclusive'>): Promise<SegmentIngest> {
	if (!service) {
		const ingest = new SegmentIngest(db, queue);
		service = ingest.start().then(() => ingest);
		service.catch(() => (service = null));
	}
	return service;
}

/** The loader if this process started one (the server that owns the database), else null. */
export function runningSegmentIngest(): Promise<SegmentIngest> | null {
	return service;
}
