import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/lib/server/config/config.js';
import type { Database } from '../../src/lib/server/db/connection.js';
import { resolveRange, type Filters } from '../../src/lib/server/metrics/filters.js';
import { listById, LISTS, runList } from '../../src/lib/server/metrics/lists.js';
import { memoryDb } from '../helpers.js';
import { loadFixture } from './fixture.js';

let db: Database;
beforeAll(async () => {
	db = await memoryDb();
	await loadFixture(db);
});
afterAll(() => db.close());

async function list(id: string, filters: Filters = {}) {
	const ctx = { db: db.kysely, config: parseConfig({}), filters, range: await resolveRange(db.kysely, filters) };
	return (await runList(listById(id)!, ctx)).rows;
}

describe('lists people act on (fixture.ts)', () => {
	it('top zero-result queries', async () => {
		expect((await list('zero_result_queries')).map((r) => [r.query, r.searches])).toEqual([
			['pricing', 1],
			['scim', 1]
		]);
	});

	it('stale articles with the release that made them stale', async () => {
		expect(await list('stale_articles')).toEqual([
			expect.objectContaining({ article_id: 'KB1', feature_area: 'sso', release_id: 'R1', released_at: '2024-03-01T00:00:00.000Z' })
		]);
	});

	it('ticket topics from tags and subject keywords', async () => {
		const rows = await list('topics_trending');
		// T1 "SSO login loops" (keyword), T2 tagged Billing, T3 matches nothing.
		expect(Object.fromEntries(rows.map((r) => [r.topic, r.tickets]))).toEqual({ SSO: 1, Billing: 1, Other: 1 });
	});

	it('accounts with confusion bursts, repeating automations, missed first value', async () => {
		expect(await list('confusion_accounts')).toEqual([expect.objectContaining({ account_id: 'A4', bursts: 1, pages: ['/settings/sso'] })]);
		expect(await list('repeat_automations')).toEqual([
			expect.objectContaining({ account_id: 'A1', automation: 'validate_credentials', repeats: 1 })
		]);
		// A2 reached first value after 40 days; A1 and A3 in time; A4 and A5 signed up too recently to judge.
		expect((await list('missed_first_value')).map((r) => r.account_id)).toEqual(['A2']);
		expect(await list('missed_first_value', { plan: 'pro' })).toEqual([]);
	});

	it('the activation funnel with its cliff', async () => {
		const rows = await list('activation_funnel');
		expect(rows.map((r) => [r.event, r.completed, r.cliff])).toEqual([
			['Account Created', 4, false],
			['User Invited', 3, false],
			['Integration Connected', 2, false],
			['Workflow Triggered', 1, true]
		]);
	});

	it('every list runs under filters', async () => {
		for (const l of LISTS) expect(Array.isArray(await list(l.id, { plan: 'starter', from: '2024-03-01' })), l.id).toBe(true);
	});
});
