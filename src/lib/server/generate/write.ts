import type { DuckDBConnection } from '@duckdb/node-api';
import fs from 'node:fs';
import path from 'node:path';
import { runQuery } from '../db/connection.js';
import { lit } from '../ingest/sql.js';
import { SOURCES } from './model.js';

/** One file written, with its record count and how long it took. */
export interface WrittenFile {
	file: string;
	rows: number;
	seconds: number;
}

/** Writes one JSON text per row (column `j`, ordered) as JSON Lines, byte for byte. */
async function jsonLines(conn: DuckDBConnection, select: string, file: string): Promise<number> {
	const r = await runQuery<{ Count: number }>(
		conn,
		`COPY (${select}) TO ${lit(file)} (FORMAT csv, HEADER false, QUOTE '', ESCAPE '', DELIMITER E'\\x1f')`
	);
	return r[0]?.Count ?? 0;
}

async function csv(conn: DuckDBConnection, select: string, file: string): Promise<number> {
	const r = await runQuery<{ Count: number }>(conn, `COPY (${select}) TO ${lit(file)} (FORMAT csv, HEADER true)`);
	return r[0]?.Count ?? 0;
}

const ZENDESK_PAGE = 5000;
const ZENDESK_CHANNEL = `CASE channel WHEN 'phone' THEN 'voice' WHEN 'bot' THEN 'answer_bot' ELSE channel END`;

/**
 * Writes the generated tables into `dir` in the contract's formats, in a fixed order and sorted, so the
 * same seed gives byte-identical CSV and JSON files. Events of Segment-sourced accounts go only to
 * `segment.jsonl`; tickets of the Zendesk region only to the Zendesk exports.
 */
export async function writeFiles(
	conn: DuckDBConnection,
	dir: string,
	options: { eventsJsonl: boolean; asOf: string }
): Promise<WrittenFile[]> {
	fs.mkdirSync(dir, { recursive: true });
	const out: WrittenFile[] = [];
	const add = async (name: string, write: (file: string) => Promise<number>) => {
		const file = path.join(dir, name);
		const t0 = performance.now();
		const rows = await write(file);
		out.push({ file, rows, seconds: (performance.now() - t0) / 1000 });
	};
	const zd = `'${SOURCES.zendeskRegion}'`;

	await add('accounts.csv', (f) =>
		csv(
			conn,
			`SELECT account_id, name, domain, plan, segment, region, arr::BIGINT AS arr, iso(created_at) AS created_at,
			strftime(renewal_date, '%Y-%m-%d') AS renewal_date, csm, iso(churned_at) AS churned_at, csm_manager
			FROM g_accounts WHERE NOT via_segment ORDER BY account_id`,
			f
		)
	);
	await add('users.csv', (f) =>
		csv(
			conn,
			`SELECT user_id, account_id, email, role, iso(created_at) AS created_at FROM g_users WHERE NOT via_segment ORDER BY user_id`,
			f
		)
	);
	const events = `SELECT event_id, user_id, account_id, event, ts AS timestamp, page, properties FROM g_events_final WHERE NOT via_segment ORDER BY account_id, ts, event_id`;
	await add('events.parquet', async (f) => {
		const r = await runQuery<{ Count: number }>(conn, `COPY (${events}) TO ${lit(f)} (FORMAT parquet, COMPRESSION zstd)`);
		return r[0]?.Count ?? 0;
	});
	if (options.eventsJsonl) {
		await add('events.jsonl', (f) =>
			jsonLines(
				conn,
				`SELECT json_object('event_id', event_id, 'user_id', user_id, 'account_id', account_id, 'event', event,
				'timestamp', iso(ts), 'page', page, 'properties', json(properties))::VARCHAR AS j
				FROM g_events_final WHERE NOT via_segment ORDER BY account_id, ts, event_id`,
				f
			)
		);
	}
	await add('segment.jsonl', (f) => jsonLines(conn, segmentCalls(), f));
	await add('tickets.csv', (f) =>
		csv(
			conn,
			`SELECT ticket_id, account_id, requester_id, iso(created_at) AS created_at, iso(updated_at) AS updated_at,
			iso(first_reply_at) AS first_reply_at, iso(solved_at) AS solved_at, status, priority, channel, subject,
			array_to_string(tags, ';') AS tags, messages, reopened, bot_handoff
			FROM g_tickets_out WHERE region IS DISTINCT FROM ${zd} ORDER BY seq`,
			f
		)
	);
	out.push(...(await zendesk(conn, dir)));
	await add('surveys.csv', (f) =>
		csv(
			conn,
			`SELECT response_id, s.account_id, s.user_id, t.ticket_id, kind, score::INTEGER AS score, context, iso(s.ts) AS timestamp
			FROM g_surveys s LEFT JOIN g_tickets_out t USING (ticket_key)
			WHERE NOT (kind = 'csat' AND t.region IS NOT DISTINCT FROM ${zd} AND t.ticket_id IS NOT NULL)
			ORDER BY response_id`,
			f
		)
	);
	await add('kb_articles.csv', (f) =>
		csv(
			conn,
			`SELECT article_id, title, feature_area, owner, iso(last_reviewed_at) AS last_reviewed_at, iso(updated_at) AS updated_at, body
			FROM g_articles ORDER BY article_id`,
			f
		)
	);
	await add('kb_searches.csv', (f) =>
		csv(
			conn,
			`SELECT search_id, user_id, account_id, query, iso(ts) AS timestamp, results, clicked_article_id FROM g_searches ORDER BY search_id`,
			f
		)
	);
	await add('releases.csv', (f) =>
		csv(conn, `SELECT release_id, iso(released_at) AS released_at, feature_area, ui_change FROM g_releases ORDER BY release_id`, f)
	);
	await add('truth.csv', (f) => csv(conn, `SELECT * FROM g_truth ORDER BY account_id`, f));
	return out;
}

