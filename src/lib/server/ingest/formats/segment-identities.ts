/**
 * What Segment `group` and `identify` calls say about accounts and users, as sub-sources of the
 * `accounts` and `users` tables. These are not events; they merge before the events so events can
 * reference the accounts they create.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Source } from '../source.js';
import { CALLS } from './segment-calls.js';
import { count, domain, entries, pick, text } from './shared.js';

const ACCOUNTS = '__seg_accounts';
const USERS = '__seg_users';

/** Temp table `(who, gid)`: each user's (or anonymous visitor's) latest `group` call of the file to a loaded account. */
export const USER_GROUPS = '__seg_user_groups';

/** The groupId of a call. */
const GID = text('c', 'groupId');

/** Columns every sub-source carries for rejects: the line, field prefix and text of the call it came from. */
const REJECT_COLUMNS = '__ord, __field_prefix, __raw';

/** A sub-source over a temp table whose contract columns are all text. */
function subSource(table: string, columns: string[], skipped = 0): Source {
	return {
		relation: `SELECT ${columns.join(', ')}, ${REJECT_COLUMNS} FROM ${table} ORDER BY __ord`,
		columns: new Map(columns.map((c) => [c, 'VARCHAR'])),
		ignored: [],
		lines: { kind: 'ordinal' },
		hasRaw: true,
		fieldPrefix: true,
		skipped
	};
}

/**
 * `group` calls as `accounts` rows, one per groupId: for each trait, the value of the latest call (by
 * timestamp, then file order) that has it, else the stored one (a call's traits are a patch, so a call
 * without `plan` keeps the stored plan). Traits: name, domain (else `website`, reduced to its host), plan,
 * segment, region, arr, csm, renewal_date, churned_at (CRM-synced traits), matched by key regardless of case, spaces and underscores. created_at is the
 * trait `createdAt`, else the stored value, else the earliest call's timestamp. A reject points at the
 * group's latest call. A call without a groupId is a row of its own, rejected for the missing id.
 */
export async function groupAccounts(conn: DuckDBConnection): Promise<Source> {
	const tr = entries('c', '$.traits');
	const traits = {
		name: pick('tr', ['name']),
		domain: domain(`coalesce(${pick('tr', ['domain'])}, ${pick('tr', ['website'])})`),
		plan: pick('tr', ['plan']),
		segment: pick('tr', ['segment']),
		region: pick('tr', ['region']),
		arr: pick('tr', ['arr']),
		csm: pick('tr', ['csm']),
		renewal_date: pick('tr', ['renewaldate']),
		churned_at: pick('tr', ['churnedat']),
		created: pick('tr', ['createdat'])
	};
	const latest = Object.keys(traits)
		.map((k) => `arg_max(${k}, sk) FILTER (WHERE ${k} IS NOT NULL) AS ${k}`)
		.join(', ');
	const kept = ['name', 'domain', 'plan', 'segment', 'region', 'arr', 'csm', 'renewal_date', 'churned_at'];
	await conn.run(`CREATE OR REPLACE TEMP TABLE ${ACCOUNTS} AS
		WITH g AS (
			SELECT *, ${Object.entries(traits)
				.map(([k, v]) => `${v} AS ${k}`)
				.join(', ')}
			FROM (SELECT line, prefix, raw, seq, sk, ts, tsp, ${GID} AS gid, ${tr} AS tr FROM ${CALLS} WHERE type = 'group')
		), agg AS (
			SELECT any_value(gid) AS gid, ${latest},
				coalesce(arg_min(ts, sk) FILTER (WHERE tsp IS NOT NULL), any_value(ts)) AS first_ts,
				arg_max(line, sk) AS line, arg_max(prefix, sk) AS prefix, arg_max(raw, sk) AS raw
			FROM g GROUP BY coalesce(gid, '#' || seq)
		)
		SELECT agg.gid AS account_id,
			${kept.map((k) => `coalesce(agg.${k}, CAST(a.${k} AS VARCHAR)) AS ${k}`).join(', ')},
			coalesce(agg.created, CAST(a.created_at AS VARCHAR), agg.first_ts) AS created_at,
			agg.line AS __ord, agg.prefix AS __field_prefix, agg.raw AS __raw
		FROM agg LEFT JOIN accounts a ON a.account_id = agg.gid`);
	return subSource(ACCOUNTS, ['account_id', ...kept, 'created_at']);
}

/**
 * `identify` calls (and `group` calls, for the account) as `users` rows, one per userId: email, role and
 * created_at (trait `createdAt`) from the latest call that has them, else the stored values; account_id
 * from the user's latest `group` call to an account that is loaded (so a rejected group call costs the
 * user nothing), else the stored one. Writing the group's account onto the user is what lets a later
 * file's events find the account of a user whose events carry none. An identify call with only an
 * anonymousId names no user and is counted as skipped.
 */
export async function identifyUsers(conn: DuckDBConnection): Promise<Source> {
	const tr = entries('c', '$.traits');
	const traits = { email: pick('tr', ['email']), role: pick('tr', ['role']), created: pick('tr', ['createdat']) };
	const latest = Object.keys(traits)
		.map((k) => `arg_max(${k}, sk) FILTER (WHERE type = 'identify' AND ${k} IS NOT NULL) AS ${k}`)
		.join(', ');
	await conn.run(`CREATE OR REPLACE TEMP TABLE ${USERS} AS
		WITH c AS (
			SELECT *, ${Object.entries(traits)
				.map(([k, v]) => `${v} AS ${k}`)
				.join(', ')}
			FROM (SELECT line, prefix, raw, sk, type, uid, CASE WHEN type = 'group' THEN ${GID} END AS gid, ${tr} AS tr
			      FROM ${CALLS} WHERE uid IS NOT NULL AND type IN ('identify', 'group'))
			WHERE type = 'identify' OR gid IN (SELECT account_id FROM accounts)
		), agg AS (
			SELECT uid, ${latest}, arg_max(gid, sk) FILTER (WHERE gid IS NOT NULL) AS account,
				arg_max(line, sk) AS line, arg_max(prefix, sk) AS prefix, arg_max(raw, sk) AS raw
			FROM c GROUP BY uid
		)
		SELECT agg.uid AS user_id, coalesce(agg.account, u.account_id) AS account_id,
			coalesce(agg.email, u.email) AS email, coalesce(agg.role, u.role) AS role,
			coalesce(agg.created, CAST(u.created_at AS VARCHAR)) AS created_at,
			agg.line AS __ord, agg.prefix AS __field_prefix, agg.raw AS __raw
		FROM agg LEFT JOIN users u ON u.user_id = agg.uid`);
	const anonymous = await count(conn, `SELECT count(*) FROM ${CALLS} WHERE type = 'identify' AND uid IS NULL`);
	return subSource(USERS, ['user_id', 'account_id', 'email', 'role', 'created_at'], anonymous);
}

/**
 * Fills {@link USER_GROUPS} from the file's `group` calls, once their accounts are merged: the account an
 * event without one falls back to, for users and for anonymous visitors alike.
 */
export async function userGroups(conn: DuckDBConnection): Promise<void> {
	await conn.run(`CREATE OR REPLACE TEMP TABLE ${USER_GROUPS} AS
		SELECT coalesce(uid, aid) AS who, arg_max(${GID}, sk) AS gid
		FROM ${CALLS}
		WHERE type = 'group' AND coalesce(uid, aid) IS NOT NULL AND ${GID} IN (SELECT account_id FROM accounts)
		GROUP BY 1`);
}
