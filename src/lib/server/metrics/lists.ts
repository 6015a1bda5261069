import { sql, type RawBuilder } from 'kysely';
import type { Memo } from '../cache/reads.js';
import { confusionBurstsSql, repeatAutomationsSql } from '../facts/bursts.js';
import { runMetric } from './engine.js';
import { inRange, inScope } from './filters.js';
import { activationCliffStep, type Funnel } from './funnel.js';
import { firstValueSql } from '../facts/first-value.js';
import { articleFacts } from './knowledge.js';
import type { MetricContext } from './metric.js';
import { topicSql } from '../facts/topics.js';

/** A list people act on: rows, most important first. */
export interface ListDefinition {
	id: string;
	label: string;
	description: string;
	rows(ctx: MetricContext): Promise<Record<string, unknown>[]>;
}

const LIMIT = 50;
const end = (ctx: MetricContext) => sql`CAST(${ctx.range.to} AS TIMESTAMPTZ)::TIMESTAMP`;

async function rows(ctx: MetricContext, query: ReturnType<typeof sql>): Promise<Record<string, unknown>[]> {
	return (await query.execute(ctx.db)).rows as Record<string, unknown>[];
}

/**
 * Zero-result queries (lower-cased, trimmed) of searches in the range: `searches` (with 0 results),
 * `accounts`, and their count in the last 28 days of the range (`last_28d`) against the 28 before
 * (`previous_28d`). One query per row, unordered: the top list and the trending list sort it their way.
 */
export function zeroResultQuerySql(ctx: MetricContext): RawBuilder<unknown> {
	return sql`
		SELECT lower(trim(query)) AS query, count(*) AS searches, count(DISTINCT account_id) AS accounts,
			count(*) FILTER (WHERE timestamp >= ${end(ctx)} - INTERVAL 28 DAY) AS last_28d,
			count(*) FILTER (WHERE timestamp >= ${end(ctx)} - INTERVAL 56 DAY AND timestamp < ${end(ctx)} - INTERVAL 28 DAY) AS previous_28d
		FROM kb_searches WHERE results = 0 AND query IS NOT NULL AND ${inRange(sql.ref('timestamp'), ctx.range)} AND ${inScope(sql.ref('account_id'), ctx.filters)}
		GROUP BY 1`;
}

/** Top zero-result queries in the range, with their count in the last 28 days of the range against the 28 before. */
export const zeroResultQueries: ListDefinition = {
	id: 'zero_result_queries',
	label: 'Top zero-result queries',
	description: 'Searches that found nothing, most frequent first, with their recent trend: content to write.',
	rows: (ctx) => rows(ctx, sql`SELECT * FROM (${zeroResultQuerySql(ctx)}) ORDER BY searches DESC, query LIMIT ${LIMIT}`)
};

/** Stale KB articles with the release that made each stale. */
export const staleArticles: ListDefinition = {
	id: 'stale_articles',
	label: 'Stale KB articles',
	description: 'Articles last reviewed before the latest release touching their feature area, oldest review first.',
	rows: (ctx) =>
		rows(
			ctx,
			sql`
			SELECT article_id, title, feature_area, owner, last_reviewed_at, stale_release_id AS release_id, stale_since AS released_at
			FROM (${articleFacts(ctx)}) WHERE stale_release_id IS NOT NULL ORDER BY last_reviewed_at NULLS FIRST, article_id`
		)
};

/** Ticket topics with their volume in the last 30 days of the range against the 30 before: what is trending up. */
const topicsTrending: ListDefinition = {
	id: 'topics_trending',
	label: 'Ticket topics trending up',
	description: 'Ticket topics by growth: tickets in the last 30 days of the range against the 30 days before.',
	rows: (ctx) =>
		rows(
			ctx,
			sql`
			WITH t AS (
				SELECT ${topicSql(ctx.config, sql`tags`, sql`subject`)} AS topic, created_at FROM tickets
				WHERE NOT coalesce(deleted, false) AND ${inRange(sql.ref('created_at'), ctx.range)} AND ${inScope(sql.ref('account_id'), ctx.filters)}
			)
			SELECT topic, count(*) AS tickets,
				count(*) FILTER (WHERE created_at >= ${end(ctx)} - INTERVAL 30 DAY) AS last_30d,
				count(*) FILTER (WHERE created_at >= ${end(ctx)} - INTERVAL 60 DAY AND created_at < ${end(ctx)} - INTERVAL 30 DAY) AS previous_30d,
				round(last_30d / nullif(previous_30d, 0), 3) AS growth
			FROM t GROUP BY topic ORDER BY growth DESC NULLS LAST, last_30d DESC, topic`
		)
};

