/**
 * One account, as its page (`/accounts/ID`) and `GET /api/accounts/ID` show it: who it is, its risk and
 * health at every scoring run, its milestones, what it did (a paged timeline of events, tickets, searches
 * and surveys), its users, and the step that fits what it is missing. Every read names the account, so
 * each scans one account's rows.
 */
import { sql, type Kysely } from 'kysely';
import type { Config } from '../config/config.js';
import type { Schema } from '../db/schema.js';
import type { Driver } from '../models/explain.js';
import type { RiskBand } from '../scores/filters.js';
import { parseDrivers } from '../scores/repository.js';
import { confusionBurstsSql } from '../facts/bursts.js';
import { keyEventsSql } from '../facts/key-events.js';
import type { FactSource } from '../facts/fact.js';

/** The account's attributes, and how many users it has. */
export interface AccountProfile {
	account_id: string;
	name: string | null;
	domain: string | null;
	plan: string | null;
	segment: string | null;
	region: string | null;
	arr: number | null;
	csm: string | null;
	created_at: string;
	renewal_date: string | null;
	churned_at: string | null;
	users: number;
}

/** The account at one scoring run (`adoption score`, one per as-of date). */
export interface ScorePoint {
	as_of: string;
	model: string;
	version: string;
	churn_probability: number;
	risk_band: RiskBand;
	risk_percentile: number;
	health: number | null;
	adoption: number | null;
	sentiment: number | null;
	drivers: Driver[];
}

/**
 * A milestone of the config's checklist for this account: `reached` while held, `lost` when its revoking
 * event came after it (the `lost_by` event, on `lost_at`), `missing` when never reached.
 */
export interface MilestoneState {
	level: 1 | 2 | 3;
	name: string;
	event: string;
	kind: 'technical' | 'commitment';
	state: 'reached' | 'lost' | 'missing';
	/** When it was first reached. */
	reached_at: string | null;
	lost_at: string | null;
	lost_by: string | null;
	/** Signup + the milestone's `dueDays`, when it has a due date. */
	due_at: string | null;
}

/** The kinds of row on the timeline. */
export const TIMELINE_KINDS = ['event', 'ticket', 'search', 'survey'] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

/** One row of the timeline: when, what and who. */
export interface TimelineItem {
	kind: TimelineKind;
	at: string;
	/** The event's name, the ticket's subject, the search's query, the survey's kind and score. */
	title: string;
	/** The page or properties, the ticket's status and channel, the search's results, the survey's context. */
	detail: string | null;
	user_id: string | null;
}

/** A page of the timeline, newest first, with how many rows each kind has in all. */
export interface Timeline {
	items: TimelineItem[];
	total: number;
	counts: Record<TimelineKind, number>;
	/** The account's last event, ticket, search or survey, whatever the kinds shown: how recent its data is. */
	last_at: string | null;
}

/** A user of the account and their activity. */
export interface AccountUser {
	user_id: string;
	email: string | null;
	role: string | null;
	created_at: string | null;
	last_seen: string | null;
	/** Events in the 30 days before the account's last event. */
	events_30d: number;
}

/** A page the account's users keep coming back to (confusion bursts, see `facts/bursts.ts`). */
export interface ConfusingPage {
	page: string;
	bursts: number;
	last_at: string;
}

/** Rows per page of the timeline. */
export const TIMELINE_PAGE_SIZE = 50;
/** Users listed on the page, most recently active first. */
export const USERS_SHOWN = 25;

/** Reads one account's rows across the tables. */
export class AccountRepository {
	constructor(
		private readonly db: Kysely<Schema>,
		private readonly src: FactSource
	) {}

	/** The account, or null when there is no such account. */
	async profile(id: string): Promise<AccountProfile | null> {
		const { rows } = await sql<AccountProfile>`
			SELECT a.account_id, a.name, a.domain, a.plan, a.segment, a.region, a.arr, a.csm, a.created_at, a.renewal_date, a.churned_at,
				(SELECT count(*) FROM users WHERE account_id = a.account_id) AS users
			FROM accounts a WHERE a.account_id = ${id}`.execute(this.db);
		return rows[0] ?? null;
	}

