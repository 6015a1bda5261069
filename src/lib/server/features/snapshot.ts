import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Config } from '../config/config.js';
import type { Schema } from '../db/schema.js';
import { accountDaysSql } from '../facts/account-days.js';
import { confusionBurstsSql } from '../facts/bursts.js';
import { sessionsSql } from '../facts/sessions.js';
import { firstValueSql } from '../facts/first-value.js';
import type { MetricContext } from '../metrics/metric.js';
import { milestoneLevelsSql } from '../facts/milestones.js';
import { topicSql } from '../facts/topics.js';

/** Categorical account attributes, one-hot encoded by the model. */
export const CATEGORICAL_FEATURES = ['plan', 'segment', 'region'] as const;

/**
 * The numeric features of a snapshot, each computed in `snapshotSql` from rows dated before the as-of date
 * only. Topic columns (`tickets_90d_<topic>`) are added from the config's taxonomy (see {@link featureColumns}).
 */
export const NUMERIC_FEATURES = [
	'tenure_days',
	'log_arr',
	'seats',
	'days_to_renewal',
	'events_7d',
	'events_30d',
	'events_90d',
	'usage_trend',
	'active_days_30d',
	'user_days_30d',
	'days_since_last_event',
	'milestone_level',
	'milestones_held',
	'milestones_lost',
	'first_value_reached',
	'first_value_within_30d',
	'days_to_first_value',
	'tickets_30d',
	'tickets_90d',
	'ticket_trend',
	'messages_per_ticket_90d',
	'reopened_90d',
	'first_reply_hours_90d',
	'searches_90d',
	'zero_result_searches_90d',
	'failed_searches_90d',
	'sessions_90d',
	'confusion_bursts_90d',
	'csat_mean',
	'csat_responses',
	'ces_mean',
	'ces_responses',
	'nps_mean',
	'nps_responses'
] as const;

/** The column name of a topic's ticket count: `tickets_90d_` + the topic in lower snake case. */
export function topicColumn(topic: string): string {
	return `tickets_90d_${topic
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, '_')
		.replace(/^_|_$/g, '')}`;
}

/** Every numeric feature column for this config: the fixed ones, then one ticket count per topic (and `Other`). */
export function featureColumns(config: Config): string[] {
	return [...NUMERIC_FEATURES, ...[...config.topics.map((t) => t.topic), 'Other'].map(topicColumn)];
}

const ts = (iso: string) => sql`CAST(${iso} AS TIMESTAMPTZ)::TIMESTAMP`;
const days = (n: number) => sql.raw(`INTERVAL ${Math.round(n)} DAY`);

/**
 * SQL of one feature row per account live at each as-of date `T` (signed up before `T`, not churned
 * before it), with its features as of `T` and its churn label. **No leakage**: every feature reads rows
 * dated before `T` only (events, searches, tickets by `created_at` and their reply by `first_reply_at`,
 * surveys, key events, bursts, sessions), so nothing that happens at or after `T` changes a feature.
 * What the data keeps only as a current value is used as it is: plan, segment, region, ARR, and a ticket's
 * `messages` and `reopened` (final counts without a time). The renewal date is rolled back by whole years
 * to the first one after `T`.
 *
 * `T` is a UTC midnight. Windows end at `T`: `_7d`, `_30d`, `_90d` = the 7, 30, 90 days before `T`;
 * `user_days_30d` = Σ over those days of the day's distinct active users. Trends are
 * ln((last 30 days + 1) ÷ (the 30 days before + 1)). Means of surveys cover all answers before `T`
 * (null when none). The label `label_churned` = churned in [T, T + `churn.labelDays` (90) days), null when that window runs
 * past the end of the data (`end`), since it cannot be known yet. `derived` names the fresh derived tables
 * (sessions, bursts, account-days, first value) to read instead of recomputing them from the events.
 */
