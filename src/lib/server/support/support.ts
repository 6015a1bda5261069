/**
 * The tickets & bot page (`/support`) and its tables (`/api/support/<table>`): ticket volume by topic per
 * week, ticket friction by topic and by channel, the bot's quality per week, where users are confused and
 * which automations keep firing. Every number is an existing metric (`metrics/friction.ts`,
 * `metrics/behaviour.ts`) or list (`metrics/lists.ts`) grouped another way; only the groupings are here.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Memo } from '../cache/reads.js';
import { confusionBurstsSql } from '../facts/bursts.js';
import { topicSql } from '../facts/topics.js';
import { botFlagRate } from '../metrics/behaviour.js';
import { periodSql } from '../metrics/engine.js';
import { rowsCsv } from '../metrics/export.js';
import { inRange, inScope } from '../metrics/filters.js';
import {
	botHandoffReopenRate,
	firstReplyHours,
	messagesPerTicket,
	reopenRate,
	resolutionHours,
	ticketVolume
} from '../metrics/friction.js';
import { repeatAutomations, runList, type ListDefinition } from '../metrics/lists.js';
import type { AggregateRow, MetricContext, MetricDefinition, MetricResult } from '../metrics/metric.js';
import { metricResult } from '../metrics/registry.js';
import { headline, trendPoints, type Headline } from '../metrics/summary.js';
import type { TrendPoint } from '../../components/kpi/kpi.js';

type Row = Record<string, unknown>;

/** Pages a table shows at most (the busiest first), and accounts named per page. */
const LIMIT = 50;
const ACCOUNTS_PER_PAGE = 5;

/**
 * A friction metric's facts (tickets, not deleted) with each ticket's topic (the taxonomy's first topic
 * whose tag the ticket carries, else whose keyword is in its subject, else `Other`: `facts/topics.ts`),
 * kept to the range by creation and to the filtered accounts.
 */
function ticketsWithTopic(def: MetricDefinition, ctx: MetricContext): RawBuilder<unknown> {
	return sql`
		SELECT f.*, ${topicSql(ctx.config, sql`f.tags`, sql`f.subject`)} AS topic FROM (${def.facts(ctx)}) f
		WHERE ${inRange(sql`f.at`, ctx.range)} AND ${inScope(sql`f.account_id`, ctx.filters)}`;
}

/** A metric's aggregate per value of `key` (an expression over the facts `f`), finished into its result. */
async function metricBy(def: MetricDefinition, ctx: MetricContext, key: RawBuilder<unknown>): Promise<Map<string, MetricResult>> {
	const { rows } = await sql<AggregateRow & { __group: string | null }>`
		SELECT ${key} AS __group, ${def.aggregate(ctx)} FROM (${ticketsWithTopic(def, ctx)}) f GROUP BY ALL`.execute(ctx.db);
	return new Map(rows.map(({ __group, ...r }) => [__group ?? '(none)', def.finish(r, ctx)]));
}

/**
 * Ticket friction per topic or channel, one row per group, most tickets first. Each column is the
 * friction metric of that name over the group's tickets created in the range:
 * - `tickets`: tickets (deleted ones excluded);
 * - `messages_per_ticket` = mean `messages` over those reporting it;
 * - `reopen_rate` = reopened ÷ tickets whose reopened flag is known;
 * - `first_reply_median_h`, `first_reply_p90_h`: median and 90th percentile (continuous) of hours from
 *   creation to first reply, over replied tickets;
 * - `resolution_median_h`, `resolution_p90_h`: the same from creation to solved, over solved tickets.
 * A ticket without a channel is grouped as `(none)`.
 */
