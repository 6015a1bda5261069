import { sql } from 'kysely';
import { formatNumber } from '../../components/kpi/units.js';
import { defineMetric } from './metric.js';
import { rateDisplay, rateResult } from './rate.js';
import { sessionsSql } from '../facts/sessions.js';

/**
 * Ticket deflection rate = self-service sessions **not** followed by a ticket from the same user
 * (`tickets.requester_id` = the session's user) within `deflectionHours` (24 h) after the session's last
 * activity ÷ all self-service sessions (those starting in the range). Deleted tickets do not count.
 */
export const deflectionRate = defineMetric({
	id: 'deflection_rate',
	label: 'Ticket deflection rate',
	family: 'deflection',
	formula: (c) =>
		`self-service sessions (${c.selfServiceEvents.join(', ')} or a KB search; a gap of ${c.windows.sessionGapMinutes} minutes ends one) not followed by a ticket from the same user within ${c.windows.deflectionHours} h after their last activity ÷ all self-service sessions`,
	unit: 'rate',
	direction: 'higher',
	facts: (ctx) => sql`
		SELECT s.started_at AS at, s.account_id,
			s.next_ticket_at IS NULL OR s.next_ticket_at > s.last_at + to_microseconds(CAST(${ctx.config.windows.deflectionHours} * 3600e6 AS BIGINT)) AS deflected
		FROM (${sessionsSql(ctx)}) s`,
	aggregate: () => sql`count(*) AS sessions, count(*) FILTER (WHERE deflected) AS deflected`,
	finish: (r) => rateResult(r.deflected, r.sessions),
	...rateDisplay('sessions')
});

/**
 * Self-service score (Zendesk's definition) = self-service sessions starting in the range ÷ distinct
 * ticket requesters of tickets created in the range ("help-center sessions ÷ users in tickets").
 * A ratio, not a share: above 1 means more self-service than people filing tickets.
 */
export const selfServiceScore = defineMetric({
	id: 'self_service_score',
	label: 'Self-service score',
	family: 'deflection',
	formula: () => 'self-service sessions ÷ distinct ticket requesters over the range',
	unit: 'ratio',
	direction: 'higher',
	facts: (ctx) => sql`
		SELECT started_at AS at, account_id, NULL AS requester_id FROM (${sessionsSql(ctx)})
		UNION ALL
		SELECT created_at, account_id, requester_id FROM tickets WHERE NOT coalesce(deleted, false) AND requester_id IS NOT NULL`,
	aggregate: () => sql`count(*) FILTER (WHERE requester_id IS NULL) AS sessions, count(DISTINCT requester_id) AS requesters`,
	finish: (r) => {
		const sessions = r.sessions ?? 0;
		const requesters = r.requesters ?? 0;
		return { value: requesters > 0 ? sessions / requesters : null, details: { numerator: sessions, denominator: requesters } };
	},
	basis: (d) => `${formatNumber(d.numerator)} sessions ÷ ${formatNumber(d.denominator)} ticket requesters`,
	n: (d) => d.denominator
});
