/**
 * Zendesk tickets into `tickets`, with their satisfaction ratings into `surveys`.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Source } from '../source.js';
import { count, json, text } from './shared.js';
import { ORG_MAP, USER_MAP } from './zendesk-identity.js';
import { latestPerKey, RECORDS } from './zendesk-records.js';

const TICKETS = '__zd_tickets';
const ROWS = '__zd_ticket_rows';
const RATINGS = '__zd_ratings';

/** Zendesk's `via.channel` names → the contract's channels; any other name is `other`. */
const CHANNELS: Record<string, string[]> = {
	phone: ['voice'],
	web: ['web', 'web_form', 'web_widget', 'help_center', 'mobile_sdk'],
	chat: ['chat', 'native_messaging', 'messaging'],
	bot: ['answer_bot', 'ai_agent'],
	api: ['api'],
	email: ['email']
};

const channelExpr = (raw: string) =>
	`CASE WHEN ${raw} IS NULL THEN NULL ${Object.entries(CHANNELS)
		.map(([to, from]) => `WHEN lower(${raw}) IN (${from.map((f) => `'${f}'`).join(', ')}) THEN '${to}'`)
		.join(' ')} ELSE 'other' END`;

/** The supplied `tickets` columns, in order; all text but `tags` (JSON) and `deleted`. */
const COLUMNS = [
	'ticket_id',
	'account_id',
	'requester_id',
	'created_at',
	'updated_at',
	'status',
	'priority',
	'channel',
	'channel_raw',
	'subject',
	'tags',
	'deleted'
];

/**
 * Builds {@link TICKETS}: each ticket's latest version in the file, its fields read as text (ids exact),
 * requester and organization resolved:
 * - requester_id: as it is when it names a loaded `users.user_id`; else the product user whose email is
 *   the Zendesk user's (`zendesk_users`); else the raw Zendesk id (requesters need not be product users).
 * - account_id (`organization_id`): as it is when it names a loaded account; else through
 *   `zendesk_organizations` (`external_id` = account_id, else a domain); else the raw id, which the
 *   account reference rule then rejects as an unknown account. No organization = no account (allowed).
 */
async function resolveTickets(conn: DuckDBConnection): Promise<number> {
	const fields = `SELECT ord, raw, version,
		${text('rec', 'id')} AS ticket_id,
		${text('rec', 'created_at')} AS created_at,
		${text('rec', 'updated_at')} AS updated_at,
		${text('rec', 'status')} AS status,
		${text('rec', 'priority')} AS priority,
		${text('rec', '$.via.channel')} AS channel_raw,
		${text('rec', 'subject')} AS subject,
		${json('rec', '$.tags')} AS tags,
		${text('rec', 'requester_id')} AS requester_zid,
		${text('rec', 'organization_id')} AS org_zid,
		CASE WHEN json_type(rec, '$.satisfaction_rating') = 'OBJECT' THEN rec -> 'satisfaction_rating' END AS rating,
		json_type(rec) = 'OBJECT' AS is_record
		FROM ${RECORDS}`;
	await conn.run(`CREATE OR REPLACE TEMP TABLE ${TICKETS} AS
		SELECT t.*,
			${channelExpr('t.channel_raw')} AS channel,
			coalesce(lower(t.status) = 'deleted', false) AS is_deleted,
			CASE WHEN t.requester_zid IS NULL THEN NULL WHEN pu.user_id IS NOT NULL THEN t.requester_zid
			     ELSE coalesce(um.user_id, t.requester_zid) END AS requester_id,
			CASE WHEN t.org_zid IS NULL THEN NULL WHEN pa.account_id IS NOT NULL THEN t.org_zid
			     ELSE coalesce(om.account_id, t.org_zid) END AS account_id
		FROM (${latestPerKey(fields, 'ticket_id')}) t
		LEFT JOIN (SELECT DISTINCT user_id FROM users) pu ON pu.user_id = t.requester_zid
		LEFT JOIN (${USER_MAP}) um ON um.zid = t.requester_zid
		LEFT JOIN (SELECT DISTINCT account_id FROM accounts) pa ON pa.account_id = t.org_zid
		LEFT JOIN (${ORG_MAP}) om ON om.zid = t.org_zid`);
	return count(conn, `SELECT count(*) FROM ${TICKETS}`);
}

/**
 * The tickets source. Deleted tickets (status `deleted`) are skipped, except a ticket already loaded:
 * its row is supplied with its stored values, deleted = true and the deletion's updated_at, so the merge
 * marks it deleted (counted as updated, skipped once already marked), erases nothing, and an older
 * export loaded later cannot undelete it. Every other ticket supplies deleted =
 * false, so a ticket restored in Zendesk comes back. Columns the export lacks (first_reply_at, messages,
 * … from a metrics export) are not supplied and so kept.
 */
