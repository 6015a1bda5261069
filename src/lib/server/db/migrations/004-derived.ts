import type { Migration } from '../migrate.js';

/**
 * `derived_meta`: which derived tables (precomputed sessions, key events, confusion bursts, automation
 * repeats) are built, from which config (`signature`) and up to which load. The derived tables themselves
 * are caches that `derive/refresh.ts` rebuilds whole; metrics use one only while it is fresh.
 */
export const migration004: Migration = {
	version: 4,
	name: 'derived',
	up: [
		`CREATE TABLE IF NOT EXISTS derived_meta (
			name VARCHAR NOT NULL, signature VARCHAR NOT NULL, load_id INTEGER, rows BIGINT, seconds DOUBLE, refreshed_at TIMESTAMP NOT NULL)`
	]
};