async function frictionBy(ctx: MetricContext, by: 'topic' | 'channel'): Promise<Row[]> {
	const key = by === 'topic' ? sql`f.topic` : sql`f.channel`;
	const [volume, messages, reopen, reply, resolution] = await Promise.all(
		[ticketVolume, messagesPerTicket, reopenRate, firstReplyHours, resolutionHours].map((m) => metricBy(m, ctx, key))
	);
	const p90 = (r: MetricResult | undefined) => ((r?.details as { p90?: number | null } | undefined)?.p90 ?? null) as number | null;
	const round = (x: unknown) => (typeof x === 'number' ? Math.round(x * 100) / 100 : null);
	return [...volume.entries()]
		.map(([group, v]) => ({
			[by]: group,
			tickets: v.value,
			messages_per_ticket: round(messages.get(group)?.value),
			reopen_rate: reopen.get(group)?.value ?? null,
			first_reply_median_h: round(reply.get(group)?.value),
			first_reply_p90_h: round(p90(reply.get(group))),
			resolution_median_h: round(resolution.get(group)?.value),
			resolution_p90_h: round(p90(resolution.get(group)))
		}))
		.sort((a, b) => Number(b.tickets) - Number(a.tickets) || String(a[by]).localeCompare(String(b[by])));
}

/** Ticket friction by topic (see {@link frictionBy}). */
export const frictionByTopic: ListDefinition = {
	id: 'friction_by_topic',
	label: 'Friction by topic',
	description:
		'Per ticket topic: tickets, messages per ticket, reopen rate, first-reply and resolution hours (median and 90th percentile).',
	rows: (ctx) => frictionBy(ctx, 'topic')
};

/** Ticket friction by channel (see {@link frictionBy}). */
export const frictionByChannel: ListDefinition = {
	id: 'friction_by_channel',
	label: 'Friction by channel',
	description: 'Per channel: tickets, messages per ticket, reopen rate, first-reply and resolution hours (median and 90th percentile).',
	rows: (ctx) => frictionBy(ctx, 'channel')
};

/**
 * Confusion hot spots: pages by confusion bursts (a user viewing the same page `confusion.views` times
 * within `confusion.withinMinutes`: `facts/bursts.ts`) in the range, most first, with `users` and
 * `accounts` (distinct) behind them and `top_accounts`: the accounts with the most bursts on the page
 * (up to 5: id, name, bursts).
 */
export const confusionHotSpots: ListDefinition = {
	id: 'confusion_hot_spots',
	label: 'Confusion hot spots',
	description: 'Pages where users viewed the same page 3+ times within 2 minutes, most bursts first, with the accounts behind them.',
	rows: (ctx) =>
		sql<Row>`
			WITH b AS (
				SELECT * FROM (${confusionBurstsSql(ctx)}) b WHERE ${inRange(sql`b.at`, ctx.range)} AND ${inScope(sql`b.account_id`, ctx.filters)}
			), per_account AS (
				SELECT page, account_id, count(*) AS n FROM b WHERE account_id IS NOT NULL GROUP BY ALL
			), named AS (
				SELECT page, list_slice(list({'account_id': p.account_id, 'name': coalesce(a.name, p.account_id), 'bursts': p.n} ORDER BY p.n DESC, p.account_id), 1, ${ACCOUNTS_PER_PAGE})
					AS top_accounts
				FROM per_account p LEFT JOIN accounts a USING (account_id) GROUP BY page
			)
			-- The accounts join the pages after counting: joined to every burst, each page's list would be copied per row.
			SELECT pages.*, named.top_accounts FROM (
				SELECT page, count(*) AS bursts, count(DISTINCT user_id) AS users, count(DISTINCT account_id) AS accounts FROM b GROUP BY page
			) pages LEFT JOIN named USING (page) ORDER BY bursts DESC, page LIMIT ${LIMIT}`
			.execute(ctx.db)
			.then((r) => r.rows)
};

/** Every table of the page, in its order: what `/api/support/<table>` serves. */
export const SUPPORT_TABLES: readonly ListDefinition[] = [frictionByTopic, frictionByChannel, confusionHotSpots, repeatAutomations];

/** The table with this id, if any. */
export function supportTable(id: string): ListDefinition | undefined {
	return SUPPORT_TABLES.find((t) => t.id === id);
}

/** An account a table names, as `{account_id, name, bursts}` (the hot spots' `top_accounts`). */
interface NamedAccount {
	account_id: string;
	name: string;
	bursts: number;
}

