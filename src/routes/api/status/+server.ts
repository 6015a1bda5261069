import { json } from '@sveltejs/kit';
import { statusDoc } from '$lib/server/jobs/channel.js';
import { readCached } from '../../db.server.js';
import type { RequestHandler } from './$types';

/** `GET /api/status`: what is loaded, in the shape of `adoption status --json`. */
export const GET: RequestHandler = async () => {
	return json(await readCached(['status-doc'], statusDoc));
};
