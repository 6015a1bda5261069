import { openDatabase, resolveDbPath, type Database } from './connection.js';
import { isOwner, ownedDatabase } from './owner.js';

/**
 * Runs `fn` on the app's database (`ADOPTION_DB`, else the default file): in the server, the one it owns
 * (see `owner.ts`); elsewhere opened read-only for this use only, so another process can write between uses.
 */
export async function withDatabase<T>(fn: (db: Database) => Promise<T>): Promise<T> {
	if (isOwner()) return fn(await ownedDatabase());
	const path = resolveDbPath();
	let db: Database;
	try {
		db = await openDatabase(path, { readOnly: true });
	} catch (err) {
		const msg = (err as Error).message;
		if (/lock/i.test(msg)) throw new Error(`the database ${path} is busy (a load is running); reload in a moment`, { cause: err });
		throw err;
	}
	try {
		return await fn(db);
	} finally {
		db.close();
	}
}
