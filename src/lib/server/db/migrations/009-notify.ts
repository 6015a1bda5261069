import type { Migration } from '../migrate.js';

/**
 * `outbox`: every message the workflow sends, written in the same transaction as the alert change that
 * causes it, keyed by an idempotency key (alert, event, channel, recipient) so a change recorded twice
 * still sends once. A worker delivers what is `pending` and due, retrying with jittered backoff until
 * `sent` or `dead`; `held` messages (over a frequency cap) wait for the recipient's digest; `skipped` ones
 * were not to be sent (the recipient opted out). `notification_optouts`: who asked not to hear what, by
 * channel and rule (null: every rule). `app_secrets`: keys the server makes once (the one signing opt-out
 * links), so links keep working across restarts.
 */
export const migration009: Migration = {
	version: 9,
	name: 'notify',
	up: [
		`CREATE SEQUENCE IF NOT EXISTS message_id_seq START 1`,
		`CREATE TABLE IF NOT EXISTS outbox (
			message_id BIGINT NOT NULL PRIMARY KEY, idempotency_key VARCHAR NOT NULL UNIQUE, alert_id BIGINT, rule VARCHAR, account_id VARCHAR,
			event VARCHAR NOT NULL, channel VARCHAR NOT NULL, recipient VARCHAR NOT NULL, subject VARCHAR NOT NULL, body VARCHAR NOT NULL,
			payload VARCHAR NOT NULL, state VARCHAR NOT NULL, reason VARCHAR, attempts INTEGER NOT NULL, next_attempt_at TIMESTAMP NOT NULL,
			lease_until TIMESTAMP, last_error VARCHAR, digest_id BIGINT, created_at TIMESTAMP NOT NULL, sent_at TIMESTAMP)`,
		`CREATE TABLE IF NOT EXISTS notification_optouts (
			recipient VARCHAR NOT NULL, channel VARCHAR NOT NULL, rule VARCHAR, opted_out_at TIMESTAMP NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS app_secrets (name VARCHAR NOT NULL PRIMARY KEY, value VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL)`
	]
};
