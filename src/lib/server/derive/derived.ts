import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Config } from '../config/config.js';
import type { Schema } from '../db/schema.js';
import { milestoneLevelsSql } from '../metrics/milestones.js';

/**
 * The derived tables: per-session, per-account and per-burst facts that metrics would otherwise recompute
 * from 10 M events on every request. Each is built whole from its `build` SQL and is valid for one config
 * (`signature`: the settings its SQL depends on) and one state of the data (the latest load).
 */
export interface DerivedTable {
	name: string;
	signature(config: Config): string;
	/** The table's rows; `derived` names the tables it may read instead of the raw data (fresh ones, or those rebuilt before it). */
	build(config: Config, derived?: Set<string>): RawBuilder<unknown>;
}

/** Bot events, counted by bot quality. */
export const BOT_EVENTS = ['Bot Conversation Started', 'Bot Answer Flagged'];

/** Every event name the config's first value, funnel and milestones look at, and the bot events. */
export function keyEventNames(config: Config): string[] {
	return [
		...new Set([...BOT_EVENTS, ...config.firstValueEvents, ...config.funnel.steps.map((s) => s.event), ...milestoneEventNames(config)])
	].sort();
}

/**
 * `derived_sessions`: self-service sessions (see `metrics/sessions.ts`) with `next_ticket_at`, the first
 * ticket by the same user after the session's last activity (deleted tickets left out), found by an ASOF join.
 */
export const sessionsTable: DerivedTable = {
	name: 'derived_sessions',
	signature: (c) => JSON.stringify({ gap: c.windows.sessionGapMinutes, events: [...c.selfServiceEvents].sort() }),
	build: (c) => sql`
		WITH act AS (
			SELECT user_id, account_id, timestamp AS ts FROM kb_searches WHERE user_id IS NOT NULL
			UNION ALL
			SELECT user_id, account_id, timestamp FROM events WHERE event IN (${sql.join(c.selfServiceEvents)}) AND user_id IS NOT NULL
		), marked AS (
			SELECT *, CASE WHEN lag(ts) OVER (PARTITION BY user_id ORDER BY ts) > ts - ${sql.raw(`to_microseconds(${Math.round(c.windows.sessionGapMinutes * 60e6)})`)} THEN 0 ELSE 1 END AS starts
			FROM act
		), numbered AS (
			SELECT *, sum(starts) OVER (PARTITION BY user_id ORDER BY ts ROWS UNBOUNDED PRECEDING) AS session_no FROM marked
		), s AS (
			SELECT user_id, arg_min(account_id, ts) AS account_id, min(ts) AS started_at, max(ts) AS last_at FROM numbered GROUP BY user_id, session_no
		), t AS (
			SELECT requester_id, created_at FROM tickets WHERE NOT coalesce(deleted, false) AND requester_id IS NOT NULL
		)
		SELECT s.user_id, s.account_id, s.started_at, s.last_at, t.created_at AS next_ticket_at
		FROM s ASOF LEFT JOIN t ON t.requester_id = s.user_id AND t.created_at > s.last_at`
};

/** `derived_key_events`: the events first value, the funnel and milestones look at (a few per account). */
export const keyEventsTable: DerivedTable = {
	name: 'derived_key_events',
	signature: (c) => JSON.stringify(keyEventNames(c)),
	// Bot events without an account still count towards bot quality, so rows without one are kept.
	build: (c) => sql`SELECT account_id, event, timestamp FROM events WHERE event IN (${sql.join(keyEventNames(c))})`
};

/** `derived_confusion`: confusion bursts (see `metrics/behaviour.ts`). */
export const confusionTable: DerivedTable = {
	name: 'derived_confusion',
	signature: (c) => JSON.stringify(c.confusion),
	build: (c) => sql`
		SELECT b.at, b.account_id, b.user_id, b.page FROM (
			SELECT timestamp AS at, account_id, user_id, page, n, lag(n) OVER (PARTITION BY user_id, page ORDER BY timestamp) AS prev_n
			FROM (
				SELECT timestamp, account_id, user_id, page,
					count(*) OVER (PARTITION BY user_id, page ORDER BY timestamp
						RANGE BETWEEN ${sql.raw(`to_microseconds(${Math.round(c.confusion.withinMinutes * 60e6)})`)} PRECEDING AND CURRENT ROW) AS n
				FROM events WHERE event = 'Page Viewed' AND user_id IS NOT NULL AND page IS NOT NULL
			)
		) b WHERE b.n >= ${c.confusion.views} AND coalesce(b.prev_n, 0) < ${c.confusion.views}`
};

