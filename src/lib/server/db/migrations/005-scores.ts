import type { Migration } from '../migrate.js';

/**
 * `account_scores`: what `adoption score` stores per account and as-of date: the churn probability from
 * the named model version, its risk band and percentile, the health score and its parts, the sentiment,
 * and the top risk drivers as JSON (`[{feature, impact, text}]`). Re-scoring an as-of date replaces its rows.
 */
export const migration005: Migration = {
	version: 5,
	name: 'scores',
	up: [
		`CREATE TABLE IF NOT EXISTS account_scores (
			account_id VARCHAR NOT NULL, as_of TIMESTAMP NOT NULL, model VARCHAR NOT NULL, version VARCHAR NOT NULL,
			churn_probability DOUBLE NOT NULL, risk_percentile DOUBLE NOT NULL, risk_band VARCHAR NOT NULL,
			health DOUBLE, adoption DOUBLE, sentiment DOUBLE, drivers VARCHAR, scored_at TIMESTAMP NOT NULL)`
	]
};
