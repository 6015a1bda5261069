import { sql, type RawBuilder } from 'kysely';
import type { Database } from '../../db/connection.js';
import { asTimestamp, dayStart } from './features.js';

/** One account's sentiment (see {@link accountSentimentSql}). */
export interface AccountSentimentRow {
	account_id: string;
	/** −100…100; null without tickets in the window. */
	sentiment: number | null;
	/** The account's tickets in the window. */
	tickets: number;
	/** Of those, the ones with an actual CSAT or CES answer. */
	answered: number;
}

/** Days before as-of whose tickets make an account's sentiment. */
const WINDOW_DAYS = 90;

/**
 * SQL of every account's sentiment at `asOf` (an ISO instant), from `ticket_predictions`, for accounts
 * created before it. Over the account's tickets created in the 90 days before as-of, each ticket's CSAT c
 * and CES e are the actual answers when given, else the predictions, and
 *
 *   ticket sentiment = ((c − 3) / 2 × 100 + (e − 4) / 3 × 100) / 2      (CSAT 1–5 and CES 1–7 onto −100…100)
 *   account sentiment = mean of its tickets' sentiments                   (null without tickets)
 *
 * The high-value-risk alert fires below −40.
 */
export function accountSentimentSql(asOf: string): RawBuilder<AccountSentimentRow> {
	const at = asTimestamp(asOf);
	return sql<AccountSentimentRow>`
		WITH t AS (
			SELECT account_id, coalesce(actual_csat, predicted_csat) AS c, coalesce(actual_ces, predicted_ces) AS e,
				actual_csat IS NOT NULL OR actual_ces IS NOT NULL AS answered
			FROM ticket_predictions
			WHERE account_id IS NOT NULL AND created_at < ${at} AND created_at >= ${at} - INTERVAL ${sql.lit(WINDOW_DAYS)} DAY
		), per_account AS (
			SELECT account_id, avg(((c - 3) / 2 * 100 + (e - 4) / 3 * 100) / 2) AS sentiment,
				count(*) AS tickets, count(*) FILTER (WHERE answered) AS answered
			FROM t GROUP BY account_id
		)
		SELECT a.account_id, p.sentiment, coalesce(p.tickets, 0) AS tickets, coalesce(p.answered, 0) AS answered
		FROM accounts a LEFT JOIN per_account p ON p.account_id = a.account_id
		WHERE a.created_at < ${at}
		ORDER BY a.account_id`;
}

/**
 * Every account's sentiment (see {@link accountSentimentSql}) at `asOf` (`YYYY-MM-DD`, 00:00 UTC), by
 * default the as-of the predictions in `ticket_predictions` were made at.
 */
export async function accountSentiment(db: Database, opts: { asOf?: string } = {}): Promise<AccountSentimentRow[]> {
	let asOf: string;
	if (opts.asOf !== undefined) asOf = dayStart(opts.asOf);
	else {
		const { rows } = await sql<{ as_of: string | null }>`SELECT max(as_of) AS as_of FROM ticket_predictions`
			.execute(db.kysely)
			.catch((err: Error) => {
				throw new Error(`no ticket predictions (${err.message.split('\n')[0]}): score the tickets first (predictTickets)`);
			});
		if (!rows[0]?.as_of) throw new Error('ticket_predictions is empty: score the tickets first (predictTickets)');
		asOf = rows[0].as_of;
	}
	const { rows } = await accountSentimentSql(asOf).execute(db.kysely);
	return rows;
}
