import type { Database } from '../../src/lib/server/db/connection.js';

/**
 * A small hand-made world whose metrics are worked out by hand in `metrics.test.ts` (all times UTC, 2024).
 * Accounts A1 (pro, NA, 1 Jan), A2 (starter, EMEA, 10 Jan), A3 (enterprise, NA, 1 Mar), A4 (pro, NA, 20 Mar),
 * A5 (starter, APAC, 1 Apr: no activity at all).
 * The latest timestamp of all (the end of the data) is a survey on 10 Apr 12:00.
 */
export async function loadFixture(db: Database): Promise<void> {
	await db.query(`INSERT INTO accounts (account_id, plan, segment, region, csm, created_at) VALUES
		('A1', 'pro', 'smb', 'NA', 'Dana', '2024-01-01 00:00:00'),
		('A2', 'starter', 'smb', 'EMEA', 'Tom', '2024-01-10 00:00:00'),
		('A3', 'enterprise', 'enterprise', 'NA', 'Dana', '2024-03-01 00:00:00'),
		('A4', 'pro', 'mid-market', 'NA', 'Eli', '2024-03-20 00:00:00'),
		('A5', 'starter', 'smb', 'APAC', 'Mei', '2024-04-01 00:00:00')`);
	await db.query(`INSERT INTO users (user_id, account_id) VALUES ('u1', 'A1'), ('u2', 'A1'), ('u3', 'A2'), ('u5', 'A3')`);
	await db.query(`INSERT INTO kb_searches (search_id, user_id, account_id, query, timestamp, results, clicked_article_id) VALUES
		('s1', 'u1', 'A1', 'sso', '2024-03-01 10:00:00', 3, 'KB1'),
		('s2', 'u1', 'A1', 'scim', '2024-03-01 10:50:00', 0, NULL),
		('s3', 'u5', 'A3', 'api', '2024-04-01 09:00:00', 5, NULL),
		('s4', NULL, NULL, 'pricing', '2024-04-02 09:00:00', 0, NULL)`);
	await db.query(`INSERT INTO events (event_id, user_id, account_id, event, timestamp) VALUES
		('e1', 'u1', 'A1', 'Article Viewed', '2024-03-01 10:10:00'),
		('e2', 'u3', 'A2', 'Bot Conversation Started', '2024-03-05 23:50:00'),
		('e3', 'u3', 'A2', 'Article Viewed', '2024-03-06 00:10:00'),
		('e4', 'u2', 'A1', 'Article Viewed', '2024-03-31 00:50:00'),
		('e5', 'u2', 'A1', 'Article Viewed', '2024-03-31 01:10:00'),
		('e6', 'u9', 'A4', 'Page Viewed', '2024-03-25 09:00:00'),
		('f1', 'u1', 'A1', 'Account Created', '2024-01-01 00:00:00'),
		('f2', 'u1', 'A1', 'User Invited', '2024-01-02 00:00:00'),
		('f3', 'u1', 'A1', 'Integration Connected', '2024-01-06 00:00:00'),
		('f4', 'u1', 'A1', 'Workflow Triggered', '2024-01-07 00:00:00'),
		('f5', 'u3', 'A2', 'Account Created', '2024-01-10 00:00:00'),
		('f6', 'u3', 'A2', 'Workflow Triggered', '2024-02-19 00:00:00'),
		('f7', 'u5', 'A3', 'Account Created', '2024-03-01 00:00:00'),
		('f8', 'u5', 'A3', 'Integration Connected', '2024-03-02 00:00:00'),
		('f9', 'u5', 'A3', 'User Invited', '2024-03-03 00:00:00'),
		('f10', 'u9', 'A4', 'Account Created', '2024-03-20 00:00:00'),
		('f11', 'u9', 'A4', 'User Invited', '2024-03-21 00:00:00'),
		('f12', 'u9', 'A4', 'Integration Connected', '2024-03-22 12:00:00')`);
	await db.query(`INSERT INTO tickets (ticket_id, account_id, requester_id, created_at, first_reply_at, solved_at, subject, tags, messages, reopened, bot_handoff, deleted) VALUES
		('T1', 'A1', 'u1', '2024-03-02 10:30:00', '2024-03-02 12:30:00', '2024-03-03 12:30:00', 'SSO login loops', ['login'], 4, true, false, false),
		('T2', 'A3', 'u5', '2024-04-01 08:00:00', '2024-04-01 09:00:00', '2024-04-01 13:00:00', 'Invoice is wrong', ['Billing'], 2, false, true, false),
		('T3', NULL, 'ext-9', '2024-04-03 09:00:00', NULL, NULL, 'A question', [], NULL, NULL, false, false),
		('T9', 'A2', 'u3', '2024-03-06 08:00:00', NULL, NULL, 'Deleted', [], 9, true, false, true)`);
	await db.query(`INSERT INTO events (event_id, user_id, account_id, event, timestamp, page, properties) VALUES
		('b1', 'u3', 'A2', 'Bot Answer Flagged', '2024-03-05 23:52:00', NULL, NULL),
		('p1', 'u9', 'A4', 'Page Viewed', '2024-03-25 09:00:40', '/settings/sso', NULL),
		('p2', 'u9', 'A4', 'Page Viewed', '2024-03-25 09:01:20', '/settings/sso', NULL),
		('p3', 'u9', 'A4', 'Page Viewed', '2024-03-25 09:10:00', '/settings/sso', NULL),
		('p4', 'u9', 'A4', 'Page Viewed', '2024-03-25 09:20:00', '/billing', NULL),
		('p5', 'u9', 'A4', 'Page Viewed', '2024-03-25 09:22:30', '/billing', NULL),
		('p6', 'u9', 'A4', 'Page Viewed', '2024-03-25 09:23:00', '/billing', NULL),
		('r1', 'u1', 'A1', 'Automation Run', '2024-03-10 10:00:00', NULL, '{"automation":"validate_credentials"}'),
		('r2', 'u1', 'A1', 'Automation Run', '2024-03-10 10:20:00', NULL, '{"automation":"validate_credentials"}'),
		('r3', 'u1', 'A1', 'Automation Run', '2024-03-10 10:40:00', NULL, '{"automation":"validate_credentials"}'),
		('r4', 'u1', 'A1', 'Automation Run', '2024-03-10 10:50:00', NULL, '{"automation":"validate_credentials"}'),
		('r5', 'u3', 'A2', 'Automation Run', '2024-03-10 10:00:00', NULL, '{"automation":"resend_invite"}'),
		('r6', 'u3', 'A2', 'Automation Run', '2024-03-10 12:00:00', NULL, '{"automation":"resend_invite"}'),
		('o1', 'u5', 'A3', 'Integration Version Outdated', '2024-03-20 00:00:00', NULL, '{"integration":"salesforce"}')`);
	await db.query(`UPDATE events SET page = '/settings/sso' WHERE event_id = 'e6'`);
	await db.query(`INSERT INTO kb_articles (article_id, title, feature_area, owner, last_reviewed_at, body) VALUES
		('KB1', 'Fix SSO loops', 'sso', 'Ana', '2024-02-01 00:00:00', '# Fix SSO loops\n## Symptoms\nx\n## Why it happens\nx\n## Fix\nx\n## Verify\nx\n## Escalate\nx'),
		('KB2', 'Invoices', 'billing', NULL, '2024-03-15 00:00:00', '## Symptoms\nx\n## Why it happens\nx\n## Fix\nx\n## Verify\nx\n## Escalate\nx'),
		('KB3', 'API limits', 'api', 'Ben', '2024-01-01 00:00:00', '## Symptoms\nx\n## Why it happens\nx\n## Fix\nx\n## Escalate\nx')`);
	await db.query(`INSERT INTO releases (release_id, released_at, feature_area, ui_change) VALUES
		('R1', '2024-03-01 00:00:00', 'sso', true), ('R2', '2024-03-01 00:00:00', 'billing', false), ('R3', '2023-12-01 00:00:00', 'api', false)`);
	await db.query(`INSERT INTO surveys (response_id, account_id, user_id, ticket_id, kind, score, context, timestamp) VALUES
		('c1', 'A1', 'u1', NULL, 'csat', 5, 'self_service', '2024-03-01 11:00:00'),
		('c2', 'A2', 'u3', NULL, 'csat', 3, 'self_service', '2024-03-06 01:00:00'),
		('c3', 'A3', 'u5', NULL, 'csat', 4, 'self_service', '2024-04-01 10:00:00'),
		('c4', 'A1', 'u1', 'T1', 'csat', 1, 'agent', '2024-03-03 10:00:00'),
		('x1', 'A1', 'u1', 'T1', 'ces', 7, 'agent', '2024-03-03 10:00:00'),
		('x2', 'A3', 'u5', 'T2', 'ces', 4, 'agent', '2024-04-02 10:00:00'),
		('x9', 'A2', 'u3', 'T9', 'ces', 1, 'agent', '2024-03-07 10:00:00'),
		('n1', 'A1', 'u1', NULL, 'nps', 10, 'in_app', '2024-02-01 10:00:00'),
		('n2', 'A1', 'u2', NULL, 'nps', 9, 'in_app', '2024-02-01 10:00:00'),
		('n3', 'A2', 'u3', NULL, 'nps', 8, 'in_app', '2024-02-01 10:00:00'),
		('n4', 'A3', 'u5', NULL, 'nps', 6, 'in_app', '2024-04-10 12:00:00')`);
}
