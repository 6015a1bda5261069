/**
 * The knowledge base & search page (`/knowledge`) and its tables (`/api/knowledge/<table>`): search success
 * and zero-result rate per week, the zero-result queries to write content for, and the articles to fix —
 * stale, off-format, or read just before a ticket anyway. Formulas that exist as metrics or lists are those
 * (`metrics/search.ts`, `metrics/knowledge.ts`, `metrics/lists.ts`); only what is new is written here.
 */
import { sql } from 'kysely';
import type { Memo } from '../cache/reads.js';
import { topicSql } from '../facts/topics.js';
import { inRange, inScope } from '../metrics/filters.js';
import { ARTICLE_SECTIONS, articleFacts, articleHealth, staleArticles as staleArticleCount } from '../metrics/knowledge.js';
import { runList, staleArticles, zeroResultQueries, zeroResultQuerySql, type ListDefinition } from '../metrics/lists.js';
import type { MetricContext } from '../metrics/metric.js';
import { metricResult } from '../metrics/registry.js';
import { kbSearchSuccess, zeroResultRate } from '../metrics/search.js';
import { headline, trendPoints, type Headline } from '../metrics/summary.js';
import type { TrendPoint } from '../../components/kpi/kpi.js';

type Row = Record<string, unknown>;

/** Rows a table shows at most (the busiest first); the article tables show every article. */
const LIMIT = 50;

async function rows(ctx: MetricContext, query: ReturnType<typeof sql>): Promise<Row[]> {
	return (await query.execute(ctx.db)).rows as Row[];
}

/**
 * Trending zero-result queries: growth = zero-result searches in the last 28 days of the range
 * (`last_28d`) − those in the 28 days before (`previous_28d`), queries that grew only, most growth first.
 * A difference, not a ratio, so a query going from 0 to 1 does not outrank one going from 20 to 60.
 */
export const trendingZeroResultQueries: ListDefinition = {
	id: 'trending_zero_result_queries',
	label: 'Trending zero-result queries',
	description:
		'Zero-result queries by growth: searches in the last 4 weeks of the range minus the 4 weeks before, those that grew, most growth first.',
	rows: (ctx) =>
		rows(
			ctx,
			sql`
			SELECT query, last_28d, previous_28d, last_28d - previous_28d AS growth, searches, accounts
			FROM (${zeroResultQuerySql(ctx)}) WHERE last_28d > previous_28d
			ORDER BY growth DESC, last_28d DESC, query LIMIT ${LIMIT}`
		)
};

/** The five sections' flag columns of {@link articleFacts}, with the section each stands for. */
const SECTION_FLAGS = ARTICLE_SECTIONS.map(([name]) => ({ name, flag: sql.ref(`has_${name.replaceAll(' ', '_')}`) }));

/**
 * Articles failing the one-problem-per-page format: those whose body lacks at least one of the five
 * section headings (symptoms, why it happens, fix, verify, escalate — the patterns of `ARTICLE_SECTIONS`),
 * with the sections missing, most missing first. A state of things now: no date or account filter applies.
 */
export const articleFormatFailures: ListDefinition = {
	id: 'article_format_failures',
	label: 'Articles failing the five-section format',
	description: 'Articles missing one or more of the sections symptoms, why it happens, fix, verify and escalate, most missing first.',
	rows: (ctx) =>
		rows(
			ctx,
			sql`
			SELECT article_id, title, feature_area, owner, missing_sections, len(missing_sections) AS missing, last_reviewed_at
			FROM (
				SELECT *, list_filter([${sql.join(SECTION_FLAGS.map((s) => sql`CASE WHEN NOT ${s.flag} THEN ${s.name} END`))}], x -> x IS NOT NULL) AS missing_sections
				FROM (${articleFacts(ctx)})
			)
			WHERE len(missing_sections) > 0 ORDER BY missing DESC, article_id`
		)
};

/**
 * Articles read before a ticket anyway (content that does not deflect). Per article, over `Article Viewed`
 * events (their `properties.article_id`) in the range by a known user:
 * - `views`: those views;
 * - `views_then_ticket`: views followed by a ticket from the same person (`tickets.requester_id` = the
 *   viewer, as the deflection rate matches them) created after the view and at most
 *   `windows.deflectionHours` after it (deleted tickets aside);
 * - `ticket_share` = views_then_ticket ÷ views; `tickets` and `accounts`: the distinct tickets and viewers'
 *   accounts behind them; `top_ticket_topic`: those tickets' most frequent topic.
 * Articles with at least one such view, most first.
 */
