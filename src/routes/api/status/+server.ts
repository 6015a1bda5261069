import { json } from '@sveltejs/kit';
import { getStatus } from '$lib/server/status.js';
import { readDatabase } from '../../db.server.js';
import type { RequestHandler } from './$types';

/** `GET /api/status`: what is loaded, in the shape of `adoption status --json`. */
export const GET: RequestHandler = async () => {
	const s = await readDatabase((db) => getStatus(db));
	return json({ tables: s.tables, range: s.range, loads: s.loads, rejected_total: s.rejected_total });
};
