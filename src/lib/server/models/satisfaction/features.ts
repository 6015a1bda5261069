import { sql, type RawBuilder } from 'kysely';
import type { Config } from '../../config/config.js';
import type { Database } from '../../db/connection.js';
import { resolveRange } from '../../metrics/filters.js';
import { topicSql } from '../../facts/topics.js';

/** The two ticket surveys the satisfaction models predict. */
export type SatisfactionKind = 'csat' | 'ces';

/** Answer scale of each kind: CSAT 1–5, CES 1–7 (7 = very easy). */
export const SCALE: Record<SatisfactionKind, { min: number; max: number }> = {
	csat: { min: 1, max: 5 },
	ces: { min: 1, max: 7 }
};

/** Numeric feature columns of {@link ticketFeaturesSql}, never null. */
export const NUMERIC_FEATURES = [
	'reply_log',
	'resolution_log',
	'messages',
	'reopened',
	'bot_handoff',
	'log_arr',
	'log_users',
	'log_prior_tickets_90d',
	'prior_csat_dev',
	'prior_ces_dev'
] as const;

/**
 * Categorical feature columns of {@link ticketFeaturesSql}, one-hot encoded by the model: the topic as the
 * taxonomy names it, the others lower-cased, `(none)` when missing.
 */
export const CATEGORICAL_FEATURES = ['channel', 'topic', 'priority', 'plan'] as const;

/** One row of {@link ticketFeaturesSql}. */
export type TicketFeatureRow = Record<(typeof NUMERIC_FEATURES)[number], number> &
	Record<(typeof CATEGORICAL_FEATURES)[number], string> & {
		ticket_id: string;
		account_id: string | null;
		created_at: string;
		/** The ticket's latest `csat` answer given before as-of, else null. */
		actual_csat: number | null;
		/** The ticket's latest `ces` answer given before as-of, else null. */
		actual_ces: number | null;
	};

/**
 * Shrinkage k of an account's answers towards the overall mean, Σ(score − mean) / (n + k): about the
 * answer noise's variance over the account-level variance (CSAT answers are noisier relative to how much
 * accounts differ). The models are insensitive to it within a factor of two.
 */
const PRIOR_WEIGHT: Record<SatisfactionKind, number> = { csat: 10, ces: 4 };

/** SQL of an instant: `iso` as the UTC `TIMESTAMP` the tables store. */
export const asTimestamp = (iso: string) => sql`CAST(${iso} AS TIMESTAMPTZ)::TIMESTAMP`;

/** 00:00 UTC of a `YYYY-MM-DD` day, as an ISO instant; the error names a malformed day. */
export function dayStart(day: string): string {
	if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(day))) throw new Error(`as-of must be a date YYYY-MM-DD, got "${day}"`);
	return `${day}T00:00:00.000Z`;
}

/**
 * The end of the data as an ISO instant, the exclusive bound every as-of here is: `asOf` (a `YYYY-MM-DD`
 * day) at 00:00 UTC when given, else just after (+1 ms) the latest timestamp among events, tickets,
 * searches and surveys, so that the latest activity itself counts.
 */
export async function endOfData(db: Database, asOf?: string): Promise<string> {
	if (asOf !== undefined) return dayStart(asOf);
	const range = await resolveRange(db.kysely, {});
	if (!range.end_of_data) throw new Error('no data: events, tickets, kb_searches and surveys are all empty, so there is no end of the data');
	return new Date(Date.parse(range.end_of_data) + 1).toISOString();
}

/**
 * Ticket features as known at `asOf` (an ISO instant, exclusive): one row per ticket created before it,
 * deleted tickets excluded. Point in time: a first reply or resolution counts only if it happened before
 * `asOf`, and until then the hours waited so far stand in for it (a lower bound); survey answers count
 * only when given before `asOf`. `messages`, `reopened` and `bot_handoff` carry no timestamp in the data
 * contract, so they are taken as loaded.
 *
 * - `reply_log` = ln(1 + hours from creation to first reply), `resolution_log` = ln(1 + hours to solved)
 * - `messages`, `reopened` (0/1), `bot_handoff` (0/1)
 * - `channel`, `topic` (the config's taxonomy, as the metrics assign it), `priority`, `plan`: categories
 * - `log_arr` = ln(1 + ARR); `log_users` = ln(1 + the account's users created by the ticket's creation)
 * - `log_prior_tickets_90d` = ln(1 + the account's tickets in the 90 days before this one)
 * - `prior_csat_dev`, `prior_ces_dev` = Σ(score − m) / (n + k) over the account's answers about its other
 *   tickets, m the mean of all answers of that kind (k: CSAT 10, CES 4): how much happier (or the less
 *   effort) this account's customers report than the average, shrunk towards 0 when it has few answers.
 *   The ticket's own answers never enter its features.
 * - `actual_csat`, `actual_ces`: the labels, the ticket's latest answer of each kind
 */
