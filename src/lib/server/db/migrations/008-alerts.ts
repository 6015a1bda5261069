import type { Migration } from '../migrate.js';

/**
 * `alerts`: what the rules opened. One open (not resolved) alert per `fingerprint` (rule and subject). The
 * evidence is frozen when the alert opens; the SLA parts (the rule's response time, the tightening factor
 * and why, the calendar, the snoozed spans) are kept so the due time can be recomputed when they change;
 * `responded_at` is the first acknowledgement, note or resolution; `version` grows with every change, so two
 * people acting on one alert at once cannot both win.
 * `alert_events`: each alert's history (opened, acknowledged, assigned, snoozed, woken, noted, resolved,
 * due changed, due soon, breached), append-only.
 * `alert_conditions`: per rule and subject whose condition holds (or whose alert is still open) the
 * hysteresis state: the rule's evaluation (its ordinal) from which the condition has held, or been clear,
 * in a row, since when it holds, its latest value and evidence, and whether a person resolved its alert
 * while it held (then it waits for the condition to clear). Kept as ordinals, an evaluation that changes
 * nothing writes nothing.
 * `alert_evaluations`: one row per rule per evaluation: when, as of when, the settings, how many subjects
 * matched, what it opened, resolved, held back and skipped, and how long it took.
 */
export const migration008: Migration = {
	version: 8,
	name: 'alerts',
	up: [
		`CREATE SEQUENCE IF NOT EXISTS alert_id_seq START 1`,
		`CREATE TABLE IF NOT EXISTS alerts (
			alert_id BIGINT NOT NULL PRIMARY KEY, fingerprint VARCHAR NOT NULL, rule VARCHAR NOT NULL, account_id VARCHAR, topic VARCHAR,
			severity VARCHAR NOT NULL, evidence VARCHAR NOT NULL, state VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL,
			respond_hours DOUBLE NOT NULL, sla_factor DOUBLE NOT NULL, sla_reasons VARCHAR NOT NULL, calendar VARCHAR NOT NULL,
			due_at TIMESTAMP NOT NULL, responded_at TIMESTAMP, due_soon_at TIMESTAMP, breached_at TIMESTAMP,
			snoozed_until TIMESTAMP, pauses VARCHAR NOT NULL, assignee VARCHAR, acknowledged_at TIMESTAMP, acknowledged_by VARCHAR,
			resolved_at TIMESTAMP, resolved_by VARCHAR, outcome VARCHAR, resolution VARCHAR,
			version INTEGER NOT NULL, updated_at TIMESTAMP NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS alert_events (
			alert_id BIGINT NOT NULL, happened_at TIMESTAMP NOT NULL, kind VARCHAR NOT NULL, actor VARCHAR, text VARCHAR, detail VARCHAR)`,
		`CREATE TABLE IF NOT EXISTS alert_conditions (
			fingerprint VARCHAR NOT NULL PRIMARY KEY, rule VARCHAR NOT NULL, account_id VARCHAR, topic VARCHAR,
			held_from INTEGER, cleared_from INTEGER, since TIMESTAMP, value DOUBLE, evidence VARCHAR, suppressed BOOLEAN NOT NULL)`,
		`CREATE SEQUENCE IF NOT EXISTS evaluation_id_seq START 1`,
		`CREATE TABLE IF NOT EXISTS alert_evaluations (
			evaluation_id BIGINT NOT NULL, rule VARCHAR NOT NULL, as_of TIMESTAMP NOT NULL, clock TIMESTAMP NOT NULL, ran_at TIMESTAMP NOT NULL,
			trigger VARCHAR NOT NULL, settings VARCHAR NOT NULL, matched INTEGER NOT NULL, opened INTEGER NOT NULL, resolved INTEGER NOT NULL,
			waiting INTEGER NOT NULL, suppressed INTEGER NOT NULL, ms DOUBLE NOT NULL)`
	]
};