	/** Every scoring run's score of the account, oldest first. */
	async scores(id: string): Promise<ScorePoint[]> {
		const { rows } = await sql<Omit<ScorePoint, 'drivers'> & { drivers: string | null }>`
			SELECT as_of, model, version, churn_probability, risk_band, risk_percentile, health, adoption, sentiment, drivers
			FROM account_scores WHERE account_id = ${id} ORDER BY as_of`.execute(this.db);
		return rows.map((r) => ({ ...r, drivers: parseDrivers(r.drivers) }));
	}

	/**
	 * The config's milestones for the account, from all its events: held is the rule of
	 * `facts/milestones.ts` (the event happened, and its revoking event did not come after its latest
	 * occurrence), so the level here is the level the metrics count.
	 */
	async milestones(id: string, config: Config): Promise<MilestoneState[]> {
		const ms = config.milestones;
		const defs = sql.join(ms.map((m, i) => sql`(${i}, ${m.event}, ${m.revokedBy ?? null}, ${m.dueDays ?? null})`));
		const { rows } = await sql<{
			i: number;
			first_at: string | null;
			last_at: string | null;
			lost_at: string | null;
			due_at: string | null;
		}>`
			WITH m(i, event, revoked_by, due_days) AS (VALUES ${defs}),
			ev AS (
				SELECT event, min(timestamp) AS first_at, max(timestamp) AS last_at FROM (${keyEventsSql(this.src)})
				WHERE account_id = ${id} GROUP BY event
			)
			SELECT m.i, got.first_at, got.last_at, lost.last_at AS lost_at,
				CASE WHEN m.due_days IS NULL THEN NULL ELSE a.created_at + to_days(CAST(m.due_days AS INTEGER)) END AS due_at
			FROM m CROSS JOIN (SELECT created_at FROM accounts WHERE account_id = ${id}) a
			LEFT JOIN ev got ON got.event = m.event LEFT JOIN ev lost ON lost.event = m.revoked_by
			ORDER BY m.i`.execute(this.db);
		return rows.map((r) => {
			const m = ms[r.i];
			const lost = r.last_at !== null && r.lost_at !== null && r.lost_at >= r.last_at;
			return {
				level: m.level,
				name: m.name,
				event: m.event,
				kind: m.kind,
				state: r.last_at === null ? 'missing' : lost ? 'lost' : 'reached',
				reached_at: r.first_at,
				lost_at: lost ? r.lost_at : null,
				lost_by: lost ? (m.revokedBy ?? null) : null,
				due_at: r.due_at
			};
		});
	}

