/**
 * The knowledge page's numbers on the metrics fixture (tests/metrics/fixture.ts) plus a few searches,
 * article views and an article of its own, each worked out by hand below. The end of the data stays the
 * fixture's (10 Apr 2024 12:00), so the last 4 weeks start 13 Mar 12:00 and the 4 before 14 Feb 12:00.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/lib/server/config/config.js';
import type { Database } from '../../src/lib/server/db/connection.js';
import { knowledgeReport, knowledgeTable, type KnowledgeReport } from '../../src/lib/server/knowledge/knowledge.js';
import { resolveRange, type Filters } from '../../src/lib/server/metrics/filters.js';
import { memoryDb } from '../helpers.js';
import { loadFixture } from '../metrics/fixture.js';

let db: Database;
beforeAll(async () => {
	db = await memoryDb();
	await loadFixture(db);
	await db.query(`INSERT INTO kb_searches (search_id, user_id, account_id, query, timestamp, results, clicked_article_id) VALUES
		('z1', 'u1', 'A1', 'Pricing ', '2024-04-05 10:00:00', 0, NULL),
		('z2', 'u3', 'A2', 'scim', '2024-04-06 10:00:00', 0, NULL),
		('z3', 'u1', 'A1', 'webhooks', '2024-02-20 10:00:00', 0, NULL),
		('z4', 'u1', 'A1', 'webhooks', '2024-03-20 10:00:00', 0, NULL),
		('z5', 'u1', 'A1', 'webhooks', '2024-03-21 10:00:00', 0, NULL),
		('z6', 'u3', 'A2', 'webhooks', '2024-03-22 10:00:00', 0, NULL)`);
	await db.query(`INSERT INTO events (event_id, user_id, account_id, event, timestamp, properties) VALUES
		('v1', 'u1', 'A1', 'Article Viewed', '2024-03-02 09:00:00', '{"article_id":"KB1"}'),
		('v2', 'u1', 'A1', 'Article Viewed', '2024-03-05 10:00:00', '{"article_id":"KB1"}'),
		('v3', 'u5', 'A3', 'Article Viewed', '2024-03-30 09:00:00', '{"article_id":"KB2"}'),
		('v4', 'u5', 'A3', 'Article Viewed', '2024-03-31 09:00:00', '{"article_id":"KB2"}'),
		('v5', 'u3', 'A2', 'Article Viewed', '2024-03-06 07:00:00', '{"article_id":"KB2"}'),
		('v6', 'u9', 'A4', 'Article Viewed', '2024-03-25 10:00:00', '{"article_id":"KB3"}')`);
	await db.query(`INSERT INTO kb_articles (article_id, title, feature_area, owner, last_reviewed_at, body) VALUES
		('KB4', 'Reports', 'reporting', NULL, '2024-03-01 00:00:00', 'Just some text, no headings')`);
});
afterAll(() => db.close());

async function report(filters: Filters = {}, config = parseConfig({})): Promise<KnowledgeReport> {
	return knowledgeReport({ db: db.kysely, config, filters, range: await resolveRange(db.kysely, filters) });
}

describe('knowledge page (fixture.ts + its own rows)', () => {
	it('headlines: the search and article metrics', async () => {
		const h = Object.fromEntries((await report()).headlines.map((x) => [x.id, x.value]));
		// 10 searches: only s1 found something and was clicked; s2, s4 and z1–z6 found nothing.
		expect(h.kb_search_success).toBeCloseTo(1 / 10);
		expect(h.zero_result_rate).toBeCloseTo(8 / 10);
		// KB1 reviewed before R1 (sso); of KB1–KB4 only KB1 has an owner, a review and all five sections.
		expect(h.stale_articles).toBe(1);
		expect(h.kb_article_health).toBeCloseTo(1 / 4);
	});

	it('weekly search success and zero-result rate (weeks from Monday)', async () => {
		const { trends } = await report();
		// Week of 26 Feb: s1 (success) and s2 (zero). Week of 19 Feb: z3 alone, zero.
		expect(trends.kb_search_success.find((p) => p.group === '2024-02-26')).toMatchObject({ value: 0.5, n: 2 });
		expect(trends.zero_result_rate.find((p) => p.group === '2024-02-19')).toMatchObject({ value: 1, n: 1 });
	});

	it('top and trending zero-result queries: growth = last 4 weeks − the 4 before', async () => {
		const { tables } = await report();
		expect(tables.zero_result_queries.map((r) => [r.query, r.searches])).toEqual([
			['webhooks', 4],
			['pricing', 2],
			['scim', 2]
		]);
		// webhooks 3 vs 1 and pricing 2 vs 0 grew by 2 (more recent searches first); scim 1 vs 1 did not grow.
		expect(tables.trending_zero_result_queries).toEqual([
			{ query: 'webhooks', last_28d: 3, previous_28d: 1, growth: 2, searches: 4, accounts: 2 },
			{ query: 'pricing', last_28d: 2, previous_28d: 0, growth: 2, searches: 2, accounts: 1 }
		]);
		// Pro accounts (A1): webhooks 2 vs 1, pricing 1 vs 0.
		const pro = await knowledgeTable('trending_zero_result_queries')!.rows({
			db: db.kysely,
			config: parseConfig({}),
			filters: { plan: 'pro' },
			range: await resolveRange(db.kysely, { plan: 'pro' })
		});
		expect(pro.map((r) => [r.query, r.growth])).toEqual([
			['webhooks', 1],
			['pricing', 1]
		]);
	});

	it('stale articles with the release, and articles missing sections', async () => {
		const { tables } = await report();
		expect(tables.stale_articles).toEqual([expect.objectContaining({ article_id: 'KB1', owner: 'Ana', release_id: 'R1' })]);
		expect(tables.article_format_failures.map((r) => [r.article_id, r.missing_sections, r.missing])).toEqual([
			['KB4', ['symptoms', 'why it happens', 'fix', 'verify', 'escalate'], 5],
			['KB3', ['verify'], 1]
		]);
	});

	it('articles read before a ticket anyway, within the configured deflection window', async () => {
		// KB1: v1 then T1 1.5 h later (u1); v2 has no later ticket. KB2: v4 then T2 23 h later (u5); v3 is 47 h
		// before T2; v5's next ticket (T9) is deleted. KB3: v6, no ticket: left out.
		expect((await report()).tables.undeflected_articles).toEqual([
			expect.objectContaining({
				article_id: 'KB1',
				views: 2,
				views_then_ticket: 1,
				ticket_share: 0.5,
				tickets: 1,
				top_ticket_topic: 'SSO'
			}),
			expect.objectContaining({ article_id: 'KB2', views: 3, views_then_ticket: 1, ticket_share: 0.3333, top_ticket_topic: 'Billing' })
		]);
		// A 48 h window takes v3 too.
		const wide = await report({}, parseConfig({ windows: { deflectionHours: 48 } }));
		expect(wide.deflectionHours).toBe(48);
		expect(wide.tables.undeflected_articles.map((r) => [r.article_id, r.views_then_ticket, r.tickets])).toEqual([
			['KB2', 2, 1],
			['KB1', 1, 1]
		]);
	});
});