export function snapshotSql(db: Kysely<Schema>, config: Config, asOfs: string[], end: string, derived?: Set<string>): RawBuilder<unknown> {
	if (!asOfs.length) throw new Error('a feature snapshot needs at least one as-of date');
	const notMidnight = asOfs.find((t) => Date.parse(t) % 86_400_000 !== 0);
	if (notMidnight) throw new Error(`a feature snapshot's as-of must be a UTC midnight, not ${notMidnight}`);
	const snap = sql.join(asOfs.map((t) => sql`(${ts(t)})`));
	// Milestone levels are worked out per as-of date by the same SQL the milestone metric uses.
	const milestones = sql.join(
		asOfs.map((t) => sql`SELECT ${ts(t)} AS as_of, account_id, level, held, lost FROM (${milestoneLevelsSql({ config, derived }, t)})`),
		sql` UNION ALL `
	);
	const topics = [...config.topics.map((t) => t.topic), 'Other'];
	const topicCounts = topics.map(
		(t) => sql`count(*) FILTER (WHERE topic = ${t} AND t.created_at >= s.as_of - ${days(90)}) AS ${sql.ref(topicColumn(t))}`
	);
	const fvDays = config.windows.firstValueDays;
	// The derived-or-raw helpers read only the config and the fresh derived tables from a context.
	const any: MetricContext = { db, config, filters: {}, range: { from: null, to: asOfs[0], end_of_data: end }, derived };
	return sql`
		WITH snap(as_of) AS (VALUES ${snap}),
		base AS (
			SELECT s.as_of, a.account_id, a.plan, a.segment, a.region, a.arr, a.created_at, a.renewal_date, a.churned_at
			FROM accounts a JOIN snap s ON a.created_at < s.as_of AND (a.churned_at IS NULL OR a.churned_at >= s.as_of)
		),
		ev AS (
			-- Usage from the per-account-day rollup: the windows end at midnight, so whole days are exact.
			SELECT s.as_of, d.account_id,
				sum(d.events) FILTER (WHERE d.day >= (s.as_of - ${days(7)})::DATE) AS events_7d,
				sum(d.events) FILTER (WHERE d.day >= (s.as_of - ${days(30)})::DATE) AS events_30d,
				sum(d.events) AS events_90d,
				sum(d.events) FILTER (WHERE d.day >= (s.as_of - ${days(60)})::DATE AND d.day < (s.as_of - ${days(30)})::DATE) AS events_prev_30d,
				count(*) FILTER (WHERE d.day >= (s.as_of - ${days(30)})::DATE) AS active_days_30d,
				sum(d.users) FILTER (WHERE d.day >= (s.as_of - ${days(30)})::DATE) AS user_days_30d,
				max(d.day) FILTER (WHERE d.events > 0) AS last_event_day
			FROM (${accountDaysSql(any)}) d JOIN snap s ON d.day >= (s.as_of - ${days(90)})::DATE AND d.day < s.as_of::DATE
			GROUP BY ALL
		),
		seats AS (
			SELECT s.as_of, u.account_id, count(*) AS seats
			FROM users u JOIN snap s ON coalesce(u.created_at, TIMESTAMP '0001-01-01') < s.as_of WHERE u.account_id IS NOT NULL GROUP BY ALL
		),
		tk AS (
			SELECT s.as_of, t.account_id,
				count(*) FILTER (WHERE t.created_at >= s.as_of - ${days(30)}) AS tickets_30d,
				count(*) FILTER (WHERE t.created_at >= s.as_of - ${days(90)}) AS tickets_90d,
				count(*) FILTER (WHERE t.created_at >= s.as_of - ${days(60)} AND t.created_at < s.as_of - ${days(30)}) AS tickets_prev_30d,
				avg(t.messages) FILTER (WHERE t.created_at >= s.as_of - ${days(90)}) AS messages_per_ticket_90d,
				count(*) FILTER (WHERE t.reopened AND t.created_at >= s.as_of - ${days(90)}) AS reopened_90d,
				median(date_diff('second', t.created_at, t.first_reply_at) / 3600.0)
					FILTER (WHERE t.first_reply_at < s.as_of AND t.created_at >= s.as_of - ${days(90)}) AS first_reply_hours_90d,
				${sql.join(topicCounts)}
			FROM (SELECT *, ${topicSql(config, sql`tags`, sql`subject`)} AS topic FROM tickets WHERE NOT coalesce(deleted, false) AND account_id IS NOT NULL) t
			JOIN snap s ON t.created_at >= s.as_of - ${days(90)} AND t.created_at < s.as_of
			GROUP BY ALL
		),
		se AS (
			SELECT s.as_of, k.account_id, count(*) AS searches_90d,
				count(*) FILTER (WHERE k.results = 0) AS zero_result_searches_90d,
				count(*) FILTER (WHERE NOT (coalesce(k.results, 0) >= 1 AND k.clicked_article_id IS NOT NULL)) AS failed_searches_90d
			FROM kb_searches k JOIN snap s ON k.timestamp >= s.as_of - ${days(90)} AND k.timestamp < s.as_of
			WHERE k.account_id IS NOT NULL GROUP BY ALL
		),
		ss AS (
			SELECT s.as_of, x.account_id, count(*) AS sessions_90d
			FROM (${sessionsSql(any)}) x JOIN snap s ON x.started_at >= s.as_of - ${days(90)} AND x.started_at < s.as_of
			WHERE x.account_id IS NOT NULL GROUP BY ALL
		),
		cb AS (
			SELECT s.as_of, c.account_id, count(*) AS confusion_bursts_90d
			FROM (${confusionBurstsSql(any)}) c JOIN snap s ON c.at >= s.as_of - ${days(90)} AND c.at < s.as_of
			WHERE c.account_id IS NOT NULL GROUP BY ALL
		),
		sv AS (
			SELECT s.as_of, v.account_id,
				avg(v.score) FILTER (WHERE v.kind = 'csat') AS csat_mean, count(*) FILTER (WHERE v.kind = 'csat') AS csat_responses,
				avg(v.score) FILTER (WHERE v.kind = 'ces') AS ces_mean, count(*) FILTER (WHERE v.kind = 'ces') AS ces_responses,
				avg(v.score) FILTER (WHERE v.kind = 'nps') AS nps_mean, count(*) FILTER (WHERE v.kind = 'nps') AS nps_responses
			FROM surveys v JOIN snap s ON v.timestamp < s.as_of WHERE v.account_id IS NOT NULL GROUP BY ALL
		),
		ms AS (${milestones}),
		fv AS (SELECT account_id, first_at FROM (${firstValueSql(any)}))
		SELECT b.as_of, b.account_id, b.plan, b.segment, b.region,
			date_diff('second', b.created_at, b.as_of) / 86400.0 AS tenure_days,
			ln(1 + greatest(coalesce(b.arr, 0), 0)) AS log_arr,
			coalesce(seats.seats, 0) AS seats,
			CASE WHEN b.renewal_date IS NOT NULL THEN
				((date_diff('day', b.as_of::DATE, b.renewal_date) % 365) + 365) % 365 END AS days_to_renewal,
			coalesce(ev.events_7d, 0) AS events_7d, coalesce(ev.events_30d, 0) AS events_30d, coalesce(ev.events_90d, 0) AS events_90d,
			ln((coalesce(ev.events_30d, 0) + 1) / (coalesce(ev.events_prev_30d, 0) + 1)) AS usage_trend,
			coalesce(ev.active_days_30d, 0) AS active_days_30d,
			coalesce(ev.user_days_30d, 0) AS user_days_30d,
			-- Whole days since the last day with a product event; none in the 90-day window: at least 90.
			coalesce(date_diff('day', ev.last_event_day, b.as_of::DATE), 90) AS days_since_last_event,
			coalesce(ms.level, 0) AS milestone_level, coalesce(ms.held, 0) AS milestones_held, coalesce(ms.lost, 0) AS milestones_lost,
			(fv.first_at < b.as_of)::INTEGER AS first_value_reached,
			coalesce(fv.first_at < b.as_of AND fv.first_at <= b.created_at + ${days(fvDays)}, false)::INTEGER AS first_value_within_30d,
			-- Days to first value, or, not reached yet, the days waited so far: a lower bound.
			date_diff('second', b.created_at, CASE WHEN fv.first_at < b.as_of THEN fv.first_at ELSE b.as_of END) / 86400.0 AS days_to_first_value,
			coalesce(tk.tickets_30d, 0) AS tickets_30d, coalesce(tk.tickets_90d, 0) AS tickets_90d,
			ln((coalesce(tk.tickets_30d, 0) + 1) / (coalesce(tk.tickets_prev_30d, 0) + 1)) AS ticket_trend,
			tk.messages_per_ticket_90d, coalesce(tk.reopened_90d, 0) AS reopened_90d, tk.first_reply_hours_90d,
			coalesce(se.searches_90d, 0) AS searches_90d, coalesce(se.zero_result_searches_90d, 0) AS zero_result_searches_90d,
			coalesce(se.failed_searches_90d, 0) AS failed_searches_90d,
			coalesce(ss.sessions_90d, 0) AS sessions_90d, coalesce(cb.confusion_bursts_90d, 0) AS confusion_bursts_90d,
			sv.csat_mean, coalesce(sv.csat_responses, 0) AS csat_responses, sv.ces_mean, coalesce(sv.ces_responses, 0) AS ces_responses,
			sv.nps_mean, coalesce(sv.nps_responses, 0) AS nps_responses,
			${sql.join(topics.map((t) => sql`coalesce(tk.${sql.ref(topicColumn(t))}, 0) AS ${sql.ref(topicColumn(t))}`))},
			CASE WHEN b.as_of + ${days(config.churn.labelDays)} <= ${ts(end)} THEN coalesce(b.churned_at < b.as_of + ${days(config.churn.labelDays)}, false) END AS label_churned
		FROM base b
		LEFT JOIN ev USING (as_of, account_id) LEFT JOIN seats USING (as_of, account_id)
		LEFT JOIN tk USING (as_of, account_id) LEFT JOIN se USING (as_of, account_id) LEFT JOIN ss USING (as_of, account_id)
		LEFT JOIN cb USING (as_of, account_id) LEFT JOIN sv USING (as_of, account_id) LEFT JOIN ms USING (as_of, account_id)
		LEFT JOIN fv ON fv.account_id = b.account_id
		ORDER BY b.as_of, b.account_id`;
}
