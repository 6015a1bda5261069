import type { Migration } from '../migrate.js';

/**
 * What the Zendesk and Segment loaders need beyond the contract's columns: the identity map that resolves
 * Zendesk requesters and organizations to product users and accounts, soft deletion of tickets (a ticket
 * deleted in Zendesk leaves every metric), the source's own channel name, anonymous Segment events, and the
 * `derived` counts of a load (rows a file yields in other tables).
 */
export const migration002: Migration = {
	version: 2,
	name: 'zendesk-segment',
	up: [
		`CREATE TABLE IF NOT EXISTS zendesk_users (
			zendesk_user_id VARCHAR NOT NULL, email VARCHAR, name VARCHAR, role VARCHAR, external_id VARCHAR,
			organization_id VARCHAR)`,
		`CREATE TABLE IF NOT EXISTS zendesk_organizations (
			zendesk_organization_id VARCHAR NOT NULL, name VARCHAR, external_id VARCHAR, domain_names VARCHAR[])`,
		`ALTER TABLE tickets ADD COLUMN IF NOT EXISTS deleted BOOLEAN DEFAULT false`,
		`ALTER TABLE tickets ADD COLUMN IF NOT EXISTS channel_raw VARCHAR`,
		`ALTER TABLE events ADD COLUMN IF NOT EXISTS anonymous BOOLEAN DEFAULT false`,
		`ALTER TABLE loads ADD COLUMN IF NOT EXISTS derived JSON`
	]
};