export const undeflectedArticles: ListDefinition = {
	id: 'undeflected_articles',
	label: 'Articles read before a ticket anyway',
	description:
		'Articles most often viewed by a person who then opened a ticket within the deflection window (windows.deflectionHours): content that does not deflect.',
	rows: (ctx) => {
		const window = sql`to_microseconds(CAST(${ctx.config.windows.deflectionHours} * 3600e6 AS BIGINT))`;
		return rows(
			ctx,
			sql`
			WITH v AS (
				SELECT user_id, account_id, timestamp AS at, properties ->> '$.article_id' AS article_id FROM events
				WHERE event = 'Article Viewed' AND user_id IS NOT NULL AND (properties ->> '$.article_id') IS NOT NULL
					AND ${inRange(sql.ref('timestamp'), ctx.range)} AND ${inScope(sql.ref('account_id'), ctx.filters)}
			), t AS (
				SELECT ticket_id, requester_id, created_at, ${topicSql(ctx.config, sql`tags`, sql`subject`)} AS topic
				FROM tickets WHERE NOT coalesce(deleted, false) AND requester_id IS NOT NULL
			), j AS (
				SELECT v.*, t.ticket_id, t.topic, t.created_at IS NOT NULL AND t.created_at <= v.at + ${window} AS followed
				FROM v ASOF LEFT JOIN t ON t.requester_id = v.user_id AND t.created_at > v.at
			)
			SELECT j.article_id, any_value(k.title) AS title, any_value(k.feature_area) AS feature_area, count(*) AS views,
				count(*) FILTER (WHERE followed) AS views_then_ticket, round(views_then_ticket / count(*), 4) AS ticket_share,
				count(DISTINCT ticket_id) FILTER (WHERE followed) AS tickets, count(DISTINCT account_id) FILTER (WHERE followed) AS accounts,
				mode(topic) FILTER (WHERE followed) AS top_ticket_topic
			FROM j LEFT JOIN kb_articles k USING (article_id)
			GROUP BY j.article_id HAVING views_then_ticket > 0
			ORDER BY views_then_ticket DESC, ticket_share DESC, j.article_id LIMIT ${LIMIT}`
		);
	}
};

/** Every table of the page, in its order: what `/api/knowledge/<table>` serves. */
export const KNOWLEDGE_TABLES: readonly ListDefinition[] = [
	zeroResultQueries,
	trendingZeroResultQueries,
	staleArticles,
	articleFormatFailures,
	undeflectedArticles
];

/** The table with this id, if any. */
export function knowledgeTable(id: string): ListDefinition | undefined {
	return KNOWLEDGE_TABLES.find((t) => t.id === id);
}

/** What `/knowledge` shows under one set of filters. */
export interface KnowledgeReport {
	/** search success, zero-result rate, stale articles, article health: values with their details. */
	headlines: Headline[];
	/** Weekly search success and zero-result rate. */
	trends: { kb_search_success: TrendPoint[]; zero_result_rate: TrendPoint[] };
	/** Each table's rows, by id. */
	tables: Record<string, Row[]>;
	/** The deflection window of the current config, in hours (what "before a ticket anyway" means). */
	deflectionHours: number;
}

/**
 * The page's numbers: the two search metrics overall and per week (one grouped pass each), the two article
 * metrics, and every table, through `memo`: the metrics dashboard's weekly run of the search metrics is
 * reused, and a table's CSV download (`/api/knowledge/<table>`) reuses the page's rows.
 */
export async function knowledgeReport(ctx: MetricContext, memo?: Memo): Promise<KnowledgeReport> {
	const week = { trend: 'week' } as const;
	const [[success, zero, stale, health], tables] = await Promise.all([
		Promise.all([
			metricResult(kbSearchSuccess, ctx, week, memo),
			metricResult(zeroResultRate, ctx, week, memo),
			metricResult(staleArticleCount, ctx, undefined, memo),
			metricResult(articleHealth, ctx, undefined, memo)
		]),
		Promise.all(KNOWLEDGE_TABLES.map(async (t) => (await runList(t, ctx, memo)).rows))
	]);
	return {
		headlines: [
			headline(kbSearchSuccess, success.r, ctx.config),
			headline(zeroResultRate, zero.r, ctx.config),
			headline(staleArticleCount, stale.r, ctx.config),
			headline(articleHealth, health.r, ctx.config)
		],
		trends: {
			kb_search_success: trendPoints(kbSearchSuccess, success.groups ?? []),
			zero_result_rate: trendPoints(zeroResultRate, zero.groups ?? [])
		},
		tables: Object.fromEntries(KNOWLEDGE_TABLES.map((t, i) => [t.id, tables[i]])),
		deflectionHours: ctx.config.windows.deflectionHours
	};
}
