import path from 'node:path';
import { error, json } from '@sveltejs/kit';
import { actorOf, audit } from '$lib/server/auth/audit.js';
import { isOwner } from '$lib/server/db/owner.js';
import { jobQueue } from '$lib/server/jobs/queue.js';
import { BadUpload, batchFiles } from '$lib/server/uploads/store.js';
import { readDatabase } from '../../../db.server.js';
import type { RequestHandler } from './$types';

/** `POST /api/uploads/<batch>`: loads the batch's files as one job (the same detection, validation and report as `adoption load`), audited as started by whoever asked. */
export const POST: RequestHandler = async ({ params, locals, getClientAddress }) => {
	if (!isOwner()) error(503, 'Uploads need the server to own the database: start the app with adoption serve.');
	let paths: string[];
	try {
		paths = batchFiles(params.batch);
	} catch (err) {
		if (err instanceof BadUpload) error(400, err.message);
		throw err;
	}
	if (!paths.length) error(400, `Upload batch ${params.batch} has no files: upload them first.`);
	const job = await readDatabase(async (db) => {
		const queued = await (await jobQueue(db)).submit('load', { paths });
		const files = paths.map((p) => path.basename(p));
		await audit(db.kysely, actorOf(locals.principal, getClientAddress()), {
			action: 'load.start',
			object: `job:${queued.job_id}`,
			after: { files }
		});
		return queued;
	});
	return json(job, { status: 202 });
};
