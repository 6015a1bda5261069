import { json } from '@sveltejs/kit';
import { LoadsRepository } from '$lib/server/db/repositories/loads.repository.js';
import { readDatabase } from '../../db.server.js';
import { intParam, MAX_LIMIT, PAGE_SIZE } from '../../params.js';
import type { RequestHandler } from './$types';

/**
 * `GET /api/rejected?load=N&source=S&limit=&offset=`: a page of rejected rows (all loads unless `load` or a
 * live source's `source` is given), with the total so a script can page through: `{load, source, total, limit, offset, rows}`.
 */
export const GET: RequestHandler = async ({ url }) => {
	const loadId = intParam(url, 'load', { min: 1 });
	const sourceId = intParam(url, 'source', { min: 1 });
	const limit = intParam(url, 'limit', { min: 1, max: MAX_LIMIT }) ?? PAGE_SIZE;
	const offset = intParam(url, 'offset') ?? 0;
	const body = await readDatabase(async (db) => {
		const loads = new LoadsRepository(db.kysely);
		const [total, rows] = await Promise.all([
			loads.countRejected({ loadId, sourceId }),
			loads.rejectedRows({ loadId, sourceId, limit, offset })
		]);
		return { load: loadId ?? null, source: sourceId ?? null, total, limit, offset, rows };
	});
	return json(body);
};
