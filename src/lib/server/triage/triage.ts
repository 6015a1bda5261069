/**
 * Ticket triage: for each new ticket, so whoever picks it up starts with what the customer already tried:
 * - its **topic**: the one its tags give (an agent's choice) when it has one; else the trained classifier's
 *   reading of the subject, when the classifier beat the taxonomy's keywords on held-out tickets
 *   (`models/triage`, see `models/triage/train.ts`); else the keywords';
 * - a **queue**: the first `triage.routing` rule its topic, its account's plan and its account's risk band
 *   (latest scoring run) meet;
 * - the requester's **self-service trail** in the `windows.deflectionHours` (24) before it: searches with
 *   their results and clicks, articles viewed, bot conversations and flagged answers, confusion bursts
 *   (pages viewed over and over), automations run.
 */
import { sql } from 'kysely';
import type { Config } from '../config/config.js';
import type { Database } from '../db/connection.js';
import { confusionBurstsSql } from '../facts/bursts.js';
import { keywordTopicSql, tagTopicSql } from '../facts/topics.js';
import { freshDerived } from '../derive/derived.js';
import { predictTopic, type TopicModel } from '../models/triage/classifier.js';
import { hasModel, loadModel } from '../models/store.js';
import type { TriageEvaluation } from '../models/triage/train.js';

export interface TrailItem {
	at: string;
	kind: 'search' | 'article' | 'bot' | 'bot_flagged' | 'confusion' | 'automation';
	/** What happened, in words. */
	text: string;
}

export interface TicketTriage {
	ticket_id: string;
	account_id: string | null;
	account_name: string | null;
	requester_id: string | null;
	created_at: string;
	subject: string | null;
	status: string | null;
	topic: {
		chosen: string;
		by: 'tags' | 'classifier' | 'keywords';
		keywords: string;
		classifier: { topic: string; probability: number } | null;
	};
	plan: string | null;
	risk_band: string | null;
	queue: { name: string; because: string };
	trail: TrailItem[];
}

/** The classifier, when it is there and better than the keywords on held-out tickets; else null. */
function classifier(): TopicModel | null {
	if (!hasModel('triage')) return null;
	const m = loadModel('triage');
	return (m.evaluation as TriageEvaluation).chosen === 'classifier' ? (m.model as TopicModel) : null;
}

/** The first routing rule the ticket meets, and why in words. */
export function route(config: Config, t: { topic: string; plan: string | null; risk: string | null }): { name: string; because: string } {
	for (const r of config.triage.routing) {
		if (r.topic !== undefined && r.topic !== t.topic) continue;
		if (r.plan !== undefined && r.plan !== t.plan) continue;
		if (r.risk !== undefined && r.risk !== t.risk) continue;
		const why = [r.topic && `topic ${r.topic}`, r.plan && `plan ${r.plan}`, r.risk && `${r.risk} risk`].filter(Boolean);
		return { name: r.queue, because: why.length ? why.join(', ') : 'the default queue' };
	}
	return { name: 'Unrouted', because: 'no routing rule matches (add one without conditions to catch the rest)' };
}

/** Triage of the tickets `ids`, or (without ids) of the unsolved tickets of the last `triage.recentDays` of the data, newest first. */
export async function triageTickets(db: Database, config: Config, ids?: string[], limit = 100): Promise<TicketTriage[]> {
	const which = ids?.length
		? sql`t.ticket_id IN (${sql.join(ids)})`
		: sql`t.solved_at IS NULL AND t.created_at > (SELECT max(created_at) FROM tickets WHERE NOT coalesce(deleted, false)) - to_days(${Math.ceil(config.triage.recentDays)})`;
	const { rows } = await sql<Omit<TicketTriage, 'topic' | 'queue' | 'trail'> & { tag_topic: string; keyword_topic: string }>`
		SELECT t.ticket_id, t.account_id, a.name AS account_name, t.requester_id, t.created_at, t.subject, t.status, a.plan, s.risk_band,
			${tagTopicSql(config, sql`t.tags`)} AS tag_topic, ${keywordTopicSql(config, sql`t.subject`)} AS keyword_topic
		FROM tickets t LEFT JOIN accounts a ON a.account_id = t.account_id
		LEFT JOIN account_scores s ON s.account_id = t.account_id AND s.as_of = (SELECT max(as_of) FROM account_scores)
		WHERE NOT coalesce(t.deleted, false) AND ${which}
		ORDER BY t.created_at DESC, t.ticket_id LIMIT ${limit}`.execute(db.kysely);
	if (!rows.length) return [];
	const trails = await trailsOf(db, config, rows);
	const model = classifier();
	return rows.map(({ tag_topic, keyword_topic, ...r }) => {
		const predicted = model ? predictTopic(model, r.subject) : null;
		const [chosen, by] =
			tag_topic !== 'Other'
				? [tag_topic, 'tags' as const]
				: predicted
					? [predicted.topic, 'classifier' as const]
					: [keyword_topic, 'keywords' as const];
		return {
			...r,
			topic: { chosen, by, keywords: keyword_topic, classifier: predicted },
			queue: route(config, { topic: chosen, plan: r.plan, risk: r.risk_band }),
			trail: trails.get(r.ticket_id) ?? []
		};
	});
}

