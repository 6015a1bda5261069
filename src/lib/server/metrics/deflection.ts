import { sql } from 'kysely';
import { inRange, inScope } from './filters.js';
import type { MetricDefinition } from './metric.js';
import { rate } from './rate.js';
import { sessionsSql } from './sessions.js';

/**
 * Ticket deflection rate = self-service sessions **not** followed by a ticket from the same user
 * (`tickets.requester_id` = the session's user) within `deflectionHours` (24 h) after the session's last
 * activity ÷ all self-service sessions starting in the range. Deleted tickets do not count.
 */
export const deflectionRate: MetricDefinition = {
	id: 'deflection_rate',
	label: 'Ticket deflection rate',
	family: 'deflection',
	formula: 'self-service sessions not followed by a ticket from the same user within 24 h after their last activity ÷ all self-service sessions',
	unit: 'rate',
	direction: 'higher',
	async compute(ctx) {
		const hours = ctx.config.windows.deflectionHours;
		const { rows } = await sql<{ sessions: number; deflected: number }>`
			WITH s AS (${sessionsSql(ctx)})
			SELECT count(*) AS sessions,
				count(*) FILTER (WHERE NOT EXISTS (
					SELECT 1 FROM tickets t WHERE t.requester_id = s.user_id AND NOT coalesce(t.deleted, false)
					AND t.created_at > s.last_at AND t.created_at <= s.last_at + to_microseconds(CAST(${hours} * 3600e6 AS BIGINT)))) AS deflected
			FROM s`.execute(ctx.db);
		const r = rate(rows[0].deflected, rows[0].sessions);
		return { value: r.value, details: r };
	}
};

/**
 * Self-service score (Zendesk's definition) = self-service sessions starting in the range ÷ distinct
 * ticket requesters of tickets created in the range ("help-center sessions ÷ users in tickets").
 * A ratio, not a share: above 1 means more self-service than people filing tickets.
 */
export const selfServiceScore: MetricDefinition = {
	id: 'self_service_score',
	label: 'Self-service score',
	family: 'deflection',
	formula: 'self-service sessions ÷ distinct ticket requesters over the range',
	unit: 'ratio',
	direction: 'higher',
	async compute(ctx) {
		const { rows } = await sql<{ sessions: number; requesters: number }>`
			SELECT (SELECT count(*) FROM (${sessionsSql(ctx)})) AS sessions,
				(SELECT count(DISTINCT requester_id) FROM tickets
				 WHERE NOT coalesce(deleted, false) AND ${inRange(sql.ref('created_at'), ctx.range)} AND ${inScope(sql.ref('account_id'), ctx.filters)}) AS requesters`.execute(ctx.db);
		const { sessions, requesters } = rows[0];
		return { value: requesters > 0 ? sessions / requesters : null, details: { numerator: sessions, denominator: requesters } };
	}
};
