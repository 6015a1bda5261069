import { sql } from 'kysely';
import { formatNumber, formatValue } from '../../components/kpi/units.js';
import { defineMetric, type MetricDefinition } from './metric.js';
import { meanDisplay, meanResult, rateDisplay, rateResult } from './rate.js';

/**
 * Tickets (not deleted), dated by creation, with their times in hours, and the columns a breakdown by
 * channel or topic (`support/support.ts`, from `tags` and `subject`) groups them by.
 */
const tickets: MetricDefinition['facts'] = () => sql`
	SELECT created_at AS at, account_id, channel, tags, subject, messages, reopened, bot_handoff,
		date_diff('second', created_at, first_reply_at) / 3600.0 AS reply_hours,
		date_diff('second', created_at, solved_at) / 3600.0 AS resolution_hours
	FROM tickets WHERE NOT coalesce(deleted, false)`;

/** Ticket volume = tickets created in the range (deleted ones excluded). By topic: the `topics_trending` list. */
export const ticketVolume = defineMetric({
	id: 'ticket_volume',
	label: 'Tickets',
	family: 'friction',
	formula: () => 'tickets created in the range, deleted tickets excluded',
	unit: 'count',
	direction: 'lower',
	facts: tickets,
	aggregate: () => sql`count(*) AS n`,
	finish: (r) => ({ value: r.n ?? 0, details: { count: r.n ?? 0 } }),
	basis: () => 'deleted tickets excluded',
	n: (d) => d.count
});

/** Messages per ticket = mean `messages` over tickets created in the range that report it. */
export const messagesPerTicket = defineMetric({
	id: 'messages_per_ticket',
	label: 'Messages per ticket',
	family: 'friction',
	formula: () => 'mean messages over tickets with a message count',
	unit: 'score',
	direction: 'lower',
	facts: tickets,
	aggregate: () => sql`count(messages) AS n, avg(messages) AS avg, stddev_samp(messages) AS sd`,
	finish: (r) => meanResult(r.n, r.avg, r.sd),
	...meanDisplay('tickets', 'score')
});

/** Reopen rate = reopened tickets ÷ tickets whose reopened flag is known, created in the range. */
export const reopenRate = defineMetric({
	id: 'reopen_rate',
	label: 'Reopen rate',
	family: 'friction',
	formula: () => 'reopened tickets ÷ tickets with a known reopened flag',
	unit: 'rate',
	direction: 'lower',
	facts: tickets,
	aggregate: () => sql`count(reopened) AS n, count(*) FILTER (WHERE reopened) AS k`,
	finish: (r) => rateResult(r.k, r.n),
	...rateDisplay('tickets')
});

/**
 * The median, 90th percentile and count of one of the tickets' hours columns: shared so reply and
 * resolution times are always summarised (and their tickets counted) the same way.
 */
function medianHours(
	column: 'reply_hours' | 'resolution_hours'
): Pick<MetricDefinition<{ tickets: number; p90: number | null }>, 'aggregate' | 'finish' | 'basis' | 'n'> {
	const c = sql.ref(column);
	return {
		aggregate: () => sql`median(${c}) AS median, quantile_cont(${c}, 0.9) AS p90, count(${c}) AS n`,
		finish: (r) => ({ value: r.median, details: { tickets: r.n ?? 0, p90: r.p90 } }),
		basis: (d) => `median of ${formatNumber(d.tickets)} tickets${d.p90 === null ? '' : `; 90th percentile ${formatValue(d.p90, 'hours')}`}`,
		n: (d) => d.tickets
	};
}

/** First-reply time = median hours from creation to first reply, over replied tickets created in the range. */
export const firstReplyHours = defineMetric({
	id: 'first_reply_hours',
	label: 'First reply (median hours)',
	family: 'friction',
	formula: () => 'median hours from ticket creation to first reply, over replied tickets',
	unit: 'hours',
	direction: 'lower',
	facts: tickets,
	...medianHours('reply_hours')
});

/** Resolution time = median hours from creation to solved, over solved tickets created in the range. */
export const resolutionHours = defineMetric({
	id: 'resolution_hours',
	label: 'Resolution (median hours)',
	family: 'friction',
	formula: () => 'median hours from ticket creation to solved, over solved tickets',
	unit: 'hours',
	direction: 'lower',
	facts: tickets,
	...medianHours('resolution_hours')
});

/** Reopen rate of bot→human handoffs = reopened ÷ known-flag tickets among those with `bot_handoff`. */
export const botHandoffReopenRate = defineMetric({
	id: 'bot_handoff_reopen_rate',
	label: 'Reopen rate of bot handoffs',
	family: 'bot',
	formula: () => 'reopened tickets ÷ tickets with a known reopened flag, among bot→human handoffs',
	unit: 'rate',
	direction: 'lower',
	facts: tickets,
	aggregate: () => sql`count(reopened) FILTER (WHERE bot_handoff) AS n, count(*) FILTER (WHERE bot_handoff AND reopened) AS k`,
	finish: (r) => rateResult(r.k, r.n),
	...rateDisplay('handoffs')
});