/**
 * Segment calls of the Segment-sourced accounts: a `group` call per account, an `identify` per user, and
 * `track`/`page` calls per event; every other account's calls come in `{"batch": […]}` wrappers per
 * week with a batch-level context. The account of a call is in `context.groupId`, in
 * `properties.account_id`, or only in the user's group call; some calls lack `timestamp`.
 */
function segmentCalls(): string {
	const library = `json_object('library', json_object('name', 'analytics-node', 'version', '6.2.0'))`;
	return `
	WITH acc AS (SELECT * FROM g_accounts WHERE via_segment),
	calls AS (
		SELECT a.i, a.created_at AS ts, 0 AS kind_order, 'grp-' || a.account_id AS id,
			json_object('type', 'group', 'messageId', 'grp-' || a.account_id, 'userId', printf('U%06d-%03d', a.i, 1), 'groupId', a.account_id,
				'traits', json_object('name', a.name, 'domain', a.domain, 'plan', a.plan, 'segment', a.segment, 'region', a.region,
					'arr', a.arr::BIGINT, 'csm', a.csm, 'createdAt', iso(a.created_at), 'renewal_date', strftime(a.renewal_date, '%Y-%m-%d'),
					'churned_at', iso(a.churned_at), 'Employee Count', a.n_users * 3),
				'timestamp', iso(a.created_at), 'sentAt', iso(a.created_at + INTERVAL 2 SECOND), 'receivedAt', iso(a.created_at + INTERVAL 3 SECOND)) AS call
		FROM acc a
		UNION ALL
		SELECT u.i, u.created_at, 1, 'idn-' || u.user_id,
			json_object('type', 'identify', 'messageId', 'idn-' || u.user_id, 'userId', u.user_id,
				'traits', json_object('email', u.email, 'role', u.role, 'createdAt', iso(u.created_at), 'First Name', u.first_name, 'Last Name', u.last_name),
				'timestamp', iso(u.created_at), 'sentAt', iso(u.created_at + INTERVAL 2 SECOND), 'receivedAt', iso(u.created_at + INTERVAL 3 SECOND))
		FROM g_users u WHERE u.via_segment
		UNION ALL
		SELECT e.i, e.ts, 2, e.event_id,
			CASE WHEN e.event = 'Page Viewed' THEN
				json_object('type', 'page', 'messageId', e.event_id,
					CASE WHEN anon THEN 'anonymousId' ELSE 'userId' END, CASE WHEN anon THEN 'anon-' || (hash(e.user_id) % 100000) ELSE e.user_id END,
					'name', capitalize(replace(split_part(e.page, '/', 2), '-', ' ')), 'properties', json_object('path', e.page),
					'context', json_object('groupId', e.account_id, 'page', json_object('path', e.page)),
					'timestamp', iso(e.ts), 'sentAt', iso(e.ts + INTERVAL 2 SECOND), 'receivedAt', iso(e.ts + INTERVAL 3 SECOND))
			WHEN where_account = 0 THEN
				json_object('type', 'track', 'messageId', e.event_id, 'userId', e.user_id, 'event', e.event, 'properties', json(e.properties),
					'context', json_object('groupId', e.account_id, 'page', json_object('path', e.page)),
					'timestamp', iso(e.ts), 'sentAt', iso(e.ts + INTERVAL 2 SECOND), 'receivedAt', iso(e.ts + INTERVAL 3 SECOND))
			WHEN where_account = 1 THEN
				json_object('type', 'track', 'messageId', e.event_id, 'userId', e.user_id, 'event', e.event,
					'properties', json_merge_patch(json(e.properties), json_object('account_id', e.account_id)),
					'context', json_object('page', json_object('path', e.page)),
					'originalTimestamp', iso(e.ts), 'sentAt', iso(e.ts + INTERVAL 2 SECOND), 'receivedAt', iso(e.ts + INTERVAL 3 SECOND))
			ELSE
				json_object('type', 'track', 'messageId', e.event_id, 'userId', e.user_id, 'event', e.event, 'properties', json(e.properties),
					'context', json_object('page', json_object('path', e.page)),
					'timestamp', iso(e.ts), 'sentAt', iso(e.ts + INTERVAL 2 SECOND), 'receivedAt', iso(e.ts + INTERVAL 3 SECOND))
			END
		FROM (SELECT *, rnd(event_id, 'anon') < 0.05 AND event = 'Page Viewed' AS anon, floor(3 * rnd(event_id, 'seg_account'))::INTEGER AS where_account
		      FROM g_events_final WHERE via_segment) e
	)
	SELECT j FROM (
		SELECT i, ts, kind_order, id, call::VARCHAR AS j FROM calls WHERE i % 2 = 0
		UNION ALL
		SELECT i, min(ts), -1, min(id), json_object('batch', to_json(list(call ORDER BY kind_order, ts, id)), 'context', ${library},
			'sentAt', iso(max(ts) + INTERVAL 5 SECOND))::VARCHAR
		FROM calls WHERE i % 2 = 1 GROUP BY i, date_trunc('week', ts) + INTERVAL 0 DAY * kind_order
	) ORDER BY i, ts, kind_order, id`;
}

