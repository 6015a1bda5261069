import { error, json } from '@sveltejs/kit';
import { localActor } from '$lib/server/auth/audit.js';
import { PeopleError, peopleRequestSchema, runPeople } from '$lib/server/auth/people.js';
import { readDatabase } from '../../db.server.js';
import { handoffRequest } from '../handoff.server.js';
import type { RequestHandler } from './$types';

/**
 * `POST /api/people` `{"kind": "add"|"list"|"disable"|"reset", "params": {…}}`: what `adoption user …`
 * does, on the database this server owns (the CLI cannot open it meanwhile). Local CLI only: the
 * handoff file's token stands for the file's owner, who is the actor in the audit log.
 */
export const POST: RequestHandler = async ({ request }) => {
	const req = await handoffRequest(request, peopleRequestSchema, 'people');
	return readDatabase(async (db) => {
		try {
			return json(await runPeople(db, req, localActor()));
		} catch (err) {
			if (err instanceof PeopleError) error(err.status, err.message);
			throw err;
		}
	});
};
