import { AuditRepository } from '$lib/server/db/repositories/audit.repository.js';
import { readDatabase } from '../db.server.js';
import { intParam, PAGE_SIZE } from '../params.js';
import { auditQuery } from './audit.server.js';
import type { PageServerLoad } from './$types';

/** The audit log for a leader: who changed what, when and from where, filtered and paged (newest first). */
export const load: PageServerLoad = async ({ url }) => {
	const { filter, values } = auditQuery(url);
	const page = intParam(url, 'page', { min: 1 }) ?? 1;
	const offset = (page - 1) * PAGE_SIZE;
	return readDatabase(async (db) => {
		const audit = new AuditRepository(db.kysely);
		const [rows, total, choices] = await Promise.all([
			audit.list(filter, { limit: PAGE_SIZE, offset }),
			audit.count(filter),
			audit.choices()
		]);
		return { rows, total, choices, values, page, pageSize: PAGE_SIZE, offset };
	});
};
