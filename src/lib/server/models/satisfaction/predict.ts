import { sql } from 'kysely';
import { loadConfig, type Config } from '../../config/config.js';
import type { Database } from '../../db/connection.js';
import { asTimestamp, endOfData, ticketFeaturesSql } from './features.js';
import { predictionSql, readSatisfactionModel } from './model.js';

/** Options of {@link predictTickets}. */
export interface PredictTicketsOptions {
	/** The end of the data, `YYYY-MM-DD` (default: just after the latest activity). */
	asOf?: string;
	/** Models folder (default `ADOPTION_MODELS`, else `models`). */
	root?: string;
	/** The topic taxonomy (default: the config file's). */
	config?: Config;
}

/** What {@link predictTickets} wrote. */
export interface PredictTicketsResult {
	as_of: string;
	tickets: number;
	answered_csat: number;
	answered_ces: number;
	csat_version: string;
	ces_version: string;
}

/**
 * Scores every ticket created before as-of (deleted ones excluded) with the latest saved `csat` and `ces`
 * models and replaces the table `ticket_predictions` (ticket_id, account_id, created_at, predicted_csat,
 * predicted_ces, actual_csat, actual_ces, csat_version, ces_version, as_of) in one SQL statement: the
 * features as known at as-of, the models' arithmetic inlined. `actual_*` is the ticket's latest answer given
 * before as-of, else null.
 */
export async function predictTickets(db: Database, opts: PredictTicketsOptions = {}): Promise<PredictTicketsResult> {
	const csat = readSatisfactionModel('csat', 'latest', opts.root);
	const ces = readSatisfactionModel('ces', 'latest', opts.root);
	const asOf = await endOfData(db, opts.asOf);
	await sql`
		CREATE OR REPLACE TABLE ticket_predictions AS
		SELECT f.ticket_id, f.account_id, f.created_at,
			${predictionSql(csat, 'f')} AS predicted_csat, ${predictionSql(ces, 'f')} AS predicted_ces,
			f.actual_csat, f.actual_ces,
			${sql.lit(csat.version)} AS csat_version, ${sql.lit(ces.version)} AS ces_version, ${asTimestamp(asOf)} AS as_of
		FROM (${ticketFeaturesSql(opts.config ?? loadConfig(), asOf)}) f`.execute(db.kysely);
	const { rows } = await sql<{ tickets: number; answered_csat: number; answered_ces: number }>`
		SELECT count(*) AS tickets, count(actual_csat) AS answered_csat, count(actual_ces) AS answered_ces FROM ticket_predictions`.execute(db.kysely);
	return { as_of: asOf, ...rows[0], csat_version: csat.version, ces_version: ces.version };
}
