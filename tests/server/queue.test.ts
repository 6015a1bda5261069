/**
 * The job queue: jobs run one at a time in the order submitted, each watcher hears the job queued, its
 * progress and its end, and every job ends (a job whose last progress and end are written at once used
 * to lose its end to a write-write conflict on its row, and stayed `running` for ever).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/lib/server/db/connection.js';
import { JobQueue, type Job, type JobEvent } from '../../src/lib/server/jobs/queue.js';
import { fixture, memoryDb } from '../helpers.js';

let db: Database;
afterEach(() => db?.close());

/** Submits a job and resolves with the events its watcher heard, once it has ended. */
async function watched(queue: JobQueue, job: Promise<Job>): Promise<JobEvent[]> {
	const { job_id } = await job;
	const events: JobEvent[] = [];
	return new Promise((resolve) => {
		queue.watch(job_id, (e) => {
			events.push(e);
			if (e.type === 'done') resolve(events);
		});
	});
}

describe('the job queue', () => {
	it('ends every job, also a failed load whose only progress comes as it ends', async () => {
		db = await memoryDb();
		const queue = new JobQueue(db);
		for (let i = 0; i < 15; i++) {
			const events = await watched(queue, queue.submit('load', { paths: [fixture('ingest', 'binary.csv')] }));
			const done = events.at(-1) as Extract<JobEvent, { type: 'done' }>;
			expect(done.job).toMatchObject({ state: 'failed', error: expect.stringMatching(/binary content/) });
			expect((await queue.get(done.job.job_id))?.state).toBe('failed');
		}
	});

	it('runs jobs one after another in the order submitted, with progress before each end, and says when each has ended', async () => {
		db = await memoryDb();
		const queue = new JobQueue(db);
		const ended: number[] = [];
		queue.afterEach((job) => ended.push(job.job_id));
		const files = ['accounts.csv', 'users.csv', 'tickets.csv'].map((f) => fixture('ingest', f));
		const jobs = files.map((f) => queue.submit('load', { paths: [f] }));
		const heard = await Promise.all(jobs.map((j) => watched(queue, j)));
		for (const events of heard) {
			const done = events.at(-1) as Extract<JobEvent, { type: 'done' }>;
			expect(done.job.state).toBe('succeeded');
			expect(events.some((e) => e.type === 'progress')).toBe(true);
		}
		const [a, b, c] = heard.map((e) => (e.at(-1) as Extract<JobEvent, { type: 'done' }>).job);
		expect([a, b, c].map((j) => j.job_id)).toEqual([1, 2, 3]);
		expect(Date.parse(b.started_at!)).toBeGreaterThanOrEqual(Date.parse(a.finished_at!));
		expect(Date.parse(c.started_at!)).toBeGreaterThanOrEqual(Date.parse(b.finished_at!));
		expect((await queue.list()).map((j) => j.state)).toEqual(['succeeded', 'succeeded', 'succeeded']);
		expect(ended).toEqual([1, 2, 3]);
	});

	it('marks the jobs a dead server left queued or running as failed when it starts again', async () => {
		db = await memoryDb();
		await db.query(
			`INSERT INTO jobs (job_id, kind, params, state, created_at) VALUES (nextval('job_id_seq'), 'load', '{"paths":["/x.csv"]}', 'running', now())`
		);
		const queue = new JobQueue(db);
		expect(await queue.recover()).toBe(1);
		expect((await queue.list())[0]).toMatchObject({
			state: 'failed',
			error: expect.stringMatching(/server stopped before the job finished/)
		});
	});
});
