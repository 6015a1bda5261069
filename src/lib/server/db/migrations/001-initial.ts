import type { Migration } from '../migrate.js';

/**
 * The data contract's tables (PRODUCT.md), plus `loads` and `rejected_rows`.
 * Timestamps are UTC `TIMESTAMP` (10× faster to aggregate than TIMESTAMPTZ here) and the big tables
 * carry no keys or indexes: a PRIMARY KEY cost 2.4× the insert time; ingest dedupes with set operations.
 */
export const migration001: Migration = {
	version: 1,
	name: 'initial',
	up: [
		`CREATE TABLE IF NOT EXISTS accounts (
			account_id VARCHAR NOT NULL, name VARCHAR, domain VARCHAR, plan VARCHAR, segment VARCHAR, region VARCHAR,
			arr DOUBLE, created_at TIMESTAMP NOT NULL, renewal_date DATE, csm VARCHAR, churned_at TIMESTAMP)`,
		`CREATE TABLE IF NOT EXISTS users (
			user_id VARCHAR NOT NULL, account_id VARCHAR, email VARCHAR, role VARCHAR, created_at TIMESTAMP)`,
		`CREATE TABLE IF NOT EXISTS events (
			event_id VARCHAR NOT NULL, user_id VARCHAR, account_id VARCHAR, event VARCHAR NOT NULL,
			timestamp TIMESTAMP NOT NULL, page VARCHAR, properties JSON)`,
		`CREATE TABLE IF NOT EXISTS tickets (
			ticket_id VARCHAR NOT NULL, account_id VARCHAR, requester_id VARCHAR, created_at TIMESTAMP NOT NULL,
			updated_at TIMESTAMP, first_reply_at TIMESTAMP, solved_at TIMESTAMP, status VARCHAR, priority VARCHAR,
			channel VARCHAR, subject VARCHAR, tags VARCHAR[], messages INTEGER, reopened BOOLEAN, bot_handoff BOOLEAN)`,
		`CREATE TABLE IF NOT EXISTS kb_articles (
			article_id VARCHAR NOT NULL, title VARCHAR, feature_area VARCHAR, owner VARCHAR,
			last_reviewed_at TIMESTAMP, updated_at TIMESTAMP, body VARCHAR)`,
		`CREATE TABLE IF NOT EXISTS kb_searches (
			search_id VARCHAR NOT NULL, user_id VARCHAR, account_id VARCHAR, query VARCHAR,
			timestamp TIMESTAMP NOT NULL, results INTEGER, clicked_article_id VARCHAR)`,
		`CREATE TABLE IF NOT EXISTS surveys (
			response_id VARCHAR NOT NULL, account_id VARCHAR, user_id VARCHAR, ticket_id VARCHAR, kind VARCHAR NOT NULL,
			score DOUBLE NOT NULL, context VARCHAR, timestamp TIMESTAMP NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS releases (
			release_id VARCHAR NOT NULL, released_at TIMESTAMP NOT NULL, feature_area VARCHAR, ui_change BOOLEAN)`,
		`CREATE SEQUENCE IF NOT EXISTS load_id_seq START 1`,
		`CREATE TABLE IF NOT EXISTS loads (
			load_id INTEGER PRIMARY KEY DEFAULT nextval('load_id_seq'), file VARCHAR NOT NULL, sha256 VARCHAR,
			table_name VARCHAR, format VARCHAR, accepted BIGINT DEFAULT 0, updated BIGINT DEFAULT 0,
			skipped BIGINT DEFAULT 0, rejected BIGINT DEFAULT 0, started_at TIMESTAMP NOT NULL, finished_at TIMESTAMP,
			outcome VARCHAR NOT NULL, message VARCHAR)`,
		`CREATE TABLE IF NOT EXISTS rejected_rows (
			load_id INTEGER NOT NULL, file VARCHAR NOT NULL, table_name VARCHAR, line BIGINT, field VARCHAR,
			reason VARCHAR NOT NULL, raw VARCHAR)`
	]
};