async function trailsOf(db: Database, config: Config, tickets: { ticket_id: string; requester_id: string | null; created_at: string }[]) {
	const hours = config.windows.deflectionHours;
	const ids = tickets.filter((t) => t.requester_id !== null).map((t) => t.ticket_id);
	const out = new Map<string, TrailItem[]>();
	if (!ids.length) return out;
	const derived = await freshDerived(db.kysely, config);
	const { rows } = await sql<{ ticket_id: string; at: string; kind: TrailItem['kind']; text: string }>`
		WITH t AS (SELECT ticket_id, requester_id, created_at FROM tickets WHERE ticket_id IN (${sql.join(ids)})),
		w AS (SELECT ticket_id, requester_id, created_at - to_microseconds(CAST(${hours * 3600e6} AS BIGINT)) AS since, created_at AS until FROM t)
		SELECT w.ticket_id, s.timestamp AS at, 'search' AS kind,
			'Searched "' || coalesce(s.query, '') || '": ' || CASE WHEN coalesce(s.results, 0) = 0 THEN 'no results'
				ELSE s.results || ' results' || CASE WHEN s.clicked_article_id IS NOT NULL THEN ', opened ' || s.clicked_article_id ELSE ', opened none' END END AS text
		FROM w JOIN kb_searches s ON s.user_id = w.requester_id AND s.timestamp >= w.since AND s.timestamp < w.until
		UNION ALL
		SELECT w.ticket_id, e.timestamp, CASE e.event WHEN 'Article Viewed' THEN 'article' WHEN 'Bot Conversation Started' THEN 'bot'
				WHEN 'Bot Answer Flagged' THEN 'bot_flagged' ELSE 'automation' END,
			CASE e.event WHEN 'Article Viewed' THEN 'Read ' || coalesce('"' || ka.title || '" (' || ka.article_id || ')', e.properties ->> '$.article_id', e.page, 'an article')
				WHEN 'Bot Conversation Started' THEN 'Asked the bot' || coalesce(' about ' || (e.properties ->> '$.topic'), '')
				WHEN 'Bot Answer Flagged' THEN 'Flagged the bot''s answer as wrong'
				ELSE 'Ran ' || coalesce(e.properties ->> '$.automation', 'an automation') END
		FROM w JOIN events e ON e.user_id = w.requester_id AND e.timestamp >= w.since AND e.timestamp < w.until
			AND e.event IN ('Article Viewed', 'Bot Conversation Started', 'Bot Answer Flagged', ${config.repeatAutomation.event})
		LEFT JOIN kb_articles ka ON e.event = 'Article Viewed' AND ka.article_id = (e.properties ->> '$.article_id')
		UNION ALL
		SELECT w.ticket_id, c.at, 'confusion', 'Viewed ' || c.page || ' ' || ${config.confusion.views} || '+ times within ' || ${config.confusion.withinMinutes} || ' min'
		FROM w JOIN (${confusionBurstsSql({ config, derived })}) c ON c.user_id = w.requester_id AND c.at >= w.since AND c.at < w.until
		ORDER BY 1, 2`.execute(db.kysely);
	for (const r of rows) {
		const list = out.get(r.ticket_id) ?? [];
		list.push({ at: r.at, kind: r.kind, text: r.text });
		out.set(r.ticket_id, list);
	}
	return out;
}