	/**
	 * A page of the account's events, tickets, searches and surveys, newest first (every row when `limit`
	 * is null); `kinds` limits the rows (the counts stay whole).
	 */
	async timeline(id: string, kinds: readonly TimelineKind[], offset: number, limit: number | null = TIMELINE_PAGE_SIZE): Promise<Timeline> {
		// Every part names its columns: a UNION takes its names from whichever part comes first.
		const parts = {
			event: sql`SELECT 'event' AS kind, timestamp AS at, event AS title,
				coalesce(page, nullif(left(CAST(properties AS VARCHAR), 160), '{}')) AS detail, user_id FROM events WHERE account_id = ${id}`,
			ticket: sql`SELECT 'ticket' AS kind, created_at AS at, coalesce(subject, '(no subject)') AS title,
				concat_ws(' · ', status, channel, priority, CASE WHEN messages IS NULL THEN NULL ELSE messages || ' messages' END,
					CASE WHEN reopened THEN 'reopened' END, CASE WHEN bot_handoff THEN 'handed off by the bot' END) AS detail, requester_id AS user_id
				FROM tickets WHERE account_id = ${id}`,
			search: sql`SELECT 'search' AS kind, timestamp AS at, coalesce(query, '') AS title,
				CASE WHEN results = 0 THEN 'no results' ELSE results || ' results' END
					|| CASE WHEN clicked_article_id IS NULL THEN '' ELSE ' · opened ' || clicked_article_id END AS detail, user_id
				FROM kb_searches WHERE account_id = ${id}`,
			survey: sql`SELECT 'survey' AS kind, timestamp AS at, upper(kind) || ' ' || score AS title, context AS detail, user_id
				FROM surveys WHERE account_id = ${id}`
		};
		const shown = TIMELINE_KINDS.filter((k) => kinds.includes(k));
		const all = sql.join(
			TIMELINE_KINDS.map((k) => parts[k]),
			sql` UNION ALL `
		);
		const [counts, page] = await Promise.all([
			sql<{
				kind: TimelineKind;
				n: number;
				last_at: string;
			}>`SELECT kind, count(*) AS n, max("at") AS last_at FROM (${all}) GROUP BY kind`.execute(this.db),
			shown.length
				? sql<TimelineItem>`SELECT * FROM (${sql.join(
						shown.map((k) => parts[k]),
						sql` UNION ALL `
					)}) ORDER BY "at" DESC, kind, title ${limit === null ? sql`` : sql`LIMIT ${limit}`} OFFSET ${offset}`.execute(this.db)
				: Promise.resolve({ rows: [] as TimelineItem[] })
		]);
		const byKind = { event: 0, ticket: 0, search: 0, survey: 0 };
		let last: string | null = null;
		for (const r of counts.rows) {
			byKind[r.kind] = r.n;
			if (last === null || r.last_at > last) last = r.last_at;
		}
		return { items: page.rows, total: shown.reduce((s, k) => s + byKind[k], 0), counts: byKind, last_at: last };
	}

	/** The account's users, most recently active first (at most {@link USERS_SHOWN}). */
	async users(id: string): Promise<AccountUser[]> {
		const { rows } = await sql<AccountUser>`
			WITH e AS (SELECT user_id, timestamp FROM events WHERE account_id = ${id}),
			seen AS (
				SELECT user_id, max(timestamp) AS last_seen,
					count(*) FILTER (WHERE timestamp > (SELECT max(timestamp) FROM e) - INTERVAL 30 DAY) AS events_30d
				FROM e GROUP BY user_id
			)
			SELECT u.user_id, u.email, u.role, u.created_at, s.last_seen, coalesce(s.events_30d, 0) AS events_30d
			FROM users u LEFT JOIN seen s USING (user_id) WHERE u.account_id = ${id}
			ORDER BY s.last_seen DESC NULLS LAST, u.user_id LIMIT ${USERS_SHOWN}`.execute(this.db);
		return rows;
	}

	/** The pages the account's users were most confused on (most bursts first, at most 3). */
	async confusingPages(id: string): Promise<ConfusingPage[]> {
		const { rows } = await sql<ConfusingPage>`
			SELECT b.page, count(*) AS bursts, max(b.at) AS last_at FROM (${confusionBurstsSql(this.src)}) b
			WHERE b.account_id = ${id} GROUP BY b.page ORDER BY bursts DESC, b.page LIMIT 3`.execute(this.db);
		return rows;
	}
}

/**
 * The timeline's `kind` parameters (repeated, or comma-separated): every kind when none is given, or
 * the first unknown value with what it can be.
 */
export function parseTimelineKinds(url: URL): { kinds: TimelineKind[]; error: null } | { kinds: null; error: string } {
	const given = url.searchParams.getAll('kind').flatMap((v) =>
		v
			.split(',')
			.map((k) => k.trim())
			.filter(Boolean)
	);
	if (!given.length) return { kinds: [...TIMELINE_KINDS], error: null };
	const bad = given.find((k) => !(TIMELINE_KINDS as readonly string[]).includes(k));
	if (bad !== undefined) return { kinds: null, error: `must be one of ${TIMELINE_KINDS.join(', ')} (got '${bad}')` };
	return { kinds: TIMELINE_KINDS.filter((k) => given.includes(k)), error: null };
}
