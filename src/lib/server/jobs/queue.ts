/**
 * The server's jobs: writing work (see `kinds.ts`) run one at a time, in the order it was submitted, on
 * the database the server owns, while readers go on (DuckDB's MVCC within one process). Each job is a
 * row of `jobs` (state, progress, the CLI's result document, the error in one line) and a stream of
 * events for whoever watches it (the CLI that submitted it, the Jobs page). A job the server was running
 * when it died is marked failed when the server starts again; its load's open transaction died with it,
 * so the database is as before it.
 */
import { jobEnded, jobStarted } from '../cache/version.js';
import type { Database } from '../db/connection.js';
import { runJob, type JobKind, type JobOutcome, type JobParams, type JobProgress } from './kinds.js';

export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** A job as the API and the Jobs page show it. */
export interface Job {
	job_id: number;
	kind: JobKind;
	params: unknown;
	state: JobState;
	/** The latest progress: a message, and for loads the file, its position and DuckDB's percent. */
	progress: JobProgress | null;
	/** The document the CLI prints (also for a load that failed on some files). */
	result: unknown;
	error: string | null;
	created_at: string;
	started_at: string | null;
	finished_at: string | null;
}

/** What a watcher hears: the job as queued, progress while it runs, then the job as it ended. */
export type JobEvent = { type: 'queued'; job: Job } | { type: 'progress'; progress: JobProgress } | { type: 'done'; job: Job };

type Row = Omit<Job, 'params' | 'progress' | 'result'> & { params: string; progress: string | null; result: string | null };
const parse = (r: Row): Job => ({
	...r,
	params: JSON.parse(r.params),
	progress: r.progress ? JSON.parse(r.progress) : null,
	result: r.result ? JSON.parse(r.result) : null
});
const COLUMNS = 'job_id, kind, params, state, progress, result, error, created_at, started_at, finished_at';

/** Progress is written to the table at most this often (watchers hear every event). */
const PROGRESS_EVERY_MS = 1000;

/** The job queue of one owned database. */
export class JobQueue {
	private tail: Promise<void> = Promise.resolve();
	private inserts: Promise<unknown> = Promise.resolve();
	private readonly watchers = new Map<number, Set<(e: JobEvent) => void>>();
	private readonly live = new Map<number, JobProgress>();
	private readonly ended = new Set<(job: Job) => void>();

	constructor(private readonly db: Database) {}

	/** Marks the jobs a previous server process left queued or running as failed (their work was rolled back). */
	async recover(): Promise<number> {
		const rows = await this.db.query<{ Count: number }>(
			`UPDATE jobs SET state = 'failed', error = 'the server stopped before the job finished; nothing it was writing was kept', finished_at = now()
			 WHERE state IN ('queued', 'running')`
		);
		return Number(rows[0]?.Count ?? 0);
	}

	/** Queues a job; it runs after those before it. */
	async submit<K extends JobKind>(kind: K, params: JobParams[K]): Promise<Job> {
		// One insert at a time, so job ids, the queue and the order jobs run in all agree.
		const inserted = this.inserts.then(() =>
			this.db.query<Row>(
				`INSERT INTO jobs (job_id, kind, params, state, created_at) VALUES (nextval('job_id_seq'), $1, $2, 'queued', now()) RETURNING ${COLUMNS}`,
				[kind, JSON.stringify(params)]
			)
		);
		this.inserts = inserted.catch(() => {});
		const job = parse((await inserted)[0]);
		// A job that fails to even record its end must not stop the ones queued after it.
		this.tail = this.tail.then(() => this.run(job, kind, params)).catch(() => {});
		return job;
	}

	/**
	 * Runs writing work that is not a job of its own (a micro-batch of tracked calls: a row in `jobs` every
	 * second would bury the real ones) in the queue's order, between jobs, as the one writer.
	 */
	exclusive<T>(work: () => Promise<T>): Promise<T> {
		const run = this.tail.then(async () => {
			jobStarted();
			try {
				return await work();
			} finally {
				jobEnded();
			}
		});
		this.tail = run.then(
			() => {},
			() => {}
		);
		return run;
	}

