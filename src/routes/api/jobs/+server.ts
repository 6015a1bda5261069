import { error, json } from '@sveltejs/kit';
import { handoffToken, isOwner } from '$lib/server/db/owner.js';
import { jobRequestSchema } from '$lib/server/jobs/kinds.js';
import { jobQueue } from '$lib/server/jobs/queue.js';
import { jobEventStream } from '$lib/server/jobs/stream.js';
import { readDatabase } from '../../db.server.js';
import type { RequestHandler } from './$types';

/** `GET /api/jobs`: the latest 50 jobs, newest first, with live progress for the running one. */
export const GET: RequestHandler = async () => {
	if (!isOwner()) return json({ jobs: [] });
	return json({ jobs: await readDatabase(async (db) => (await jobQueue(db)).list()) });
};

/**
 * `POST /api/jobs` `{"kind": "load"|"train"|"score", "params": {…}}`: queues a writing job. Until people
 * sign in, only the local CLI may submit, with the token of the handoff file beside the database (readable
 * by its owner only). `?watch` streams the job's events as NDJSON until it ends; else 202 with the job.
 */
export const POST: RequestHandler = async ({ request, url }) => {
	const token = handoffToken();
	if (!token) error(503, 'This process does not own a database: start it with adoption serve.');
	if (request.headers.get('authorization') !== `Bearer ${token}`)
		error(401, 'A job needs the token of the handoff file beside the database.');
	let body: unknown;
	try {
		body = await request.json();
	} catch {
		error(400, 'The request body must be JSON: {"kind": …, "params": {…}}.');
	}
	const parsed = jobRequestSchema.safeParse(body);
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		error(400, `Job request: ${issue.path.join('.') || 'body'} ${issue.message}.`);
	}
	return readDatabase(async (db) => {
		const queue = await jobQueue(db);
		const job = await queue.submit(parsed.data.kind, parsed.data.params);
		if (!url.searchParams.has('watch')) return json(job, { status: 202 });
		return new Response(jobEventStream(queue, job), { headers: { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' } });
	});
};
