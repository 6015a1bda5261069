/**
 * Segment-spec calls (`track`, `page`, `screen`, `identify`, `group`, `alias`), one per line or in
 * `{"batch": […], "context": …}` wrappers, into `events`, `accounts` and `users`.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { tableSpec } from '../contract.js';
import { FileError } from '../detect.js';
import type { Opened } from '../load.js';
import type { Source } from '../source.js';
import { CALLS, readCalls } from './segment-calls.js';
import { groupAccounts, identifyUsers, USER_GROUPS, userGroups } from './segment-identities.js';
import { count, ingestDerived, json, text } from './shared.js';

const EVENTS = '__seg_events';

/** Call types that become events; identify and group fill users and accounts, alias is skipped. */
const EVENT_TYPES = ['track', 'page', 'screen'];

/**
 * Builds the events temp table and returns its source. Per call:
 * - event_id = `messageId`. A re-sent message is a duplicate: only the first copy in the file is kept and
 *   a messageId already in `events` is not loaded again (Segment's own dedupe rule: first write wins), each
 *   dropped copy counted as skipped rather than rejected. Calls without a messageId are kept, to be
 *   rejected for it.
 * - user_id = `userId`, else `anonymousId` with anonymous = true; a call with neither is rejected.
 * - event = `event` for track; `Page Viewed` for page (page = `properties.path`, else
 *   `context.page.path`, and the page's `name` added to properties); `Screen Viewed` for screen (`name`
 *   in properties, no page). Only page calls set `page`, so a page view is never counted twice.
 * - account_id = `context.groupId` (batch context included), else `properties.account_id`, else the
 *   user's latest `group` call in this file (by timestamp, whether before or after the event), else the
 *   account loaded for the user in `users` (which earlier files' group calls set).
 * - `alias` calls link two ids and are not events: skipped. Any other type is rejected.
 */
async function eventSource(conn: DuckDBConnection): Promise<Source> {
	const props = json('c', '$.properties');
	const name = text('c', 'name');
	const properties = `CASE WHEN type IN ('page', 'screen') AND ${name} IS NOT NULL AND (${props} IS NULL OR json_type(${props}) = 'OBJECT')
		THEN json_merge_patch(coalesce(${props}, '{}'), json_object('name', ${name})) ELSE ${props} END`;
	await conn.run(`CREATE OR REPLACE TEMP TABLE ${EVENTS} AS
		WITH e AS (
			SELECT *, row_number() OVER (PARTITION BY message_id ORDER BY seq) AS copy
			FROM ${CALLS} WHERE type IS NULL OR type NOT IN ('identify', 'group', 'alias')
		)
		SELECT message_id AS event_id,
			coalesce(uid, aid) AS user_id,
			coalesce(${text('c', '$.context.groupId')}, ${text('c', '$.properties.account_id')}, g.gid, u.account_id) AS account_id,
			CASE type WHEN 'page' THEN 'Page Viewed' WHEN 'screen' THEN 'Screen Viewed' ELSE ${text('c', 'event')} END AS event,
			ts AS timestamp,
			CASE WHEN type = 'page' THEN coalesce(${text('c', '$.properties.path')}, ${text('c', '$.context.page.path')}) END AS page,
			${properties} AS properties,
			-- NULL for a value that is not an object, so a line that is not a call reads as malformed
			CASE WHEN json_type(c) = 'OBJECT' THEN uid IS NULL AND aid IS NOT NULL END AS anonymous,
			type AS __type, line AS __ord, prefix AS __field_prefix, raw AS __raw, seq
		FROM e
		LEFT JOIN ${USER_GROUPS} g ON g.who = coalesce(uid, aid)
		LEFT JOIN (SELECT user_id, any_value(account_id) AS account_id FROM users WHERE account_id IS NOT NULL GROUP BY user_id) u ON u.user_id = uid
		WHERE message_id IS NULL OR (copy = 1 AND NOT EXISTS (SELECT 1 FROM events v WHERE v.event_id = message_id))`);
	const kept = await count(conn, `SELECT count(*) FROM ${EVENTS}`);
	const calls = await count(conn, `SELECT count(*) FROM ${CALLS} WHERE type IS NULL OR type NOT IN ('identify', 'group')`);
	const types = EVENT_TYPES.map((t) => `'${t}'`).join(', ');
	return {
		relation: `SELECT event_id, user_id, account_id, event, timestamp, page, properties, anonymous, __type, __ord, __field_prefix, __raw FROM ${EVENTS} ORDER BY seq`,
		columns: new Map([
			['event_id', 'VARCHAR'],
			['user_id', 'VARCHAR'],
			['account_id', 'VARCHAR'],
			['event', 'VARCHAR'],
			['timestamp', 'VARCHAR'],
			['page', 'VARCHAR'],
			['properties', 'JSON'],
			['anonymous', 'BOOLEAN']
		]),
		ignored: [],
		lines: { kind: 'ordinal' },
		hasRaw: true,
		fieldPrefix: true,
		malformedReason: 'malformed: not valid JSON, or not a Segment call',
		extraRules: [
			{
				field: 'type',
				when: `p.__type IS NULL OR p.__type NOT IN (${types})`,
				reason: `'value set: ' || coalesce('''' || p.__type || '''', 'a missing type') || ' is not a Segment call type (track, page, screen, identify, group, alias)'`
			},
			// Segment's spec: every call names who made it; an event of nobody would count in no metric.
			{ field: 'userId', when: `p.user_id IS NULL`, reason: `'missing: a call needs a userId or an anonymousId'` }
		],
		passThrough: ['__type'],
		// Dropped re-sends and alias calls.
		skipped: calls - kept,
		allowEmpty: true
	};
}

/**
 * Opens a Segment file: reads its calls, merges `group` calls into `accounts`, then `identify` (and group
 * membership) into `users`, both counted under `derived`, and returns the events for the shared
 * validate-and-merge path. Lines: a call's `__ord` is its line, a batched call's the line of its batch,
 * with the position in the reject's field (`batch[3].timestamp`, 0-based like the JSON array).
 */
export async function openSegment(conn: DuckDBConnection, file: string, loadId: number): Promise<Opened> {
	const calls = await readCalls(conn, file);
	if (calls === 0) throw new FileError(`${file}: no Segment calls to load`);
	const ctx = { loadId, file };
	const accounts = await ingestDerived(conn, await groupAccounts(conn), 'accounts', ctx);
	const users = await ingestDerived(conn, await identifyUsers(conn), 'users', ctx);
	await userGroups(conn);
	return { source: await eventSource(conn), spec: tableSpec('events'), derived: { accounts, users } };
}
