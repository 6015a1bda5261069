import { error } from '@sveltejs/kit';
import { LoadsRepository } from '$lib/server/db/repositories/loads.repository.js';
import { SourcesRepository } from '$lib/server/db/repositories/sources.repository.js';
import { readDatabase } from '../db.server.js';
import { intParam, PAGE_SIZE } from '../params.js';
import type { PageServerLoad } from './$types';

/** One page of rejected rows (`?load=N` narrows to one load, `?source=S` to a live source's loads, `?page=P` counts from 1). */
export const load: PageServerLoad = async ({ url }) => {
	const loadId = intParam(url, 'load', { min: 1 });
	const sourceId = intParam(url, 'source', { min: 1 });
	const page = intParam(url, 'page', { min: 1 }) ?? 1;
	const offset = (page - 1) * PAGE_SIZE;
	return readDatabase(async (db) => {
		const loads = new LoadsRepository(db.kysely);
		const [load, source, total, rows, perLoad] = await Promise.all([
			loadId === undefined ? undefined : loads.find(loadId),
			sourceId === undefined ? undefined : new SourcesRepository(db.kysely).byId(sourceId),
			loads.countRejected({ loadId, sourceId }),
			loads.rejectedRows({ loadId, sourceId, limit: PAGE_SIZE, offset }),
			loads.rejectCounts()
		]);
		if (loadId !== undefined && !load) error(404, `There is no load #${loadId}. It may belong to another database.`);
		if (sourceId !== undefined && !source) error(404, `There is no source #${sourceId} (see Sources).`);
		return {
			load: load ?? null,
			loadId: loadId ?? null,
			source: source ? { id: Number(source.source_id), name: source.name } : null,
			page,
			pageSize: PAGE_SIZE,
			offset,
			total,
			rows,
			perLoad
		};
	});
};
