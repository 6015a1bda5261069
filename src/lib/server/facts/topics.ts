import { sql, type RawBuilder } from 'kysely';
import type { Config } from '../config/config.js';

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * SQL of a ticket's topic from the taxonomy: the first topic one of whose tags the ticket carries, else
 * the first whose keyword appears in the subject (case-insensitive), else `Other`.
 */
export function topicSql(config: Config, tags: RawBuilder<unknown>, subject: RawBuilder<unknown>): RawBuilder<string> {
	return topicCase([...byTag(config, tags), ...byKeyword(config, subject)]);
}

/** SQL of a ticket's topic from its tags alone (what an agent chose), else `Other`. */
export function tagTopicSql(config: Config, tags: RawBuilder<unknown>): RawBuilder<string> {
	return topicCase(byTag(config, tags));
}

/** SQL of a ticket's topic from its subject's keywords alone (all there is when it arrives), else `Other`. */
export function keywordTopicSql(config: Config, subject: RawBuilder<unknown>): RawBuilder<string> {
	return topicCase(byKeyword(config, subject));
}

function topicCase(whens: RawBuilder<unknown>[]): RawBuilder<string> {
	return whens.length ? sql<string>`(CASE ${sql.join(whens, sql` `)} ELSE 'Other' END)` : sql<string>`'Other'`;
}

function byTag(config: Config, tags: RawBuilder<unknown>): RawBuilder<unknown>[] {
	return config.topics
		.filter((t) => t.tags.length)
		.map(
			(t) =>
				sql`WHEN list_has_any(list_transform(coalesce(${tags}, []), lambda x: lower(x)), list_value(${sql.join(t.tags.map((x) => x.toLowerCase()))})) THEN ${t.topic}`
		);
}

function byKeyword(config: Config, subject: RawBuilder<unknown>): RawBuilder<unknown>[] {
	return config.topics
		.filter((t) => t.keywords.length)
		.map(
			(t) =>
				sql`WHEN regexp_matches(lower(coalesce(${subject}, '')), ${t.keywords.map((k) => escapeRegex(k.toLowerCase())).join('|')}) THEN ${t.topic}`
		);
}
