import { error, json } from '@sveltejs/kit';
import { isOwner } from '$lib/server/db/owner.js';
import { jobQueue } from '$lib/server/jobs/queue.js';
import { readDatabase } from '../../../db.server.js';
import type { RequestHandler } from './$types';

/** `GET /api/jobs/<id>`: one job: state, progress, result document, error. */
export const GET: RequestHandler = async ({ params }) => {
	const id = /^\d+$/.test(params.id) ? Number(params.id) : NaN;
	if (!Number.isSafeInteger(id)) error(400, `A job id is a whole number, not '${params.id}'.`);
	const job = isOwner() ? await readDatabase(async (db) => (await jobQueue(db)).get(id)) : null;
	if (!job) error(404, `There is no job ${params.id}.`);
	return json(job);
};