export function ticketFeaturesSql(config: Config, asOf: string): RawBuilder<TicketFeatureRow> {
	const at = asTimestamp(asOf);
	const hoursLog = (column: 'first_reply_at' | 'solved_at') => {
		const until = sql`CASE WHEN t.${sql.ref(column)} < ${at} THEN t.${sql.ref(column)} ELSE ${at} END`;
		return sql`ln(1 + greatest(0, date_diff('second', t.created_at, ${until}) / 3600.0))`;
	};
	const category = (expr: RawBuilder<unknown>) => sql`coalesce(nullif(lower(trim(${expr})), ''), '(none)')`;
	const prior = (kind: SatisfactionKind) => {
		const [sum, n] = [sql.ref(`${kind}_sum`), sql.ref(`${kind}_n`)];
		return sql`(coalesce(aa.${sum}, 0) - coalesce(o.${sum}, 0)) / (coalesce(aa.${n}, 0) - coalesce(o.${n}, 0) + ${sql.lit(PRIOR_WEIGHT[kind])})`;
	};
	return sql<TicketFeatureRow>`
		WITH t AS (
			SELECT * FROM tickets WHERE NOT coalesce(deleted, false) AND created_at < ${at}
		), answers AS (
			-- Answers about the tickets above, under the ticket's account (answers about deleted tickets leave).
			SELECT s.ticket_id, t.account_id, s.kind, s.score, s.timestamp FROM surveys s JOIN t ON t.ticket_id = s.ticket_id
			WHERE s.kind IN ('csat', 'ces') AND s.timestamp < ${at}
		), means AS (
			SELECT avg(score) FILTER (WHERE kind = 'csat') AS csat, avg(score) FILTER (WHERE kind = 'ces') AS ces FROM answers
		), own AS (
			SELECT ticket_id, any_value(account_id) AS account_id,
				arg_max(score, timestamp) FILTER (WHERE kind = 'csat') AS actual_csat,
				arg_max(score, timestamp) FILTER (WHERE kind = 'ces') AS actual_ces,
				sum(score - m.csat) FILTER (WHERE kind = 'csat') AS csat_sum, count(*) FILTER (WHERE kind = 'csat') AS csat_n,
				sum(score - m.ces) FILTER (WHERE kind = 'ces') AS ces_sum, count(*) FILTER (WHERE kind = 'ces') AS ces_n
			FROM answers CROSS JOIN means m GROUP BY ticket_id
		), account_answers AS (
			SELECT account_id, sum(csat_sum) AS csat_sum, sum(csat_n) AS csat_n, sum(ces_sum) AS ces_sum, sum(ces_n) AS ces_n
			FROM own WHERE account_id IS NOT NULL GROUP BY account_id
		), seats AS (
			SELECT t.ticket_id, count(*) AS users
			FROM t JOIN users u ON u.account_id = t.account_id AND coalesce(u.created_at, t.created_at) <= t.created_at
			GROUP BY t.ticket_id
		), history AS (
			SELECT ticket_id, CASE WHEN account_id IS NULL THEN 0 ELSE count(*) OVER (
				PARTITION BY account_id ORDER BY created_at RANGE BETWEEN INTERVAL 90 DAY PRECEDING AND INTERVAL 1 MICROSECOND PRECEDING) END AS prior_tickets
			FROM t
		)
		SELECT t.ticket_id, t.account_id, t.created_at,
			${hoursLog('first_reply_at')} AS reply_log,
			${hoursLog('solved_at')} AS resolution_log,
			coalesce(t.messages, 0)::DOUBLE AS messages,
			coalesce(t.reopened, false)::INTEGER::DOUBLE AS reopened,
			coalesce(t.bot_handoff, false)::INTEGER::DOUBLE AS bot_handoff,
			ln(1 + greatest(0, coalesce(a.arr, 0))) AS log_arr,
			ln(1 + coalesce(s.users, 0)) AS log_users,
			ln(1 + h.prior_tickets) AS log_prior_tickets_90d,
			coalesce(${prior('csat')}, 0) AS prior_csat_dev,
			coalesce(${prior('ces')}, 0) AS prior_ces_dev,
			${category(sql`t.channel`)} AS channel,
			${topicSql(config, sql`t.tags`, sql`t.subject`)} AS topic,
			${category(sql`t.priority`)} AS priority,
			${category(sql`a.plan`)} AS plan,
			o.actual_csat, o.actual_ces
		FROM t
		LEFT JOIN accounts a ON a.account_id = t.account_id
		LEFT JOIN seats s ON s.ticket_id = t.ticket_id
		LEFT JOIN history h ON h.ticket_id = t.ticket_id
		LEFT JOIN own o ON o.ticket_id = t.ticket_id
		LEFT JOIN account_answers aa ON aa.account_id = t.account_id`;
}
