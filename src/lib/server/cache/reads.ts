/**
 * Read results cached by (what, parameters, config, data version): a page on unchanged data does not
 * recompute; the first view after a load or a scoring run does, and only for what it shows. Bounded by
 * bytes (an LRU from `lru-cache`, sized by each result's JSON); identical reads that miss at the same
 * time compute once. Results are shared between requests: callers must not change them.
 */
import { LRUCache } from 'lru-cache';
import type { Database } from '../db/connection.js';
import { dataVersion } from './version.js';

/** The cache's size: `ADOPTION_CACHE_MB` megabytes of results' JSON (default 64). */
function maxBytes(): number {
	const mb = Number(process.env.ADOPTION_CACHE_MB ?? 64);
	return (Number.isFinite(mb) && mb > 0 ? mb : 64) * 1024 * 1024;
}

const results = new LRUCache<string, { value: unknown }>({
	maxSize: maxBytes(),
	// JSON length in UTF-16 code units, two bytes each: near enough to what the objects hold, and what a response sends.
	sizeCalculation: (entry) => Math.max(1, 2 * (JSON.stringify(entry.value)?.length ?? 1))
});
const inFlight = new Map<string, Promise<unknown>>();

/**
 * `compute()`'s result for `key` (anything JSON: what is read, its parameters, the config it depends on)
 * at the database's current data version, from the cache when it is there.
 */
export async function cachedRead<T>(db: Database, key: unknown, compute: () => Promise<T>): Promise<T> {
	return (await readMemo(db))(key, compute);
}

/** {@link cachedRead} at one data version, read once: for a read made of many cached parts (each metric of a page). */
export type Memo = <T>(key: unknown, compute: () => Promise<T>) => Promise<T>;

/** A {@link Memo} at the database's current data version. */
export async function readMemo(db: Database): Promise<Memo> {
	const version = await dataVersion(db);
	return <T>(key: unknown, compute: () => Promise<T>): Promise<T> => {
		const full = JSON.stringify([key, version]);
		const hit = results.get(full);
		if (hit) return Promise.resolve(hit.value as T);
		const pending = inFlight.get(full);
		if (pending) return pending as Promise<T>;
		const run = compute()
			.then((value) => {
				results.set(full, { value });
				return value;
			})
			.finally(() => inFlight.delete(full));
		inFlight.set(full, run);
		return run;
	};
}

/** Empties the cache (tests). */
export function clearReadCache(): void {
	results.clear();
}