/** `derived_automation_repeats`: automations firing repeatedly (see `metrics/behaviour.ts`). */
export const automationTable: DerivedTable = {
	name: 'derived_automation_repeats',
	signature: (c) => JSON.stringify(c.repeatAutomation),
	build: (c) => {
		const { event, runs, withinHours } = c.repeatAutomation;
		return sql`
			SELECT b.at, b.account_id, b.automation FROM (
				SELECT timestamp AS at, account_id, automation, n, lag(n) OVER (PARTITION BY account_id, automation ORDER BY timestamp) AS prev_n
				FROM (
					SELECT timestamp, account_id, coalesce(properties ->> '$.automation', '(unnamed)') AS automation,
						count(*) OVER (PARTITION BY account_id, coalesce(properties ->> '$.automation', '(unnamed)') ORDER BY timestamp
							RANGE BETWEEN ${sql.raw(`to_microseconds(${Math.round(withinHours * 3600e6)})`)} PRECEDING AND CURRENT ROW) AS n
					FROM events WHERE event = ${event} AND account_id IS NOT NULL
				)
			) b WHERE b.n >= ${runs} AND coalesce(b.prev_n, 0) < ${runs}`;
	}
};

/** `derived_first_value`: each account's first first-value event (`first_at`), what TTFV is measured to. */
export const firstValueTable: DerivedTable = {
	name: 'derived_first_value',
	signature: (c) => JSON.stringify([...c.firstValueEvents].sort()),
	build: (c, derived) => sql`SELECT account_id, min(timestamp) AS first_at FROM (${derivedOrBuilt({ config: c, derived }, keyEventsTable)})
		WHERE event IN (${sql.join(c.firstValueEvents)}) AND account_id IS NOT NULL GROUP BY account_id`
};

/** The events milestones are earned and revoked by. */
export function milestoneEventNames(config: Config): string[] {
	return [...new Set(config.milestones.flatMap((m) => (m.revokedBy ? [m.event, m.revokedBy] : [m.event])))].sort();
}

/**
 * `derived_milestone_levels`: every account's milestone level from all its events (see
 * `metrics/milestones.ts`), what the milestone metric reads when its range ends after the data.
 */
export const milestoneLevelsTable: DerivedTable = {
	name: 'derived_milestone_levels',
	signature: (c) => JSON.stringify(c.milestones),
	build: (c, derived) => milestoneLevelsSql({ config: c, derived }, null)
};

const step = (k: number) => sql.raw(`t${k}`);

/**
 * `derived_funnel`: accounts that did the funnel's first step, with `t1…tn`: when each step was first done
 * after the previous one and within the step's window (its `windowDays`, else the funnel's) from entry
 * (`t1`). Whether a missing step's window is still open depends on the end of the data, so the funnel
 * metric works that out per request.
 */
export const funnelTable: DerivedTable = {
	name: 'derived_funnel',
	signature: (c) => JSON.stringify(c.funnel),
	build: (c, derived) => {
		const { steps, windowDays } = c.funnel;
		const windowOf = (i: number) => sql`to_microseconds(CAST(${steps[i].windowDays ?? windowDays} * 86400e6 AS BIGINT))`;
		// Each account's times of each step event, as sorted lists; step k is the first time after step k−1's.
		const lists = steps.map((s, i) => sql`list(timestamp ORDER BY timestamp) FILTER (WHERE event = ${s.event}) AS ${sql.raw(`e${i + 1}`)}`);
		const later = steps.slice(1).map(
			(_, j) => sql`, s${sql.raw(String(j + 2))} AS (
				SELECT *, list_min(list_filter(coalesce(${sql.raw(`e${j + 2}`)}, []), lambda x: x > ${step(j + 1)} AND x <= t1 + ${windowOf(j + 1)})) AS ${step(j + 2)}
				FROM s${sql.raw(String(j + 1))})`
		);
		return sql`
			WITH ev AS (
				SELECT account_id, ${sql.join(lists)} FROM (${derivedOrBuilt({ config: c, derived }, keyEventsTable)})
				WHERE event IN (${sql.join(steps.map((s) => s.event))}) AND account_id IS NOT NULL GROUP BY account_id
			), s1 AS (
				SELECT *, list_min(e1) AS t1 FROM ev WHERE e1 IS NOT NULL
			)${sql.join(later, sql``)}
			SELECT account_id, ${sql.join(steps.map((_, i) => step(i + 1)))} FROM s${sql.raw(String(steps.length))}`;
	}
};

