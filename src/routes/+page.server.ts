import { getStatus } from '$lib/server/status.js';
import { readCached } from './db.server.js';
import type { PageServerLoad } from './$types';

/** The overview: rows per table, the span of the data, the latest loads and what they rejected. */
export const load: PageServerLoad = async () => {
	const status = await readCached(['status'], (db) => getStatus(db));
	return { status };
};
