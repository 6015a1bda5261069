import type { Migration } from '../migrate.js';

/**
 * `people`: the team that signs in to the app (not `users`, which are the customers' users in the loaded
 * data): email (lower case, unique), name, role, the `accounts.csm` value a CSM answers for, time zone,
 * whether active, the password's argon2id hash. `sign_in_sessions`: who is signed in where, by the SHA-256
 * of the cookie's random token (a copy of the table opens no session), with idle and absolute expiry and
 * revocation. `api_tokens`: a person's tokens for scripts (`Authorization: Bearer …`), also kept as SHA-256
 * only, named, revocable, with when each was last used. `audit_log`: every change of state, append-only: who,
 * from where, what (action and object), when, and the object before and after as JSON.
 */
export const migration007: Migration = {
	version: 7,
	name: 'people',
	up: [
		`CREATE SEQUENCE IF NOT EXISTS person_id_seq START 1`,
		`CREATE TABLE IF NOT EXISTS people (
			person_id BIGINT NOT NULL PRIMARY KEY, email VARCHAR NOT NULL UNIQUE, name VARCHAR, role VARCHAR NOT NULL, csm VARCHAR,
			time_zone VARCHAR NOT NULL, active BOOLEAN NOT NULL, password_hash VARCHAR NOT NULL,
			created_at TIMESTAMP NOT NULL, updated_at TIMESTAMP NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS sign_in_sessions (
			token_hash VARCHAR NOT NULL PRIMARY KEY, person_id BIGINT NOT NULL, created_at TIMESTAMP NOT NULL,
			last_seen_at TIMESTAMP NOT NULL, expires_at TIMESTAMP NOT NULL, revoked_at TIMESTAMP, address VARCHAR, user_agent VARCHAR)`,
		`CREATE SEQUENCE IF NOT EXISTS token_id_seq START 1`,
		`CREATE TABLE IF NOT EXISTS api_tokens (
			token_id BIGINT NOT NULL PRIMARY KEY, person_id BIGINT NOT NULL, name VARCHAR, token_hash VARCHAR NOT NULL UNIQUE,
			created_at TIMESTAMP NOT NULL, last_used_at TIMESTAMP, revoked_at TIMESTAMP)`,
		`CREATE SEQUENCE IF NOT EXISTS audit_id_seq START 1`,
		`CREATE TABLE IF NOT EXISTS audit_log (
			audit_id BIGINT NOT NULL, changed_at TIMESTAMP NOT NULL, actor VARCHAR NOT NULL, address VARCHAR,
			action VARCHAR NOT NULL, object VARCHAR NOT NULL, before VARCHAR, after VARCHAR)`
	]
};
