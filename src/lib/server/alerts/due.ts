/**
 * An alert's due time from what the SLA depends on: the calendar of the account's CSM, the rule's response
 * time tightened by the account's health and renewal, and the spans it was snoozed. Computed when the alert
 * opens and again whenever one of those changes (an evaluation with new scores, a snooze ending).
 */
import { sql, type Kysely } from 'kysely';
import type { Config } from '../config/config.js';
import type { Schema } from '../db/schema.js';
import { at } from './rule.js';
import { addBusinessHours, calendarFor, tightening, type Span } from './sla.js';

/** What an account's SLA depends on, as of an evaluation. */
export interface SlaInputs {
	csm: string | null;
	/** The person who answers for the account (a CSM whose `csm` value is the account's), if one signs in here. */
	person: string | null;
	health: number | null;
	days_to_renewal: number | null;
}

/** The SLA inputs of `accounts` as of `asOf` (health from the latest scoring run as of then). */
export async function slaInputs(db: Kysely<Schema>, accounts: string[], asOf: string): Promise<Map<string, SlaInputs>> {
	const out = new Map<string, SlaInputs>();
	for (let i = 0; i < accounts.length; i += 2000) {
		const chunk = accounts.slice(i, i + 2000);
		const { rows } = await sql<SlaInputs & { account_id: string }>`
			SELECT a.account_id, a.csm, p.email AS person, s.health,
				date_diff('day', ${at(asOf)}::DATE, a.renewal_date) AS days_to_renewal
			FROM accounts a
			LEFT JOIN account_scores s ON s.account_id = a.account_id AND s.as_of = (SELECT max(as_of) FROM account_scores WHERE as_of <= ${at(asOf)})
			LEFT JOIN (SELECT csm, min(email) AS email FROM people WHERE active AND role = 'csm' AND csm IS NOT NULL GROUP BY csm) p ON p.csm = a.csm
			WHERE a.account_id IN (${sql.join(chunk)})`.execute(db);
		for (const { account_id, ...r } of rows) out.set(account_id, r);
	}
	return out;
}

/** An alert's SLA: its calendar, the tightening, and the due time (ISO). */
export interface Due {
	calendar: string;
	factor: number;
	reasons: string[];
	due_at: string;
}

/** The due time of an alert created at `createdAt` with the rule's `respondHours`, for an account with `inputs` (null: a topic alert). */
export function dueFor(
	sla: Config['sla'],
	createdAt: string,
	respondHours: number,
	inputs: SlaInputs | null,
	pauses: readonly Span[] = []
): Due {
	const { name, calendar } = calendarFor(sla, inputs?.csm ?? null, inputs?.person ?? null);
	const t = inputs ? tightening(inputs.health, inputs.days_to_renewal, sla.tighten) : { factor: 1, reasons: [] };
	const due = addBusinessHours(Date.parse(createdAt), respondHours * t.factor, calendar, pauses);
	return { calendar: name, factor: t.factor, reasons: t.reasons, due_at: new Date(due).toISOString() };
}

/**
 * An existing alert's due time with new `pauses`, on the calendar and tightening it has (a calendar since
 * removed from the config falls back to the default).
 */
export function dueWith(
	config: Config,
	alert: Pick<Schema['alerts'], 'created_at' | 'respond_hours' | 'sla_factor' | 'calendar'>,
	pauses: readonly Span[]
): string {
	const calendar = config.sla.calendars[alert.calendar] ?? config.sla.calendars[config.sla.defaultCalendar];
	return new Date(addBusinessHours(Date.parse(alert.created_at), alert.respond_hours * alert.sla_factor, calendar, pauses)).toISOString();
}
