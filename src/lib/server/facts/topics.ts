import { sql, type RawBuilder } from 'kysely';
import type { Config } from '../config/config.js';

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * SQL of a ticket's topic from the taxonomy: the first topic one of whose tags the ticket carries, else
 * the first whose keyword appears in the subject (case-insensitive), else `Other`.
 */
export function topicSql(config: Config, tags: RawBuilder<unknown>, subject: RawBuilder<unknown>): RawBuilder<string> {
	if (!config.topics.length) return sql<string>`'Other'`;
	const byTag = config.topics
		.filter((t) => t.tags.length)
		.map(
			(t) =>
				sql`WHEN list_has_any(list_transform(coalesce(${tags}, []), lambda x: lower(x)), list_value(${sql.join(t.tags.map((x) => x.toLowerCase()))})) THEN ${t.topic}`
		);
	const byKeyword = config.topics
		.filter((t) => t.keywords.length)
		.map(
			(t) =>
				sql`WHEN regexp_matches(lower(coalesce(${subject}, '')), ${t.keywords.map((k) => escapeRegex(k.toLowerCase())).join('|')}) THEN ${t.topic}`
		);
	return sql<string>`(CASE ${sql.join([...byTag, ...byKeyword], sql` `)} ELSE 'Other' END)`;
}
