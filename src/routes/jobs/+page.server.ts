import { isOwner } from '$lib/server/db/owner.js';
import { jobQueue } from '$lib/server/jobs/queue.js';
import { readDatabase } from '../db.server.js';
import type { PageServerLoad } from './$types';

/** The Jobs page: the latest writing jobs (loads, training, scoring) with live progress; none unless the server owns its database. */
export const load: PageServerLoad = async () => {
	if (!isOwner()) return { owner: false, jobs: [] };
	return { owner: true, jobs: await readDatabase(async (db) => (await jobQueue(db)).list()) };
};
