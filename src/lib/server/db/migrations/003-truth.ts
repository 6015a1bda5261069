import type { Migration } from '../migrate.js';

/**
 * `truth`: the sample-data generator's ground truth per account (sample data only): churn by the end of
 * the data and its planted probability, churn in the evaluation window, and the planted drivers. Model
 * evaluation compares against it (the oracle AUC).
 */
export const migration003: Migration = {
	version: 3,
	name: 'truth',
	up: [
		`CREATE TABLE IF NOT EXISTS truth (
			account_id VARCHAR NOT NULL, churned BOOLEAN, churn_probability DOUBLE, churned_90d BOOLEAN,
			churn_probability_90d DOUBLE, hazard_per_year DOUBLE, first_value_within_30d BOOLEAN, engagement DOUBLE,
			friction DOUBLE, effort DOUBLE, search_failure DOUBLE, satisfaction DOUBLE)`
	]
};