/**
 * `derived_account_days`: one row per account and UTC day with any activity (event, search or ticket):
 * whether any of it was portal activity (self-service or a ticket), what portal adoption counts; and the
 * day's product events and distinct active users, what the feature snapshots' usage windows add up.
 */
export const accountDaysTable: DerivedTable = {
	name: 'derived_account_days',
	// `columns` changes with the table's shape, so a table built by an older version counts as stale.
	signature: (c) => JSON.stringify({ columns: 'portal,events,users', events: [...c.selfServiceEvents].sort() }),
	build: (c) => sql`
		SELECT account_id, day, bool_or(portal) AS portal, count(*) FILTER (WHERE is_event) AS events,
			count(DISTINCT user_id) FILTER (WHERE is_event) AS users
		FROM (
			SELECT account_id, timestamp::DATE AS day, true AS portal, false AS is_event, NULL AS user_id FROM kb_searches WHERE account_id IS NOT NULL
			UNION ALL
			SELECT account_id, timestamp::DATE, event IN (${sql.join(c.selfServiceEvents)}), true, user_id FROM events WHERE account_id IS NOT NULL
			UNION ALL
			SELECT account_id, created_at::DATE, true, false, NULL FROM tickets WHERE account_id IS NOT NULL AND NOT coalesce(deleted, false)
		) GROUP BY account_id, day
		-- In day order, so a query for a few days reads only their blocks.
		ORDER BY day`
};

/**
 * `derived_account_weeks`: the account-days rolled up to (UTC, Monday) weeks, a fifth of the rows: portal
 * adoption reads it for the whole weeks of a range (see `metrics/adoption.ts`).
 */
export const accountWeeksTable: DerivedTable = {
	name: 'derived_account_weeks',
	signature: accountDaysTable.signature,
	build: (c, derived) => sql`SELECT account_id, date_trunc('week', day)::DATE AS week, bool_or(portal) AS portal
		FROM (${derivedOrBuilt({ config: c, derived }, accountDaysTable)}) GROUP BY account_id, week`
};

/** Every derived table, in build order. */
export const DERIVED: readonly DerivedTable[] = [
	sessionsTable,
	keyEventsTable,
	firstValueTable,
	funnelTable,
	milestoneLevelsTable,
	confusionTable,
	automationTable,
	accountDaysTable,
	accountWeeksTable
];

/**
 * Each derived table with the SQL that rebuilds it, in build order: later tables read the ones built before
 * them (first value and the funnel read the key events), as a full refresh runs them.
 */
export function derivedBuilds(config: Config): { table: DerivedTable; query: RawBuilder<unknown> }[] {
	const built = new Set<string>();
	return DERIVED.map((table) => {
		const query = table.build(config, new Set(built));
		built.add(table.name);
		return { table, query };
	});
}

/** The derived tables usable now: built from this config, after the latest successful load. */
export async function freshDerived(db: Kysely<Schema>, config: Config): Promise<Set<string>> {
	const { rows } = await sql<{ name: string; signature: string; load_id: number | null; latest: number | null }>`
		SELECT m.name, m.signature, m.load_id, (SELECT max(load_id) FROM loads WHERE outcome = 'ok') AS latest FROM derived_meta m`.execute(db);
	const bySig = new Map(DERIVED.map((d) => [d.name, d.signature(config)]));
	return new Set(rows.filter((r) => bySig.get(r.name) === r.signature && r.load_id === r.latest).map((r) => r.name));
}

/** SQL reading a derived table while it is fresh for this request, else computing the same rows from the raw data. */
export function derivedOrBuilt(ctx: { config: Config; derived?: Set<string> }, table: DerivedTable): RawBuilder<unknown> {
	return ctx.derived?.has(table.name) ? sql`SELECT * FROM ${sql.table(table.name)}` : table.build(ctx.config, ctx.derived);
}
