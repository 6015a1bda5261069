/**
 * The Zendesk identity map: Users and Organizations exports into `zendesk_users` and
 * `zendesk_organizations`, and the SQL that resolves Zendesk ids through them to product users and
 * accounts.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Source } from '../source.js';
import { count, domain, json, text } from './shared.js';
import { latestPerKey, RECORDS } from './zendesk-records.js';

const ROWS = '__zd_identity';

/** The columns of each export, as SQL over the record `rec`. */
const COLUMNS = {
	users: {
		zendesk_user_id: text('rec', 'id'),
		email: text('rec', 'email'),
		name: text('rec', 'name'),
		role: text('rec', 'role'),
		external_id: text('rec', 'external_id'),
		organization_id: text('rec', 'organization_id')
	},
	organizations: {
		zendesk_organization_id: text('rec', 'id'),
		name: text('rec', 'name'),
		external_id: text('rec', 'external_id'),
		domain_names: json('rec', '$.domain_names')
	}
} as const;

/**
 * A Users or Organizations export as a source of `zendesk_users` / `zendesk_organizations`: ids as text
 * (13-digit Zendesk ids stay exact), the latest version of a record listed twice, the others skipped.
 */
export async function identitySource(conn: DuckDBConnection, kind: 'users' | 'organizations'): Promise<Source> {
	const cols = Object.entries(COLUMNS[kind]);
	const key = cols[0][0];
	await conn.run(
		`CREATE OR REPLACE TEMP TABLE ${ROWS} AS ${latestPerKey(
			`SELECT ${cols.map(([name, expr]) => `${expr} AS ${name}`).join(', ')}, ord, raw, version FROM ${RECORDS}`,
			key
		)}`
	);
	const dropped = (await count(conn, `SELECT count(*) FROM ${RECORDS}`)) - (await count(conn, `SELECT count(*) FROM ${ROWS}`));
	return {
		relation: `SELECT ${cols.map(([name]) => name).join(', ')}, ord AS __ord, raw AS __raw FROM ${ROWS} ORDER BY ord`,
		columns: new Map(cols.map(([name]) => [name, name === 'domain_names' ? 'JSON' : 'VARCHAR'])),
		ignored: [],
		lines: { kind: 'ordinal' },
		hasRaw: true,
		malformedReason: `malformed: not valid JSON, or not a Zendesk ${kind === 'users' ? 'user' : 'organization'}`,
		skipped: dropped,
		allowEmpty: true
	};
}

/**
 * SQL of `(zid, user_id)`: a Zendesk user id → the product user with the same email (case-insensitive;
 * the smallest user_id when several share it).
 */
export const USER_MAP = `SELECT zu.zendesk_user_id AS zid, min(u.user_id) AS user_id
	FROM zendesk_users zu JOIN users u ON lower(trim(u.email)) = lower(trim(zu.email))
	GROUP BY 1`;

/**
 * SQL of `(zid, account_id)`: a Zendesk organization id → the account named by its `external_id`, else
 * the account whose domain is one of its `domain_names` (compared as bare hosts, lower case; the
 * smallest account_id when several match).
 */
export const ORG_MAP = `SELECT zid, coalesce(min(by_id), min(by_domain)) AS account_id FROM (
		SELECT zo.zendesk_organization_id AS zid, a.account_id AS by_id, NULL AS by_domain
		FROM zendesk_organizations zo JOIN accounts a ON a.account_id = zo.external_id
		UNION ALL
		SELECT d.zid, NULL, a.account_id
		FROM (SELECT zendesk_organization_id AS zid, unnest(domain_names) AS dn FROM zendesk_organizations) d
		JOIN accounts a ON ${domain('a.domain')} = ${domain('d.dn')}
	) GROUP BY zid`;
