import { error, json } from '@sveltejs/kit';
import { loadConfig } from '$lib/server/config/config.js';
import { triageTickets } from '$lib/server/triage/triage.js';
import { readDatabase } from '../../db.server.js';
import type { RequestHandler } from './$types';

/**
 * `GET /api/triage?ticket=ID&ticket=ID…`: each ticket's topic (and how it was decided), suggested queue and
 * the requester's self-service trail before it; without `ticket`, the recent unsolved tickets.
 */
export const GET: RequestHandler = async ({ url }) => {
	const unknown = [...url.searchParams.keys()].find((k) => k !== 'ticket');
	if (unknown) error(400, `Unknown query parameter '${unknown}': use ticket.`);
	const ids = url.searchParams.getAll('ticket').filter((t) => t !== '');
	if (ids.length > 1000) error(400, "Query parameter 'ticket': at most 1,000 tickets at once.");
	return json({ tickets: await readDatabase((db) => triageTickets(db, loadConfig(), ids, ids.length || 100)) });
};
