import { FEATURE_AREAS, KB, QUERIES, SELF_SERVICE, SUPPORT, TOPICS } from './model.js';
import { choose, list } from './sql.js';
import { businessTime } from './activity.js';

const normalQueries = QUERIES.filter((q) => !q.zero);
const zeroQueries = QUERIES.filter((q) => q.zero);

/** SQL: the article id of the `n`-th article (0-based) of feature area index `a` (1-based). */
export const articleId = (a: string, n: string) => `printf('KB-%04d', (${a} - 1) * ${KB.articlesPerArea} + ${n} + 1)`;
const areaIndex = (area: string) => `list_position(${list(FEATURE_AREAS)}, ${area})`;

/**
 * Self-service sessions (`g_sessions`) made of searches (`g_searches`), article views and bot
 * conversations (added to `g_events`); a session escalates to a ticket within 24 h with a planted
 * probability, more often when a search found nothing.
 */
export function selfServiceSql(asOf: string): string[] {
	const asOfTs = `TIMESTAMP '${asOf} 00:00:00'`;
	const topicArm = choose(
		'u_topic',
		TOPICS.map((t) => [t.topic, t.share])
	);
	const areaOf = `CASE topic ${TOPICS.map((t) => `WHEN '${t.topic}' THEN '${t.area}'`).join(' ')} END`;
	// Normal queries of the session's area; the zero-result ones are shared by all.
	const normalOf = `CASE area ${FEATURE_AREAS.map((a) => {
		const qs = normalQueries.filter((q) => q.area === a).map((q) => q.q);
		return `WHEN '${a}' THEN ${list(qs.length ? qs : normalQueries.map((q) => q.q))}`;
	}).join(' ')} END`;
	return [
		`CREATE OR REPLACE TABLE g_sessions AS
		WITH c AS (
			SELECT d.*, a.search_failure, rcount(${SELF_SERVICE.sessionBase} * pow(d.n_users, 0.7) * exp(0.3 * d.friction) * d.factor, rnorm2(d.i, d.day_no, 'n_sessions')) AS n
			FROM g_days d JOIN g_accounts a USING (i)
		), s AS (
			SELECT c.*, k, rnd3(i, day_no, k, 'topic') AS u_topic, rnd3(i, day_no, k, 'user') AS u_user, rnd3(i, day_no, k, 'time') AS u_t,
				1 + floor(3 * rnd3(i, day_no, k, 'length'))::INTEGER AS n_acts
			FROM c, LATERAL (SELECT unnest(range(c.n)) AS k) WHERE c.n > 0
		)
		SELECT i, account_id, printf('s%06d-%04d-%02d', i, day_no, k) AS session_id,
			printf('U%06d-%03d', i, 1 + floor(u_user * n_users)::INTEGER) AS user_id,
			${topicArm} AS topic, ${businessTime('day', 'u_t')} AS start_at, n_acts, search_failure, friction, active_until
		FROM s`,
		`CREATE OR REPLACE TABLE g_activities AS
		SELECT s.*, j, start_at + INTERVAL 1 SECOND * (j * (60 + floor(300 * rnd2(session_id, j, 'gap')))) AS act_at,
			${choose("rnd2(session_id, j, 'kind')", [
				['search', 0.5],
				['article', 0.3],
				['bot', 0.2]
			])} AS kind,
			rnd2(session_id, j, 'zero') < ${SELF_SERVICE.zeroResultShare} * exp(0.4 * search_failure) AS zero,
			rnd2(session_id, j, 'click') < ${SELF_SERVICE.clickShare} AS clicks,
			rnd2(session_id, j, 'query') AS u_q, floor(${KB.articlesPerArea} * rnd2(session_id, j, 'article'))::INTEGER AS article_n,
			rnd2(session_id, j, 'flag') < ${SELF_SERVICE.botFlagged} AS flagged,
			${areaOf} AS area
		FROM g_sessions s, LATERAL (SELECT unnest(range(s.n_acts)) AS j)`,
		`DELETE FROM g_activities WHERE act_at >= active_until`,
		`CREATE OR REPLACE TABLE g_searches AS
		SELECT printf('q%s-%d', session_id, j) AS search_id, user_id, account_id, session_id, act_at AS ts,
			CASE WHEN zero THEN ${list(zeroQueries.map((q) => q.q))}[1 + floor(u_q * ${zeroQueries.length})::INTEGER]
			     ELSE (${normalOf})[1 + floor(u_q * len(${normalOf}))::INTEGER] END AS query,
			CASE WHEN zero THEN 0 ELSE 1 + floor(12 * rnd(session_id || j, 'results'))::INTEGER END AS results,
			CASE WHEN NOT zero AND clicks THEN ${articleId(areaIndex('area'), 'article_n')} END AS clicked_article_id
		FROM g_activities WHERE kind = 'search'`,
		`INSERT INTO g_events
		SELECT i, account_id, printf('v%s-%d', session_id, j), user_id, 'Article Viewed', act_at + INTERVAL 20 SECOND,
			'/kb/' || ${articleId(areaIndex('area'), 'article_n')}, json_object('article_id', ${articleId(areaIndex('area'), 'article_n')})::VARCHAR
		FROM g_activities WHERE kind = 'article' OR (kind = 'search' AND NOT zero AND clicks)
		UNION ALL
		SELECT i, account_id, printf('b%s-%d', session_id, j), user_id, 'Bot Conversation Started', act_at, '/help/bot', json_object('topic', topic)::VARCHAR
		FROM g_activities WHERE kind = 'bot'
		UNION ALL
		SELECT i, account_id, printf('f%s-%d', session_id, j), user_id, 'Bot Answer Flagged', act_at + INTERVAL 90 SECOND, '/help/bot', json_object('topic', topic)::VARCHAR
		FROM g_activities WHERE kind = 'bot' AND flagged AND act_at + INTERVAL 90 SECOND < active_until`,
		// Per session: did a search find nothing, was the bot involved, when did it end, does it escalate.
		`CREATE OR REPLACE TABLE g_sessions AS
		SELECT s.*, x.end_at, x.any_zero, x.has_bot, x.clicked,
			rnd(session_id, 'escalate') < ${SELF_SERVICE.escalation} + ${SELF_SERVICE.escalationZeroResult} * x.any_zero::INTEGER + 0.05 * s.friction AS escalates
		FROM g_sessions s JOIN (
			SELECT session_id, max(act_at + INTERVAL 20 SECOND) AS end_at, bool_or(kind = 'search' AND zero) AS any_zero, bool_or(kind = 'bot') AS has_bot,
				bool_or(kind = 'article' OR (kind = 'search' AND NOT zero AND clicks)) AS clicked
			FROM g_activities GROUP BY session_id
		) x USING (session_id)`,
		`DELETE FROM g_sessions WHERE end_at >= ${asOfTs}`
	];
}

