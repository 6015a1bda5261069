/**
 * Ticket triage on hand-made tickets: the requester's self-service trail in the 24 hours before a ticket
 * (and nothing outside them or from someone else), the queue from the routing table, and the topic
 * classifier measured on held-out tickets against the taxonomy's keywords (saved with the model).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/lib/server/config/config.js';
import type { Database } from '../../src/lib/server/db/connection.js';
import { predictTopic, trainTopicModel } from '../../src/lib/server/models/triage/classifier.js';
import { trainTriage } from '../../src/lib/server/models/triage/train.js';
import { route, triageTickets } from '../../src/lib/server/triage/triage.js';
import { memoryDb, tempDir } from '../helpers.js';

const config = parseConfig({});
let db: Database;
const models = tempDir('adoption-triage-models-');
const before = process.env.ADOPTION_MODELS;
beforeAll(() => void (process.env.ADOPTION_MODELS = models));
afterAll(() => {
	if (before === undefined) delete process.env.ADOPTION_MODELS;
	else process.env.ADOPTION_MODELS = before;
	fs.rmSync(models, { recursive: true, force: true });
});
beforeEach(async () => {
	db = await memoryDb();
	await db.query(
		`INSERT INTO accounts (account_id, name, plan, created_at) VALUES ('A1', 'Acme', 'enterprise', '2026-01-01'), ('A2', 'Beta', 'pro', '2026-01-01')`
	);
	await db.query(`INSERT INTO account_scores (account_id, as_of, model, version, churn_probability, risk_percentile, risk_band, scored_at)
		VALUES ('A1', '2026-06-01', 'churn', 'v1', 0.4, 0.95, 'high', now()), ('A2', '2026-06-01', 'churn', 'v1', 0.05, 0.2, 'low', now())`);
	await db.query(`INSERT INTO kb_articles (article_id, title) VALUES ('KB-7', 'Set up SAML with Okta')`);
	await db.query(`INSERT INTO tickets (ticket_id, account_id, requester_id, created_at, subject, tags, deleted) VALUES
		('T1', 'A1', 'u1', '2026-06-01 10:00:00', 'Login loops after setup', [], false),
		('T2', 'A2', 'u2', '2026-06-01 11:00:00', 'Refund for last invoice', ['billing'], false)`);
	await db.query(`INSERT INTO kb_searches (search_id, user_id, account_id, query, timestamp, results, clicked_article_id) VALUES
		('s1', 'u1', 'A1', 'okta saml', '2026-06-01 09:00:00', 3, 'KB-7'),
		('s2', 'u1', 'A1', 'sso loop', '2026-06-01 09:20:00', 0, NULL),
		('s0', 'u1', 'A1', 'too early', '2026-05-31 09:59:00', 2, NULL),
		('s9', 'u9', 'A1', 'someone else', '2026-06-01 09:30:00', 1, NULL)`);
	await db.query(`INSERT INTO events (event_id, user_id, account_id, event, timestamp, page, properties) VALUES
		('e1', 'u1', 'A1', 'Article Viewed', '2026-06-01 09:01:00', '/kb/KB-7', '{"article_id":"KB-7"}'),
		('e2', 'u1', 'A1', 'Bot Conversation Started', '2026-06-01 09:30:00', '/help/bot', '{"topic":"sso"}'),
		('e3', 'u1', 'A1', 'Page Viewed', '2026-06-01 09:40:00', '/settings/sso', NULL),
		('e4', 'u1', 'A1', 'Page Viewed', '2026-06-01 09:40:30', '/settings/sso', NULL),
		('e5', 'u1', 'A1', 'Page Viewed', '2026-06-01 09:41:00', '/settings/sso', NULL),
		('e6', 'u1', 'A1', 'Article Viewed', '2026-06-01 10:05:00', '/kb/KB-7', '{"article_id":"KB-7"}')`);
});
afterEach(() => db.close());

describe('triage', () => {
	it("shows the requester's self-service in the 24 hours before the ticket, and nothing else", async () => {
		const [t1, t2] = await triageTickets(db, config, ['T1', 'T2']);
		expect(t2.ticket_id).toBe('T1');
		expect(t1.trail).toEqual([]);
		expect(t2.trail.map((s) => [s.at.slice(11, 16), s.kind, s.text])).toEqual([
			['09:00', 'search', 'Searched "okta saml": 3 results, opened KB-7'],
			['09:01', 'article', 'Read "Set up SAML with Okta" (KB-7)'],
			['09:20', 'search', 'Searched "sso loop": no results'],
			['09:30', 'bot', 'Asked the bot about sso'],
			['09:41', 'confusion', 'Viewed /settings/sso 3+ times within 2 min']
		]);
	});

	it('decides the topic by tags, else keywords, and suggests the queue with the reason', async () => {
		const [t2, t1] = await triageTickets(db, config, ['T1', 'T2']);
		// "Login loops" names no keyword of the taxonomy: Other; T2 carries the billing tag.
		expect(t1.topic).toMatchObject({ chosen: 'Other', by: 'keywords', classifier: null });
		expect(t1.queue).toEqual({ name: 'Enterprise escalations', because: 'plan enterprise, high risk' });
		expect(t2.topic).toMatchObject({ chosen: 'Billing', by: 'tags' });
		expect(t2.queue).toEqual({ name: 'Billing', because: 'topic Billing' });
		expect(
			route(parseConfig({ triage: { routing: [{ topic: 'API', queue: 'Dev' }] } }), { topic: 'SSO', plan: null, risk: null }).name
		).toBe('Unrouted');
	});

	it('trains a classifier that beats the keywords on held-out tickets where subjects avoid them, and uses it', async () => {
		// 200 tagged tickets: SSO tickets often say "login" (no SSO keyword), billing ones "invoice".
		const subjects: [string, string][] = [
			['sso', 'Login loops after setup'],
			['sso', 'Cannot log in with company account'],
			['sso', 'SAML error on login'],
			['billing', 'Invoice is wrong'],
			['billing', 'Charged twice this month'],
			['billing', 'Need a copy of the receipt']
		];
		const rows = Array.from({ length: 200 }, (_, i) => {
			const [tag, subject] = subjects[i % subjects.length];
			return `('X${i}', 'A2', 'u2', TIMESTAMP '2026-01-01' + INTERVAL (${i}) HOUR, '${subject}', ['${tag}'], false)`;
		});
		await db.query(
			`INSERT INTO tickets (ticket_id, account_id, requester_id, created_at, subject, tags, deleted) VALUES ${rows.join(', ')}`
		);
		const { version, evaluation } = await trainTriage(db, config);
		process.stdout.write(
			`triage classifier held-out accuracy ${evaluation.accuracy.toFixed(3)} vs keywords ${evaluation.baseline_accuracy.toFixed(3)} on ${evaluation.test} tickets\n`
		);
		expect(evaluation.chosen).toBe('classifier');
		expect(evaluation.accuracy).toBeGreaterThan(0.95);
		expect(evaluation.baseline_accuracy).toBeLessThan(0.75);
		const saved = JSON.parse(fs.readFileSync(path.join(models, 'triage', version, 'evaluation.json'), 'utf8'));
		expect(saved).toMatchObject({ chosen: 'classifier', test: 41, train: 160 });
		// The untagged T1 ("Login loops after setup") now reads as SSO.
		const [t1] = await triageTickets(db, config, ['T1']);
		expect(t1.topic).toMatchObject({ chosen: 'SSO', by: 'classifier' });
		expect(t1.queue.name).toBe('Enterprise escalations');
	});

	it('keeps the keywords when the classifier is no better', async () => {
		const rows = Array.from(
			{ length: 100 },
			(_, i) =>
				`('K${i}', 'A2', 'u2', TIMESTAMP '2026-01-01' + INTERVAL (${i}) HOUR, '${i % 2 ? 'Invoice wrong' : 'SSO broken'}', ['${i % 2 ? 'billing' : 'sso'}'], false)`
		);
		await db.query(
			`INSERT INTO tickets (ticket_id, account_id, requester_id, created_at, subject, tags, deleted) VALUES ${rows.join(', ')}`
		);
		const { evaluation } = await trainTriage(db, config);
		expect([evaluation.accuracy, evaluation.baseline_accuracy, evaluation.chosen]).toEqual([1, 1, 'taxonomy']);
		expect((await triageTickets(db, config, ['T1']))[0].topic.by).toBe('keywords');
	});

	it('classifies by the words of the subject (naive Bayes)', () => {
		const m = trainTopicModel([
			{ text: 'invoice wrong', topic: 'Billing' },
			{ text: 'refund invoice', topic: 'Billing' },
			{ text: 'login loops', topic: 'SSO' },
			{ text: 'saml login error', topic: 'SSO' }
		]);
		expect(predictTopic(m, 'Login fails').topic).toBe('SSO');
		expect(predictTopic(m, 'Where is my invoice?').topic).toBe('Billing');
		expect(predictTopic(m, 'hello').probability).toBeCloseTo(0.5, 9);
	});
});