/** A table's rows as CSV; the hot spots' accounts as `name (id): bursts`, separated by `;`. */
export function supportCsv(rows: Row[]): string {
	return rowsCsv(
		rows.map((r) =>
			Array.isArray(r.top_accounts)
				? { ...r, top_accounts: (r.top_accounts as NamedAccount[]).map((a) => `${a.name} (${a.account_id}): ${a.bursts}`) }
				: r
		)
	);
}

/** Weekly ticket counts per topic: the weeks (`YYYY-MM-DD`, in order) and each topic's count per week (0 when none). */
export interface TopicVolume {
	weeks: string[];
	topics: { topic: string; tickets: number; counts: number[] }[];
}

/**
 * Ticket volume by topic per week: `ticket_volume` (tickets created, deleted ones excluded) per reporting
 * week (`reporting.timeZone`, `weekStart`) and topic. Topics ordered by their total, largest first.
 */
async function topicVolume(ctx: MetricContext): Promise<TopicVolume> {
	const { rows } = await sql<{ week: string; topic: string; n: number }>`
		SELECT strftime(${periodSql(ctx, 'week')}, '%Y-%m-%d') AS week, topic, ${ticketVolume.aggregate(ctx)}
		FROM (${ticketsWithTopic(ticketVolume, ctx)}) f GROUP BY ALL ORDER BY week`.execute(ctx.db);
	const weeks = [...new Set(rows.map((r) => r.week))];
	const index = new Map(weeks.map((w, i) => [w, i]));
	const byTopic = new Map<string, number[]>();
	for (const r of rows) {
		const counts = byTopic.get(r.topic) ?? byTopic.set(r.topic, new Array(weeks.length).fill(0)).get(r.topic)!;
		counts[index.get(r.week)!] = r.n;
	}
	const topics = [...byTopic.entries()].map(([topic, counts]) => ({ topic, tickets: counts.reduce((a, b) => a + b, 0), counts }));
	topics.sort((a, b) => b.tickets - a.tickets || a.topic.localeCompare(b.topic));
	return { weeks, topics };
}

/** What `/support` shows under one set of filters. */
export interface SupportReport {
	/** Tickets, messages per ticket, reopen rate, first reply, resolution, bot handoff reopen rate, bot flags per 1,000. */
	headlines: Headline[];
	volume: TopicVolume;
	/** Weekly reopen rate of bot→human handoffs and wrong-answer flags per 1,000 bot conversations. */
	trends: { bot_handoff_reopen_rate: TrendPoint[]; bot_flags_per_1000: TrendPoint[] };
	tables: Record<string, Row[]>;
}

const HEADLINES = [ticketVolume, messagesPerTicket, reopenRate, firstReplyHours, resolutionHours, botHandoffReopenRate, botFlagRate];

/**
 * The page's numbers: the headline metrics (the two bot metrics with their weekly trend, from one grouped
 * pass each), the volume by topic and every table. Metric results and tables go through `memo`, shared
 * with the metrics dashboard and API, and with the tables' CSV downloads, under the same filters.
 */
export async function supportReport(ctx: MetricContext, memo?: Memo): Promise<SupportReport> {
	const week = { trend: 'week' } as const;
	const trended = new Set([botHandoffReopenRate.id, botFlagRate.id]);
	const [results, volume, tables] = await Promise.all([
		Promise.all(HEADLINES.map((m) => metricResult(m, ctx, trended.has(m.id) ? week : undefined, memo))),
		topicVolume(ctx),
		Promise.all(SUPPORT_TABLES.map(async (t) => (await runList(t, ctx, memo)).rows))
	]);
	const groups = (id: string) => results[HEADLINES.findIndex((m) => m.id === id)].groups ?? [];
	return {
		headlines: HEADLINES.map((m, i) => headline(m, results[i].r, ctx.config)),
		volume,
		trends: {
			bot_handoff_reopen_rate: trendPoints(botHandoffReopenRate, groups(botHandoffReopenRate.id)),
			bot_flags_per_1000: trendPoints(botFlagRate, groups(botFlagRate.id))
		},
		tables: Object.fromEntries(SUPPORT_TABLES.map((t, i) => [t.id, tables[i]]))
	};
}
