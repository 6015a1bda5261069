import { json } from '@sveltejs/kit';
import { AuditRepository } from '$lib/server/db/repositories/audit.repository.js';
import { readDatabase } from '../../db.server.js';
import { auditQuery } from '../../audit/audit.server.js';
import { intParam, MAX_LIMIT, PAGE_SIZE } from '../../params.js';
import type { RequestHandler } from './$types';

/**
 * `GET /api/audit?actor=&action=&from=&to=&limit=&offset=` (leaders only): the audit log, newest first, each
 * entry's object before and after as JSON; `action` takes an action (`person.add`) or its family (`person`).
 */
export const GET: RequestHandler = async ({ url }) => {
	const { filter } = auditQuery(url);
	const limit = intParam(url, 'limit', { min: 1, max: MAX_LIMIT }) ?? PAGE_SIZE;
	const offset = intParam(url, 'offset') ?? 0;
	return readDatabase(async (db) => {
		const audit = new AuditRepository(db.kysely);
		const [rows, total] = await Promise.all([audit.list(filter, { limit, offset }), audit.count(filter)]);
		const parse = (s: string | null) => (s === null ? null : JSON.parse(s));
		return json({ entries: rows.map((r) => ({ ...r, before: parse(r.before), after: parse(r.after) })), total, limit, offset });
	});
};