/** Accounts with confusion bursts and the pages they were on. */
export const confusionAccounts: ListDefinition = {
	id: 'confusion_accounts',
	label: 'Accounts with confusion bursts',
	description: 'Accounts whose users viewed the same page 3+ times within 2 minutes, with the pages.',
	rows: (ctx) =>
		rows(
			ctx,
			sql`
			SELECT b.account_id, a.name, a.csm, count(*) AS bursts, count(DISTINCT b.user_id) AS users,
				list(DISTINCT b.page ORDER BY b.page) AS pages, max(b.at) AS last_at
			FROM (${confusionBurstsSql(ctx)}) b LEFT JOIN accounts a USING (account_id)
			WHERE ${inRange(sql`b.at`, ctx.range)} AND ${inScope(sql`b.account_id`, ctx.filters)}
			GROUP BY ALL ORDER BY bursts DESC, b.account_id LIMIT ${LIMIT}`
		)
};

/** Automations firing repeatedly, per account: a product problem to fix, not content. */
export const repeatAutomations: ListDefinition = {
	id: 'repeat_automations',
	label: 'Automations firing repeatedly',
	description: 'Self-service automations that fired 3+ times within an hour for one account.',
	rows: (ctx) =>
		rows(
			ctx,
			sql`
			SELECT r.account_id, a.name, a.csm, r.automation, count(*) AS repeats, max(r.at) AS last_at
			FROM (${repeatAutomationsSql(ctx)}) r LEFT JOIN accounts a USING (account_id)
			WHERE ${inRange(sql`r.at`, ctx.range)} AND ${inScope(sql`r.account_id`, ctx.filters)}
			GROUP BY ALL ORDER BY repeats DESC, r.account_id, r.automation LIMIT ${LIMIT}`
		)
};

/** The activation funnel, step by step, with the cliff marked. */
const activationFunnel: ListDefinition = {
	id: 'activation_funnel',
	label: 'Activation funnel and its cliff',
	description: 'Each funnel step: accounts completing it, conversion from the previous step, in progress, drop-off.',
	rows: async (ctx) => {
		const f = (await runMetric(activationCliffStep, ctx)).details as Funnel;
		return f.steps.map((s) => ({
			step: s.step,
			event: s.event,
			completed: s.completed,
			conversion: s.conversion.value,
			in_progress: s.in_progress,
			drop_off: s.drop_off,
			cliff: s.event === f.cliff
		}));
	}
};

/** Accounts that missed first value within 30 days of signup (they churn about 3× more), highest ARR first. */
const missedFirstValue: ListDefinition = {
	id: 'missed_first_value',
	label: 'Accounts that missed first value',
	description:
		'Accounts without a first-value event within 30 days of signup (signed up in the range, 30+ days before the end of the data), not churned, highest ARR first.',
	rows: (ctx) => {
		const days = ctx.config.windows.firstValueDays;
		const window = sql`to_microseconds(CAST(${days} * 86400e6 AS BIGINT))`;
		const dataEnd = sql`CAST(${ctx.range.end_of_data ?? '0001-01-01T00:00:00Z'} AS TIMESTAMPTZ)::TIMESTAMP`;
		return rows(
			ctx,
			sql`
			SELECT a.account_id, a.name, a.plan, a.arr, a.csm, a.created_at, fv.first_at AS first_value_at,
				date_diff('day', a.created_at, ${dataEnd}) AS days_since_signup
			FROM accounts a LEFT JOIN (${firstValueSql(ctx)}) fv USING (account_id)
			WHERE ${inRange(sql`a.created_at`, ctx.range)} AND ${inScope(sql`a.account_id`, ctx.filters)}
				AND a.created_at + ${window} <= ${dataEnd} AND a.churned_at IS NULL
				AND (fv.first_at IS NULL OR fv.first_at > a.created_at + ${window})
			ORDER BY a.arr DESC NULLS LAST, a.account_id LIMIT ${LIMIT * 4}`
		);
	}
};

/** Every list, for `adoption metrics --list NAME` and `/api/lists/NAME`. */
export const LISTS: readonly ListDefinition[] = [
	zeroResultQueries,
	staleArticles,
	topicsTrending,
	confusionAccounts,
	repeatAutomations,
	activationFunnel,
	missedFirstValue
];

/** The list with this id, if any. */
export function listById(id: string): ListDefinition | undefined {
	return LISTS.find((l) => l.id === id);
}

/**
 * A list's rows under filters, with the range and filters it covers (the shape of `adoption metrics --list --json`);
 * through `memo` when given, keyed by (list, filters, config), so a page showing the list and its CSV download share one computation.
 */
export async function runList(list: ListDefinition, ctx: MetricContext, memo?: Memo) {
	const rows = () => list.rows(ctx);
	return {
		list: list.id,
		label: list.label,
		description: list.description,
		range: ctx.range,
		filters: ctx.filters,
		rows: await (memo ? memo(['list-rows', list.id, ctx.filters, ctx.config], rows) : rows())
	};
}