/**
 * `g_tickets`: escalations of self-service sessions plus direct tickets, with topic, channel, reply and
 * resolution times, messages and reopens; `g_surveys`: ticket CSAT and CES from the planted formulas,
 * in-app self-service CSAT and NPS.
 */
export function supportSql(asOf: string): string[] {
	const asOfTs = `TIMESTAMP '${asOf} 00:00:00'`;
	const { csat, ces } = SUPPORT;
	const subjects = `CASE topic ${TOPICS.map((t) => `WHEN '${t.topic}' THEN ${list(t.subjects)}`).join(' ')} END`;
	const reopenShare = `CASE topic WHEN 'integration' THEN ${SUPPORT.reopenShare * 1.5} ELSE ${SUPPORT.reopenShare} END`;
	return [
		`CREATE OR REPLACE TABLE g_tickets AS
		WITH esc AS (
			SELECT i, account_id, 't' || session_id AS ticket_key, user_id AS requester_id, topic,
				end_at + INTERVAL 1 MINUTE * floor(5 + 1200 * pow(rnd(session_id, 'esc_t'), 2)) AS created_at,
				CASE WHEN has_bot AND rnd(session_id, 'handoff') < 0.7 THEN 'bot' ELSE ${choose("rnd(session_id, 'channel')", [
					['web', 0.55],
					['email', 0.25],
					['chat', 0.2]
				])} END AS channel,
				active_until
			FROM g_sessions WHERE escalates
		), direct AS (
			SELECT d.i, d.account_id, printf('t%06d-%04d-%d', d.i, d.day_no, k) AS ticket_key,
				printf('U%06d-%03d', d.i, 1 + floor(rnd3(d.i, d.day_no, k, 'requester') * d.n_users)::INTEGER) AS requester_id,
				${choose(
					"rnd3(d.i, d.day_no, k, 'topic')",
					TOPICS.map((t) => [t.topic, t.share])
				)} AS topic,
				${businessTime('d.day', "rnd3(d.i, d.day_no, k, 'time')", 'd')} AS created_at,
				${choose("rnd3(d.i, d.day_no, k, 'channel')", [
					['web', 0.4],
					['email', 0.35],
					['chat', 0.15],
					['phone', 0.05],
					['api', 0.05]
				])} AS channel,
				d.active_until
			FROM g_days d, LATERAL (SELECT unnest(range(rcount(${SUPPORT.directBase} * pow(d.n_users, 0.6) * exp(0.45 * d.friction) * d.factor, rnorm2(d.i, d.day_no, 'n_tickets')))) AS k)
		), t AS (
			SELECT *, ${choose("rnd(ticket_key, 'priority')", [
				['low', 0.2],
				['normal', 0.55],
				['high', 0.2],
				['urgent', 0.05]
			])} AS priority,
				rnd(ticket_key, 'reopen') < ${reopenShare} AS reopened,
				2 + least(10, floor(-ln(rnd(ticket_key, 'messages')) * 1.5))::INTEGER AS base_messages,
				rnorm(ticket_key, 'reply') AS z_reply, rnorm(ticket_key, 'solve') AS z_solve
			FROM (SELECT * FROM esc UNION ALL SELECT * FROM direct)
			WHERE created_at < active_until AND created_at < ${asOfTs}
		), times AS (
			SELECT *,
				90 * CASE priority WHEN 'urgent' THEN 0.2 WHEN 'high' THEN 0.5 WHEN 'low' THEN 1.6 ELSE 1 END
				   * CASE channel WHEN 'chat' THEN 0.08 WHEN 'phone' THEN 0.03 WHEN 'bot' THEN 0.5 WHEN 'email' THEN 1.4 WHEN 'api' THEN 1.2 ELSE 1 END
				   * exp(z_reply) AS reply_minutes
			FROM t
		), s AS (
			SELECT *, created_at + INTERVAL 1 SECOND * floor(reply_minutes * 60) AS reply_at,
				created_at + INTERVAL 1 SECOND * floor(reply_minutes * 60 + 3600 * (20 * exp(z_solve) + CASE WHEN reopened THEN 48 ELSE 0 END)) AS solve_at
			FROM times
		)
		SELECT i, account_id, ticket_key, requester_id, topic, channel, priority, reopened, base_messages,
			base_messages + 2 * reopened::INTEGER AS messages, reply_minutes, created_at,
			CASE WHEN reply_at < ${asOfTs} THEN reply_at END AS first_reply_at,
			CASE WHEN solve_at < ${asOfTs} THEN solve_at END AS solved_at,
			CASE WHEN reply_at >= ${asOfTs} THEN 'new'
			     WHEN solve_at >= ${asOfTs} THEN ${choose("rnd(ticket_key, 'status')", [
							['open', 0.6],
							['pending', 0.3],
							['hold', 0.1]
						])}
			     WHEN solve_at < ${asOfTs} - INTERVAL 4 DAY THEN 'closed' ELSE 'solved' END AS status,
			least(${asOfTs} - INTERVAL 1 SECOND, CASE WHEN solve_at < ${asOfTs} THEN solve_at WHEN reply_at < ${asOfTs} THEN reply_at ELSE created_at END + INTERVAL 1 MINUTE) AS updated_at,
			(${subjects})[1 + floor(3 * rnd(ticket_key, 'subject'))::INTEGER] AS subject,
			list_filter([replace(topic, ' ', '_'), CASE WHEN priority = 'urgent' THEN 'urgent' END, CASE WHEN channel = 'bot' THEN 'bot_handoff' END], lambda x: x IS NOT NULL) AS tags,
			channel = 'bot' AS bot_handoff,
			row_number() OVER (ORDER BY created_at, ticket_key) AS seq
		FROM s`,
		`CREATE OR REPLACE TABLE g_surveys AS
		WITH solved AS (
			SELECT t.*, a.satisfaction, a.effort FROM g_tickets t JOIN g_accounts a USING (i) WHERE t.solved_at IS NOT NULL
		)
		SELECT 'csat-' || ticket_key AS response_id, account_id, requester_id AS user_id, ticket_key, 'csat' AS kind,
			least(5, greatest(1, round(${csat.mean} + ${csat.reopened} * reopened::INTEGER + ${csat.perLogReplyHour} * ln(1 + reply_minutes / 60)
				+ ${csat.perExtraMessage} * (base_messages - 2) + CASE WHEN topic = 'billing' THEN ${csat.billing} ELSE 0 END
				+ CASE WHEN channel = 'chat' THEN ${csat.chat} ELSE 0 END + ${csat.botHandoff} * bot_handoff::INTEGER
				+ ${csat.accountSatisfaction} * satisfaction + ${csat.sd} * rnorm(ticket_key, 'csat')))) AS score,
			'agent' AS context, solved_at + INTERVAL 1 MINUTE * floor(60 + 2800 * rnd(ticket_key, 'csat_t')) AS ts
		FROM solved WHERE rnd(ticket_key, 'csat_answered') < ${csat.answered}
		UNION ALL
		SELECT 'ces-' || ticket_key, account_id, requester_id, ticket_key, 'ces',
			least(7, greatest(1, round(${ces.mean} + ${ces.reopened} * reopened::INTEGER + ${ces.perLogReplyHour} * ln(1 + reply_minutes / 60)
				+ ${ces.perExtraMessage} * (base_messages - 2) + CASE WHEN topic IN (${ces.technicalTopics.map((t) => `'${t}'`).join(', ')}) THEN ${ces.technicalTopic} ELSE 0 END
				+ CASE WHEN channel = 'chat' THEN ${ces.chat} ELSE 0 END + ${ces.botHandoff} * bot_handoff::INTEGER
				+ ${ces.accountEffort} * effort + ${ces.sd} * rnorm(ticket_key, 'ces')))),
			'agent', solved_at + INTERVAL 1 MINUTE * floor(30 + 2800 * rnd(ticket_key, 'ces_t'))
		FROM solved WHERE rnd(ticket_key, 'ces_answered') < ${ces.answered}
		UNION ALL
		SELECT 'ss-' || session_id, account_id, user_id, NULL, 'csat',
			least(5, greatest(1, round(4.1 - 1.1 * escalates::INTEGER + 0.3 * clicked::INTEGER + 0.7 * rnorm(session_id, 'ss_csat')))),
			'self_service', end_at + INTERVAL 30 SECOND
		FROM g_sessions WHERE rnd(session_id, 'ss_csat_answered') < ${SELF_SERVICE.csatShare}
		UNION ALL
		SELECT 'nps-' || a.account_id || '-' || q, a.account_id, printf('U%06d-%03d', a.i, 1 + floor(rnd2(a.i, q, 'nps_user') * a.n_users)::INTEGER), NULL, 'nps',
			least(10, greatest(0, round(8.2 + 0.8 * a.engagement - 0.5 * a.friction + 0.5 * a.satisfaction - 1.2 * (NOT a.first_value_30d)::INTEGER + 1.5 * rnorm2(a.i, q, 'nps')))),
			'in_app', a.created_at + INTERVAL 1 DAY * (90 * q + floor(30 * rnd2(a.i, q, 'nps_t')))
		FROM g_accounts a, LATERAL (SELECT unnest(range(1, 7)) AS q)
		WHERE rnd2(a.i, q, 'nps_answered') < 0.5`,
		`DELETE FROM g_surveys WHERE ts >= ${asOfTs} OR ts >= (SELECT active_until FROM g_accounts a WHERE a.account_id = g_surveys.account_id)`
	];
}
