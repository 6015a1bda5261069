import { json } from '@sveltejs/kit';
import { readMemo } from '$lib/server/cache/reads.js';
import { readRequestSchema, runRead } from '$lib/server/jobs/reads.js';
import { readDatabase } from '../../db.server.js';
import { handoffRequest } from '../handoff.server.js';
import type { RequestHandler } from './$types';

/**
 * `POST /api/reads` `{"kind": "metrics"|"list"|"cohorts", "params": {…}}`: what `adoption metrics|cohorts`
 * print, computed on the database this server owns (the CLI cannot open it meanwhile). Local CLI only.
 */
export const POST: RequestHandler = async ({ request }) => {
	const read = await handoffRequest(request, readRequestSchema, 'read');
	// Metrics the pages computed under the same filters are not computed again.
	return json(await readDatabase(async (db) => runRead(db, read, await readMemo(db))));
};