	/** Hears `id`'s events until it ends; returns a function that stops listening. */
	watch(id: number, listener: (e: JobEvent) => void): () => void {
		const set = this.watchers.get(id) ?? new Set();
		set.add(listener);
		this.watchers.set(id, set);
		return () => set.delete(listener);
	}

	/** Calls `listener` after each job has ended (and its end was recorded). */
	afterEach(listener: (job: Job) => void): void {
		this.ended.add(listener);
	}

	/** One job, with its live progress while it runs. */
	async get(id: number): Promise<Job | null> {
		const [row] = await this.db.query<Row>(`SELECT ${COLUMNS} FROM jobs WHERE job_id = $1`, [id]);
		return row ? this.withLive(parse(row)) : null;
	}

	/** The latest jobs, newest first. */
	async list(limit = 50): Promise<Job[]> {
		const rows = await this.db.query<Row>(`SELECT ${COLUMNS} FROM jobs ORDER BY job_id DESC LIMIT ${Math.max(1, Math.floor(limit))}`);
		return rows.map((r) => this.withLive(parse(r)));
	}

	private withLive(job: Job): Job {
		const p = this.live.get(job.job_id);
		return p && job.state === 'running' ? { ...job, progress: p } : job;
	}

	private emit(id: number, e: JobEvent): void {
		for (const listener of this.watchers.get(id) ?? []) {
			try {
				listener(e);
			} catch {
				// A watcher that went away (its stream closed) must not stop the job or the others.
			}
		}
	}

	private async run<K extends JobKind>(job: Job, kind: K, params: JobParams[K]): Promise<void> {
		jobStarted();
		let ended: Job;
		try {
			ended = await this.runJob(job, kind, params);
		} finally {
			jobEnded();
		}
		for (const listener of this.ended) listener(ended);
	}

	/** Runs the job and records its end; resolves with the job as it ended. */
	private async runJob<K extends JobKind>(job: Job, kind: K, params: JobParams[K]): Promise<Job> {
		const id = job.job_id;
		await this.db.query(`UPDATE jobs SET state = 'running', started_at = now() WHERE job_id = $1`, [id]);
		// The job's row is written one statement at a time: two concurrent UPDATEs of one row are a DuckDB
		// write-write conflict, and a lost final UPDATE would leave the job running for ever.
		let writes: Promise<unknown> = Promise.resolve();
		let written = 0;
		const progress = (p: JobProgress) => {
			this.live.set(id, p);
			this.emit(id, { type: 'progress', progress: p });
			if (Date.now() - written < PROGRESS_EVERY_MS) return;
			written = Date.now();
			writes = writes.then(() => this.db.query(`UPDATE jobs SET progress = $1 WHERE job_id = $2`, [JSON.stringify(p), id])).catch(() => {});
		};
		let outcome: JobOutcome | null = null;
		let error: string | null;
		try {
			outcome = await runJob(this.db, kind, params, progress);
			error = outcome.failure ?? null;
		} catch (err) {
			error = (err instanceof Error ? err.message : String(err)).split('\n')[0];
		}
		await writes;
		this.live.delete(id);
		let ended: Job;
		try {
			const [row] = await this.db.query<Row>(
				`UPDATE jobs SET state = $1, result = $2, error = $3, progress = NULL, finished_at = now() WHERE job_id = $4 RETURNING ${COLUMNS}`,
				[error ? 'failed' : 'succeeded', outcome ? JSON.stringify(outcome.doc) : null, error, id]
			);
			ended = parse(row);
		} catch (err) {
			// Recording the end failed (the disk is full, say): whoever watches still hears how the job ended.
			const why = `the job ended but its end could not be recorded: ${(err as Error).message.split('\n')[0]}`;
			const now = new Date().toISOString();
			ended = { ...job, state: 'failed', result: outcome?.doc ?? null, error: error ?? why, started_at: now, finished_at: now };
		}
		this.emit(id, { type: 'done', job: ended });
		this.watchers.delete(id);
		return ended;
	}
}

let queue: { db: Database; queue: Promise<JobQueue> } | null = null;

/** The queue of the owned database, recovered once when first asked for. */
export function jobQueue(db: Database): Promise<JobQueue> {
	if (queue?.db === db) return queue.queue;
	const q = new JobQueue(db);
	queue = { db, queue: q.recover().then(() => q) };
	return queue.queue;
}