/**
 * The Zendesk-region tickets as a real incremental export: pages of tickets (some deleted), ticket
 * metrics, and users and organizations exports whose ids resolve to product users (by email) and
 * accounts (by external id, else domain). 13-digit ids throughout.
 */
async function zendesk(conn: DuckDBConnection, dir: string): Promise<WrittenFile[]> {
	const zd = `'${SOURCES.zendeskRegion}'`;
	const out: WrittenFile[] = [];
	await conn.run(`CREATE OR REPLACE TEMP TABLE z_tickets AS
		SELECT t.*, s.score AS csat, s.response_id AS csat_id, z.zd_requester
		FROM g_tickets_out t LEFT JOIN g_surveys s ON s.ticket_key = t.ticket_key AND s.kind = 'csat'
		JOIN (SELECT user_id, 3600000000000 + row_number() OVER (ORDER BY user_id) AS zd_requester FROM g_users) z ON z.user_id = t.requester_id
		WHERE t.region = ${zd}`);
	const [{ n }] = await runQuery<{ n: number }>(conn, 'SELECT count(*) AS n FROM z_tickets');
	// Real exports page by 1,000; bigger pages keep a million-account set to about twenty files.
	const pageSize = Math.max(ZENDESK_PAGE, Math.ceil(n / 20));
	const pages = Math.max(1, Math.ceil(n / pageSize));
	for (let p = 0; p < pages; p++) {
		const t0 = performance.now();
		const file = path.join(dir, `zendesk_tickets-${String(p + 1).padStart(3, '0')}.json`);
		const last = p === pages - 1;
		const rows = await runQuery<{ doc: string; n: number }>(
			conn,
			`
			WITH page AS (SELECT * FROM z_tickets ORDER BY seq LIMIT ${pageSize} OFFSET ${p * pageSize}),
			docs AS (
				SELECT seq, json_object('url', 'https://example.zendesk.com/api/v2/tickets/' || ticket_id || '.json', 'id', ticket_id::BIGINT,
					'external_id', NULL, 'via', json_object('channel', ${ZENDESK_CHANNEL}, 'source', json_object('from', json_object(), 'to', json_object(), 'rel', NULL)),
					'created_at', iso(created_at), 'updated_at', iso(updated_at), 'type', NULL, 'subject', subject, 'raw_subject', subject,
					'priority', CASE WHEN rnd(ticket_key, 'zd_priority') < 0.3 THEN priority END, 'status', status,
					'requester_id', zd_requester, 'submitter_id', zd_requester, 'assignee_id', 1100000000000 + hash(ticket_key) % 20,
					'organization_id', 9000000000000 + i, 'tags', tags,
					'custom_fields', json_array(json_object('id', 360000012345, 'value', topic), json_object('id', 360000067890, 'value', NULL)),
					'satisfaction_rating', CASE WHEN csat IS NOT NULL THEN json_object('id', 5000000000000 + seq, 'score', CASE WHEN csat >= 4 THEN 'good' ELSE 'bad' END, 'comment', '')
						WHEN solved_at IS NOT NULL AND rnd(ticket_key, 'offered') < 0.3 THEN json_object('id', NULL, 'score', 'offered', 'comment', NULL) END) AS doc
				FROM page
				UNION ALL
				-- Deleted tickets: incremental exports carry them too.
				SELECT seq + 0.5, json_object('id', 2000000000000 + seq, 'status', 'deleted', 'created_at', iso(created_at), 'updated_at', iso(updated_at),
					'subject', NULL, 'via', json_object('channel', 'web'), 'requester_id', zd_requester, 'organization_id', 9000000000000 + i, 'tags', [])
				FROM page WHERE rnd(ticket_key, 'deleted') < 0.05
			)
			SELECT json_object('tickets', to_json(list(doc ORDER BY seq)), 'count', count(*), 'end_of_stream', ${last},
				'next_page', ${last ? 'NULL' : `'https://example.zendesk.com/api/v2/incremental/tickets/cursor.json?cursor=page${p + 2}'`},
				'end_time', epoch(max(${"TIMESTAMP '2000-01-01'"}))::BIGINT)::VARCHAR AS doc, count(*) AS n FROM docs`
		);
		fs.writeFileSync(file, rows[0].doc + '\n');
		out.push({ file, rows: rows[0].n, seconds: (performance.now() - t0) / 1000 });
	}
	let t0 = performance.now();
	const metrics = await runQuery<{ doc: string; n: number }>(
		conn,
		`
		SELECT json_object('ticket_metrics', to_json(list(json_object('id', 7000000000000 + seq, 'ticket_id', ticket_id::BIGINT,
			'created_at', iso(created_at), 'updated_at', iso(updated_at), 'reopens', reopened::INTEGER, 'replies', messages - 1,
			'reply_time_in_minutes', CASE WHEN first_reply_at IS NOT NULL THEN json_object('calendar', date_diff('minute', created_at, first_reply_at), 'business', NULL) END,
			'solved_at', iso(solved_at)) ORDER BY seq)), 'count', count(*), 'next_page', NULL)::VARCHAR AS doc, count(*) AS n FROM z_tickets`
	);
	const mf = path.join(dir, 'zendesk_ticket_metrics.json');
	fs.writeFileSync(mf, metrics[0].doc + '\n');
	out.push({ file: mf, rows: metrics[0].n, seconds: (performance.now() - t0) / 1000 });
	t0 = performance.now();
	const users = await runQuery<{ doc: string; n: number }>(
		conn,
		`
		SELECT json_object('users', to_json(list(json_object('id', zd_requester, 'name', capitalize(u.first_name) || ' ' || capitalize(u.last_name),
			'email', u.email, 'role', 'end-user', 'organization_id', 9000000000000 + u.i, 'external_id', NULL) ORDER BY zd_requester)), 'count', count(*))::VARCHAR AS doc, count(*) AS n
		FROM (SELECT DISTINCT requester_id, zd_requester FROM z_tickets) z JOIN g_users u ON u.user_id = z.requester_id`
	);
	const uf = path.join(dir, 'zendesk_users.json');
	fs.writeFileSync(uf, users[0].doc + '\n');
	out.push({ file: uf, rows: users[0].n, seconds: (performance.now() - t0) / 1000 });
	t0 = performance.now();
	const orgs = await runQuery<{ doc: string; n: number }>(
		conn,
		`
		SELECT json_object('organizations', to_json(list(json_object('id', 9000000000000 + i, 'name', name,
			'external_id', CASE WHEN rnd(i, 'zd_external') < 0.8 THEN account_id END, 'domain_names', [domain], 'tags', []) ORDER BY i)), 'count', count(*))::VARCHAR AS doc, count(*) AS n
		FROM g_accounts WHERE region = ${zd}`
	);
	const of = path.join(dir, 'zendesk_organizations.json');
	fs.writeFileSync(of, orgs[0].doc + '\n');
	out.push({ file: of, rows: orgs[0].n, seconds: (performance.now() - t0) / 1000 });
	return out;
}
