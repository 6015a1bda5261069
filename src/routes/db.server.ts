import { error, isHttpError } from '@sveltejs/kit';
import type { Database } from '$lib/server/db/connection.js';
import { withDatabase } from '$lib/server/db/app.js';
import { cachedRead } from '$lib/server/cache/reads.js';

/**
 * Runs `fn` on the app's database like `withDatabase`, but turns "cannot open the database" failures
 * (no file yet, a load holding the lock, a schema that needs upgrading) into a 503 with a message a
 * person can act on, so pages and endpoints show that message instead of a bare "Internal Error".
 * Anything else (a failing query) stays an unexpected error: SvelteKit logs it and hides the details.
 */
export async function readDatabase<T>(fn: (db: Database) => Promise<T>): Promise<T> {
	try {
		return await withDatabase(fn);
	} catch (err) {
		if (isHttpError(err)) throw err; // `fn` chose its own status (e.g. a 404)
		const message = openFailure(err);
		if (message) error(503, message);
		throw err;
	}
}

/**
 * {@link readDatabase} through the read cache: `fn`'s result for `key` (what is read, its parameters and
 * the config it depends on) is reused until the data changes (see `cache/reads.ts`).
 */
export function readCached<T>(key: unknown, fn: (db: Database) => Promise<T>): Promise<T> {
	return readDatabase((db) => cachedRead(db, key, () => fn(db)));
}

/** The user-facing message for a failure to open the database, or null for any other error. */
function openFailure(err: unknown): string | null {
	const msg = err instanceof Error ? err.message : String(err);
	const missing = /^cannot open database (.+?): .*does not exist/s.exec(msg);
	if (missing) {
		return `There is no database at ${missing[1]} yet. Load data first (npx adoption load FILE…), or point ADOPTION_DB at an existing database.`;
	}
	if (/is busy|needs upgrading|^cannot open database/.test(msg)) return capitalize(msg.split('\n')[0]);
	return null;
}

function capitalize(s: string): string {
	return s.charAt(0).toUpperCase() + s.slice(1);
}
