import { json } from '@sveltejs/kit';
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
	return json(await readDatabase((db) => runRead(db, read)));
};