export async function ticketSource(conn: DuckDBConnection): Promise<Source> {
	const records = await count(conn, `SELECT count(*) FROM ${RECORDS}`);
	await resolveTickets(conn);
	// NULL for a line that is not a ticket, so it reads as malformed.
	const live = COLUMNS.map((c) => (c === 'deleted' ? 'CASE WHEN is_record THEN false END AS deleted' : c)).join(', ');
	const stored = COLUMNS.map((c) => {
		if (c === 'deleted') return 'true AS deleted';
		// The deletion is the ticket's newest version: a re-load of an older export must not undelete it.
		if (c === 'updated_at') return 'coalesce(t.updated_at, CAST(s.updated_at AS VARCHAR)) AS updated_at';
		if (c === 'tags') return 'to_json(s.tags) AS tags';
		return `CAST(s.${c} AS VARCHAR) AS ${c}`;
	}).join(', ');
	await conn.run(`CREATE OR REPLACE TEMP TABLE ${ROWS} AS
		SELECT ${live}, ord, raw FROM ${TICKETS} WHERE NOT is_deleted
		UNION ALL
		SELECT ${stored}, t.ord, t.raw FROM ${TICKETS} t JOIN tickets s ON s.ticket_id = t.ticket_id WHERE t.is_deleted`);
	const rows = await count(conn, `SELECT count(*) FROM ${ROWS}`);
	return {
		relation: `SELECT ${COLUMNS.join(', ')}, ord AS __ord, raw AS __raw FROM ${ROWS} ORDER BY ord`,
		columns: new Map(COLUMNS.map((c) => [c, c === 'tags' ? 'JSON' : c === 'deleted' ? 'BOOLEAN' : 'VARCHAR'])),
		ignored: [],
		lines: { kind: 'ordinal' },
		hasRaw: true,
		malformedReason: 'malformed: not valid JSON, or not a Zendesk ticket',
		// Earlier versions of a ticket listed again, and deleted tickets never loaded.
		skipped: records - rows,
		allowEmpty: true
	};
}

/**
 * Satisfaction ratings as `surveys` rows; call after {@link ticketSource} and before the tickets merge. A
 * rating is null or `{id, score, comment}`. Scores `good` and `bad` are answers: kind `csat` on the 1–5
 * scale with good = 5 and bad = 1 (the ends of the scale: Zendesk asks a yes/no question, so there is no
 * middle), context `agent`, response_id = the rating id, ticket_id, account_id and user_id = the ticket's
 * resolved account and requester, timestamp = the ticket's updated_at (else created_at) in the version
 * where the score was first seen: a later version with the same score keeps the stored timestamp, as the
 * ticket's later changes are not the customer's answer. Zendesk's older `good_with_comment` and
 * `bad_with_comment` count as good and bad. Counted as skipped: `offered`/`unoffered` (not answers), a
 * rating without a score, and the rating of a ticket version older than the one loaded (as the ticket
 * itself is). Ratings of deleted tickets, and of tickets whose organization resolves to no account (the
 * ticket is rejected for it), are not loaded.
 */
export async function ratingSource(conn: DuckDBConnection): Promise<Source> {
	const raw = text('r.rating', 'score');
	const score = `CASE WHEN lower(${raw}) LIKE 'good%' THEN '5' WHEN lower(${raw}) LIKE 'bad%' THEN '1' ELSE ${raw} END`;
	await conn.run(`CREATE OR REPLACE TEMP TABLE ${RATINGS} AS
		SELECT ${text('r.rating', 'id')} AS response_id, r.account_id, r.requester_id AS user_id, r.ticket_id,
			'csat' AS kind, ${score} AS score, 'agent' AS context,
			CASE WHEN sv.score = TRY_CAST(${score} AS DOUBLE) THEN CAST(sv.timestamp AS VARCHAR)
			     ELSE coalesce(r.updated_at, r.created_at) END AS timestamp,
			r.ord, r.raw,
			coalesce(lower(${raw}) IN ('offered', 'unoffered'), true) OR coalesce(r.version < s.updated_at, false) AS skip
		FROM ${TICKETS} r
		LEFT JOIN (SELECT ticket_id, max(updated_at) AS updated_at FROM tickets GROUP BY ticket_id) s ON s.ticket_id = r.ticket_id
		LEFT JOIN (SELECT response_id, any_value(score) AS score, any_value(timestamp) AS timestamp FROM surveys GROUP BY response_id) sv
			ON sv.response_id = ${text('r.rating', 'id')}
		WHERE r.rating IS NOT NULL AND NOT r.is_deleted
			AND (r.account_id IS NULL OR r.account_id IN (SELECT account_id FROM accounts))`);
	const cols = ['response_id', 'account_id', 'user_id', 'ticket_id', 'kind', 'score', 'context', 'timestamp'];
	return {
		relation: `SELECT ${cols.join(', ')}, ord AS __ord, 'satisfaction_rating.' AS __field_prefix, raw AS __raw FROM ${RATINGS} WHERE NOT skip ORDER BY ord`,
		columns: new Map(cols.map((c) => [c, 'VARCHAR'])),
		ignored: [],
		lines: { kind: 'ordinal' },
		hasRaw: true,
		fieldPrefix: true,
		skipped: await count(conn, `SELECT count(*) FROM ${RATINGS} WHERE skip`)
	};
}
