import { openDatabase, resolveDbPath, type Database } from './connection.js';

/**
 * Runs `fn` on the app's database (`ADOPTION_DB`, else the default file), opened read-only for this
 * request only: DuckDB lets one process write a file, so holding it open would block `adoption load`
 * while the app is being served. Opening a file takes milliseconds.
 */
export async function withDatabase<T>(fn: (db: Database) => Promise<T>): Promise<T> {
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
