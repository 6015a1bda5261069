/**
 * A Zendesk Ticket Metrics export (`{"ticket_metrics": […]}`) into columns of tickets already loaded.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Source } from '../source.js';
import { count, text } from './shared.js';
import { latestPerKey, RECORDS } from './zendesk-records.js';

const ROWS = '__zd_metric_rows';

/** Raw numeric fields that must be numbers when present: reject field → pass-through column. */
const NUMERIC: [field: string, column: string, type: string, what: string][] = [
	['reply_time_in_minutes.calendar', '__reply_raw', 'DOUBLE', 'a number of minutes'],
	['reopens', '__reopens_raw', 'BIGINT', 'an integer'],
	['replies', '__replies_raw', 'BIGINT', 'an integer']
];

/**
 * The metrics source, updating existing tickets only (`updateOnly`):
 * - first_reply_at = the loaded ticket's created_at + `reply_time_in_minutes.calendar` minutes (calendar,
 *   not business, minutes: the requester waits in calendar time); NULL while unreplied.
 * - solved_at = `solved_at`.
 * - reopened = `reopens` > 0.
 * - messages = `replies` + 1: Zendesk counts the agents' public replies, and the requester's opening
 *   message is a message too.
 * A metric for a ticket not in `tickets` is rejected ("reference: unknown ticket …"); a non-numeric
 * count or reply time is rejected naming its field. When a ticket's metrics are listed twice, the latest
 * (`updated_at`) counts and the others are skipped.
 */
export async function metricSource(conn: DuckDBConnection): Promise<Source> {
	const fields = `SELECT ord, raw, version,
		${text('rec', 'ticket_id')} AS ticket_id,
		${text('rec', '$.reply_time_in_minutes.calendar')} AS __reply_raw,
		${text('rec', 'solved_at')} AS solved_at,
		${text('rec', 'reopens')} AS __reopens_raw,
		${text('rec', 'replies')} AS __replies_raw
		FROM ${RECORDS}`;
	await conn.run(`CREATE OR REPLACE TEMP TABLE ${ROWS} AS
		SELECT m.ticket_id,
			t.created_at + to_microseconds(CAST(round(TRY_CAST(m.__reply_raw AS DOUBLE) * 60000000) AS BIGINT)) AS first_reply_at,
			m.solved_at,
			TRY_CAST(m.__reopens_raw AS BIGINT) > 0 AS reopened,
			TRY_CAST(m.__replies_raw AS BIGINT) + 1 AS messages,
			m.__reply_raw, m.__reopens_raw, m.__replies_raw, m.ord, m.raw
		FROM (${latestPerKey(fields, 'ticket_id')}) m
		LEFT JOIN (SELECT ticket_id, any_value(created_at) AS created_at FROM tickets GROUP BY ticket_id) t ON t.ticket_id = m.ticket_id`);
	const dropped = (await count(conn, `SELECT count(*) FROM ${RECORDS}`)) - (await count(conn, `SELECT count(*) FROM ${ROWS}`));
	const shown = (c: string) => `'''' || left(${c}, 80) || ''''`;
	return {
		relation: `SELECT ticket_id, first_reply_at, solved_at, reopened, messages, ${NUMERIC.map(([, c]) => c).join(', ')}, ord AS __ord, raw AS __raw FROM ${ROWS} ORDER BY ord`,
		columns: new Map([
			['ticket_id', 'VARCHAR'],
			['first_reply_at', 'TIMESTAMP'],
			['solved_at', 'VARCHAR'],
			['reopened', 'BOOLEAN'],
			['messages', 'BIGINT']
		]),
		ignored: [],
		lines: { kind: 'ordinal' },
		hasRaw: true,
		malformedReason: 'malformed: not valid JSON, or not a Zendesk ticket metric',
		extraRules: [
			{
				field: 'ticket_id',
				when: `p.ticket_id NOT IN (SELECT ticket_id FROM tickets)`,
				reason: `'reference: unknown ticket ' || ${shown('p.ticket_id')} || ' (not in tickets; load the tickets first)'`
			},
			...NUMERIC.map(([field, c, type, what]) => ({
				field,
				when: `p.${c} IS NOT NULL AND TRY_CAST(p.${c} AS ${type}) IS NULL`,
				reason: `'type: ' || ${shown('p.' + c)} || ' is not ${what}'`
			}))
		],
		passThrough: NUMERIC.map(([, c]) => c),
		updateOnly: true,
		skipped: dropped,
		allowEmpty: true
	};
}
