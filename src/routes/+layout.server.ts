import path from 'node:path';
import { resolveDbPath } from '$lib/server/db/connection.js';
import { authorize } from '$lib/server/auth/policy.js';
import { NAV_PATHS } from '$lib/components/nav.js';
import type { LayoutServerLoad } from './$types';

/**
 * The database file the app reads, shown in the header so nobody wonders which data they are looking at,
 * and who is looking: a signed-in person (with a way out), or the local visitor of local mode (with the
 * banner saying anyone on this machine can act).
 */
export const load: LayoutServerLoad = ({ locals, url }) => {
	const dbPath = resolveDbPath();
	const p = locals.principal;
	// The header links only to pages this principal may open (the policy decides, as for the request itself).
	const pages = NAV_PATHS.filter((path) => authorize(path, 'GET', p, url) === null);
	const who = p?.kind === 'person' ? { kind: 'person' as const, email: p.email, name: p.name, role: p.role } : p ? { kind: p.kind } : null;
	return { dbPath, dbFile: path.basename(dbPath), dbAbsolute: path.resolve(dbPath), who, pages };
};
