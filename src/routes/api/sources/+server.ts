import { error, json } from '@sveltejs/kit';
import { localActor } from '$lib/server/auth/audit.js';
import { listSources, runSources, SourceError, sourcesRequestSchema } from '$lib/server/sources/registry.js';
import { sourcesStatus } from '$lib/server/sources/status.js';
import { readDatabase } from '../../db.server.js';
import { handoffRequest } from '../handoff.server.js';
import type { RequestHandler } from './$types';

/** `GET /api/sources`: every live source with its state, what it brought in and what waits (never a key or a token). */
export const GET: RequestHandler = () => readDatabase(async (db) => json({ sources: await sourcesStatus(await listSources(db)) }));

/**
 * `POST /api/sources` `{"kind": "add_segment"|"add_zendesk"|"list"|"pause"|"resume"|"revoke"|"rotate"|"token", "params": {…}}`:
 * what `adoption sources …` does, on the database this server owns. Local CLI only (the handoff file's token).
 */
export const POST: RequestHandler = async ({ request }) => {
	const req = await handoffRequest(request, sourcesRequestSchema, 'sources');
	return readDatabase(async (db) => {
		try {
			return json(await runSources(db, req, localActor()));
		} catch (err) {
			if (err instanceof SourceError) error(err.status, err.message);
			throw err;
		}
	});
};
