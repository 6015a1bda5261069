import { loadConfig } from '$lib/server/config/config.js';
import { triageTickets } from '$lib/server/triage/triage.js';
import { readDatabase } from '../db.server.js';
import type { PageServerLoad } from './$types';

/** The recent unsolved tickets (or the ones named by `?ticket=`), each with its topic, queue and self-service trail. */
export const load: PageServerLoad = async ({ url }) => {
	const config = loadConfig();
	const ids = url.searchParams
		.getAll('ticket')
		.filter((t) => t !== '')
		.slice(0, 100);
	return {
		ids,
		recentDays: config.triage.recentDays,
		tickets: await readDatabase((db) => triageTickets(db, config, ids, ids.length || 100))
	};
};
