import path from 'node:path';
import { resolveDbPath } from '$lib/server/db/connection.js';
import type { LayoutServerLoad } from './$types';

/** The database file the app reads, shown in the header so nobody wonders which data they are looking at. */
export const load: LayoutServerLoad = () => {
	const dbPath = resolveDbPath();
	return { dbPath, dbFile: path.basename(dbPath), dbAbsolute: path.resolve(dbPath) };
};
