import { json } from '@sveltejs/kit';
import { isOwner } from '$lib/server/db/owner.js';
import { jobRequestSchema } from '$lib/server/jobs/kinds.js';
import { jobQueue } from '$lib/server/jobs/queue.js';
import { jobEventStream } from '$lib/server/jobs/stream.js';
import { readDatabase } from '../../db.server.js';
import { handoffRequest } from '../handoff.server.js';
import type { RequestHandler } from './$types';

/** `GET /api/jobs`: the latest 50 jobs, newest first, with live progress for the running one. */
export const GET: RequestHandler = async () => {
	if (!isOwner()) return json({ jobs: [] });
	return json({ jobs: await readDatabase(async (db) => (await jobQueue(db)).list()) });
};

/**
 * `POST /api/jobs` `{"kind": "load"|"train"|"score"|"derive", "params": {…}}`: queues a writing job. Until people
 * sign in, only the local CLI may submit, with the token of the handoff file beside the database (readable
 * by its owner only). `?watch` streams the job's events as NDJSON until it ends; else 202 with the job.
 */
export const POST: RequestHandler = async ({ request, url }) => {
	const job = await handoffRequest(request, jobRequestSchema, 'job');
	return readDatabase(async (db) => {
		const queue = await jobQueue(db);
		const queued = await queue.submit(job.kind, job.params);
		if (!url.searchParams.has('watch')) return json(queued, { status: 202 });
		return new Response(jobEventStream(queue, queued), {
			headers: { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' }
		});
	});
};
