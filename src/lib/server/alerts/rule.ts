/**
 * What an alert rule is: a query over facts, scores and tickets that finds the subjects (accounts, or ticket
 * topics) whose condition holds at a moment, each with the numbers that make it hold (the evidence, frozen
 * on the alert it opens), and the sentences that say why in words. `evaluate.ts` turns findings into alerts:
 * one open alert per rule and subject, hysteresis, SLA due times, resolution when the condition clears.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Config } from '../config/config.js';
import type { Schema } from '../db/schema.js';

export const RULE_IDS = ['high_value_risk', 'onboarding_stall', 'product_gap', 'first_value_miss', 'repeat_automation'] as const;
export type RuleId = (typeof RULE_IDS)[number];
export type RuleSettings<R extends RuleId> = Config['alerts']['rules'][R];

/** Where and when a rule looks. */
export interface RuleContext {
	db: Kysely<Schema>;
	config: Config;
	/** The evaluation time (ISO UTC): alerts are created at it, scores are the latest run as of it. */
	asOf: string;
	/**
	 * The moment the data is judged at (ISO UTC, exclusive): the evaluation time, or just after the end of
	 * the data when that is earlier, so a file that stopped last month is judged as of its last day and data
	 * after an `--as-of` in the past is never seen.
	 */
	clock: string;
	/** The fact tables fresh right now (the rest compute from the raw data). */
	derived: Set<string>;
}

/** The numbers that fire an alert, and the sentence that says so. */
export interface Evidence {
	summary: string;
	[key: string]: unknown;
}

/** One subject whose condition holds. */
export interface Finding {
	account_id: string | null;
	topic: string | null;
	/** The rule's headline number (overdue days, accounts on the topic, the sentiment…), for the evaluation record. */
	value: number | null;
	evidence: Evidence;
}

export interface AlertRule<R extends RuleId = RuleId> {
	id: R;
	/** A short name for pages and messages. */
	label: string;
	/** The trigger in words, with the current settings' thresholds. */
	describe(settings: RuleSettings<R>, config: Config): string;
	/** The subjects whose condition holds at `ctx.clock`. */
	find(ctx: RuleContext, settings: RuleSettings<R>): Promise<Finding[]>;
	/** Why the condition no longer holds for these subjects (by subject key), for the note resolving their alerts. */
	cleared?(ctx: RuleContext, settings: RuleSettings<R>, subjects: string[]): Promise<Map<string, string>>;
}

/** The subject of a finding or alert as one string: the account id, or the topic. */
export const subjectOf = (f: { account_id: string | null; topic: string | null }): string => f.account_id ?? `topic:${f.topic}`;

/** SQL of an ISO instant as the UTC `TIMESTAMP` the tables store. */
export const at = (iso: string): RawBuilder<string> => sql<string>`CAST(${iso} AS TIMESTAMPTZ)::TIMESTAMP`;

/** SQL: the account is live at `clock` (signed up before it, not churned before it). */
export const liveAt = (clock: string, a = 'a'): RawBuilder<boolean> =>
	sql<boolean>`(${sql.ref(`${a}.created_at`)} < ${at(clock)} AND (${sql.ref(`${a}.churned_at`)} IS NULL OR ${sql.ref(`${a}.churned_at`)} >= ${at(clock)}))`;

/** A day of an ISO instant or timestamp, for sentences. */
export const dayOf = (t: string | Date) => (typeof t === 'string' ? t : t.toISOString()).slice(0, 10);

/** A list of words: "a", "a and b", "a, b and c". */
export function words(items: string[]): string {
	return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
