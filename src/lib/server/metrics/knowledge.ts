import { sql } from 'kysely';
import { formatNumber } from '../../components/kpi/units.js';
import { defineMetric, type MetricDefinition } from './metric.js';
import { rate, rateDisplay } from './rate.js';

/** The five sections of the one-problem-per-page format, as heading patterns. */
export const ARTICLE_SECTIONS: [string, string][] = [
	['symptoms', '(?im)^#+\\s*symptoms?\\b'],
	['why it happens', '(?im)^#+\\s*(why it happens|cause)'],
	['fix', '(?im)^#+\\s*(fix|solution|resolution)\\b'],
	['verify', '(?im)^#+\\s*verif'],
	['escalate', '(?im)^#+\\s*escalat']
];

/**
 * Articles with their staleness (the latest release touching their feature area came after their last
 * review: `stale_release_id`, `stale_since`) and health parts (owner, review date, each section present).
 */
export const articleFacts: MetricDefinition['facts'] = () => sql`
	SELECT NULL::TIMESTAMP AS at, NULL::VARCHAR AS account_id, k.*, r.release_id AS stale_release_id, r.released_at AS stale_since,
		${sql.join(ARTICLE_SECTIONS.map(([name, re]) => sql`regexp_matches(coalesce(k.body, ''), ${re}) AS ${sql.ref(`has_${name.replaceAll(' ', '_')}`)}`))}
	FROM kb_articles k
	LEFT JOIN (
		SELECT feature_area, arg_max(release_id, released_at) AS release_id, max(released_at) AS released_at FROM releases GROUP BY feature_area
	) r ON r.feature_area = k.feature_area AND (k.last_reviewed_at IS NULL OR k.last_reviewed_at < r.released_at)`;

/** Stale KB articles = articles whose `last_reviewed_at` is older than the latest release touching their feature area (never reviewed counts as stale once a release touched it). */
export const staleArticles = defineMetric({
	id: 'stale_articles',
	label: 'Stale KB articles',
	family: 'knowledge',
	formula: () => 'articles last reviewed before the latest release touching their feature area',
	unit: 'count',
	direction: 'lower',
	timeless: true,
	accountless: true,
	facts: articleFacts,
	aggregate: () => sql`count(*) AS articles, count(stale_release_id) AS stale`,
	finish: (r) => ({ value: r.stale ?? 0, details: { stale: r.stale ?? 0, articles: r.articles ?? 0 } }),
	basis: (d) => `${formatNumber(d.stale)} of ${formatNumber(d.articles)} articles`,
	n: (d) => d.articles
});

/** KB article health = articles with an owner, a review date and all five sections (symptoms, why it happens, fix, verify, escalate) ÷ all articles. */
export const articleHealth = defineMetric({
	id: 'kb_article_health',
	label: 'KB article health',
	family: 'knowledge',
	formula: () => 'articles with an owner, a review date and all five sections ÷ all articles',
	unit: 'rate',
	direction: 'higher',
	timeless: true,
	accountless: true,
	facts: articleFacts,
	aggregate: () => sql`count(*) AS articles,
		count(*) FILTER (WHERE owner IS NOT NULL AND last_reviewed_at IS NOT NULL AND ${sql.join(
			ARTICLE_SECTIONS.map(([name]) => sql.ref(`has_${name.replaceAll(' ', '_')}`)),
			sql` AND `
		)}) AS healthy,
		count(*) FILTER (WHERE owner IS NULL) AS no_owner, count(*) FILTER (WHERE last_reviewed_at IS NULL) AS never_reviewed,
		count(*) FILTER (WHERE NOT (${sql.join(
			ARTICLE_SECTIONS.map(([name]) => sql.ref(`has_${name.replaceAll(' ', '_')}`)),
			sql` AND `
		)})) AS missing_sections`,
	finish: (r) => {
		const x = rate(r.healthy ?? 0, r.articles ?? 0);
		return {
			value: x.value,
			details: { ...x, no_owner: r.no_owner ?? 0, never_reviewed: r.never_reviewed ?? 0, missing_sections: r.missing_sections ?? 0 }
		};
	},
	...rateDisplay('articles')
});
