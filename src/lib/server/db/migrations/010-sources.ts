import type { Migration } from '../migrate.js';

/**
 * `sources`: the live sources data arrives from without anyone loading a file. A Segment source is a write
 * key (kept only as its SHA-256 and its last four characters) that the tracking API (`/v1/*`) takes; its
 * calls are spooled to disk, then loaded in micro-batches, `spooled_through` being the last spool segment
 * committed. A Zendesk source is an account to sync (`settings`: subdomain, email, base URL, how often) and
 * its API token, encrypted (`secret`, see `sources/vault.ts`). `source_cursors`: where each of a source's
 * streams resumes, written in the same transaction as the page it follows. `loads.source_id`: the source
 * a load came from (null: a file someone loaded).
 */
export const migration010: Migration = {
	version: 10,
	name: 'sources',
	up: [
		`CREATE SEQUENCE IF NOT EXISTS source_id_seq START 1`,
		`CREATE TABLE IF NOT EXISTS sources (
			source_id BIGINT NOT NULL PRIMARY KEY, kind VARCHAR NOT NULL, name VARCHAR NOT NULL UNIQUE, state VARCHAR NOT NULL,
			key_hash VARCHAR, key_hint VARCHAR, settings VARCHAR NOT NULL, secret VARCHAR,
			spooled_through BIGINT NOT NULL DEFAULT 0, received BIGINT NOT NULL DEFAULT 0, last_received_at TIMESTAMP,
			last_run_at TIMESTAMP, last_success_at TIMESTAMP, next_run_at TIMESTAMP, last_error VARCHAR, last_error_at TIMESTAMP,
			created_at TIMESTAMP NOT NULL, updated_at TIMESTAMP NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS source_cursors (
			source_id BIGINT NOT NULL, stream VARCHAR NOT NULL, cursor VARCHAR NOT NULL, updated_at TIMESTAMP NOT NULL,
			PRIMARY KEY (source_id, stream))`,
		`ALTER TABLE loads ADD COLUMN IF NOT EXISTS source_id BIGINT`
	]
};
