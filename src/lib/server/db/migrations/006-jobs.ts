import type { Migration } from '../migrate.js';

/**
 * `jobs`: the writing work the server runs one at a time (loads, training, scoring): its kind and
 * parameters, state (queued, running, succeeded, failed, cancelled), progress, the same result document
 * the CLI prints, the error in one line, and when it was queued, started and finished.
 */
export const migration006: Migration = {
	version: 6,
	name: 'jobs',
	up: [
		`CREATE SEQUENCE IF NOT EXISTS job_id_seq START 1`,
		`CREATE TABLE IF NOT EXISTS jobs (
			job_id BIGINT NOT NULL, kind VARCHAR NOT NULL, params VARCHAR NOT NULL, state VARCHAR NOT NULL,
			progress VARCHAR, result VARCHAR, error VARCHAR,
			created_at TIMESTAMP NOT NULL, started_at TIMESTAMP, finished_at TIMESTAMP)`
	]
};
