/**
 * The tickets & bot page's numbers on the metrics fixture (tests/metrics/fixture.ts) plus one ticket of its
 * own (T4: API, web, 4 h to reply, 24 h to solve) and channels, each worked out by hand below.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/lib/server/config/config.js';
import type { Database } from '../../src/lib/server/db/connection.js';
import { resolveRange, type Filters } from '../../src/lib/server/metrics/filters.js';
import { supportCsv, supportReport, supportTable, type SupportReport } from '../../src/lib/server/support/support.js';
import { memoryDb } from '../helpers.js';
import { loadFixture } from '../metrics/fixture.js';

let db: Database;
beforeAll(async () => {
	db = await memoryDb();
	await loadFixture(db);
	await db.query(`INSERT INTO tickets (ticket_id, account_id, requester_id, created_at, first_reply_at, solved_at, subject, tags, messages, reopened, bot_handoff, deleted, channel)
		VALUES ('T4', 'A2', 'u3', '2024-03-20 09:00:00', '2024-03-20 13:00:00', '2024-03-21 09:00:00', 'Webhook failing', [], 6, false, false, false, 'web')`);
	await db.query(`UPDATE tickets SET channel = CASE ticket_id WHEN 'T2' THEN 'bot' ELSE 'web' END WHERE ticket_id IN ('T1', 'T2', 'T3')`);
	await db.query(`UPDATE accounts SET name = 'Delta' WHERE account_id = 'A4'`);
});
afterAll(() => db.close());

const ctx = async (filters: Filters = {}) => ({
	db: db.kysely,
	config: parseConfig({}),
	filters,
	range: await resolveRange(db.kysely, filters)
});
const report = async (filters: Filters = {}): Promise<SupportReport> => supportReport(await ctx(filters));

describe('tickets & bot page (fixture.ts + T4)', () => {
	it('friction by topic: T1 SSO (subject), T2 Billing (tag), T4 API (subject), T3 Other; T9 deleted', async () => {
		expect((await report()).tables.friction_by_topic).toEqual([
			{
				topic: 'API',
				tickets: 1,
				messages_per_ticket: 6,
				reopen_rate: 0,
				first_reply_median_h: 4,
				first_reply_p90_h: 4,
				resolution_median_h: 24,
				resolution_p90_h: 24
			},
			{
				topic: 'Billing',
				tickets: 1,
				messages_per_ticket: 2,
				reopen_rate: 0,
				first_reply_median_h: 1,
				first_reply_p90_h: 1,
				resolution_median_h: 5,
				resolution_p90_h: 5
			},
			{
				topic: 'Other',
				tickets: 1,
				messages_per_ticket: null,
				reopen_rate: null,
				first_reply_median_h: null,
				first_reply_p90_h: null,
				resolution_median_h: null,
				resolution_p90_h: null
			},
			{
				topic: 'SSO',
				tickets: 1,
				messages_per_ticket: 4,
				reopen_rate: 1,
				first_reply_median_h: 2,
				first_reply_p90_h: 2,
				resolution_median_h: 26,
				resolution_p90_h: 26
			}
		]);
	});

	it('friction by channel: medians and continuous 90th percentiles', async () => {
		// web: T1, T3, T4. Messages (4 + 6) / 2; reopened 1 of 2 known; replies 2 h and 4 h: median 3, p90 2 + 0.9 × 2;
		// resolutions 26 h and 24 h: median 25, p90 24 + 0.9 × 2.
		expect((await report()).tables.friction_by_channel).toEqual([
			{
				channel: 'web',
				tickets: 3,
				messages_per_ticket: 5,
				reopen_rate: 0.5,
				first_reply_median_h: 3,
				first_reply_p90_h: 3.8,
				resolution_median_h: 25,
				resolution_p90_h: 25.8
			},
			{
				channel: 'bot',
				tickets: 1,
				messages_per_ticket: 2,
				reopen_rate: 0,
				first_reply_median_h: 1,
				first_reply_p90_h: 1,
				resolution_median_h: 5,
				resolution_p90_h: 5
			}
		]);
		// Pro accounts: A1's T1 only (T3 has no account, so an account filter leaves it out).
		const pro = await supportTable('friction_by_channel')!.rows(await ctx({ plan: 'pro' }));
		expect(pro.map((r) => [r.channel, r.tickets])).toEqual([['web', 1]]);
	});

	it('ticket volume per week (from Monday) by topic, zeros where a topic had none', async () => {
		expect((await report()).volume).toEqual({
			weeks: ['2024-02-26', '2024-03-18', '2024-04-01'],
			topics: [
				{ topic: 'API', tickets: 1, counts: [0, 1, 0] },
				{ topic: 'Billing', tickets: 1, counts: [0, 0, 1] },
				{ topic: 'Other', tickets: 1, counts: [0, 0, 1] },
				{ topic: 'SSO', tickets: 1, counts: [1, 0, 0] }
			]
		});
	});

	it('the bot: handoff reopen rate and flags per 1,000 conversations, overall and weekly', async () => {
		const r = await report();
		const h = Object.fromEntries(r.headlines.map((x) => [x.id, x.value]));
		// T2 is the one handoff, not reopened; e2 is the one conversation, b1 its flag.
		expect(h.bot_handoff_reopen_rate).toBe(0);
		expect(h.bot_flags_per_1000).toBe(1000);
		expect(h.ticket_volume).toBe(4);
		expect(r.trends.bot_flags_per_1000).toEqual([{ group: '2024-03-04', value: 1000, n: 1 }]);
		// Weeks with tickets but no handoff have no rate (0 of 0), not a zero.
		expect(r.trends.bot_handoff_reopen_rate).toEqual([
			{ group: '2024-02-26', value: null, n: 0 },
			{ group: '2024-03-18', value: null, n: 0 },
			{ group: '2024-04-01', value: 0, low: 0, high: 0.79346, n: 1 }
		]);
	});

	it('confusion hot spots with the accounts behind them, and their CSV', async () => {
		// u9 (A4) viewed /settings/sso at 09:00:00, 09:00:40 and 09:01:20: one burst; /billing's views are 3 in 3 minutes: none.
		const rows = (await report()).tables.confusion_hot_spots;
		expect(rows).toEqual([
			{ page: '/settings/sso', bursts: 1, users: 1, accounts: 1, top_accounts: [{ account_id: 'A4', name: 'Delta', bursts: 1 }] }
		]);
		expect(supportCsv(rows)).toBe('page,bursts,users,accounts,top_accounts\n/settings/sso,1,1,1,Delta (A4): 1\n');
		expect((await report({ plan: 'starter' })).tables.confusion_hot_spots).toEqual([]);
	});

	it('repeating automations: the list of the metrics page', async () => {
		expect((await report()).tables.repeat_automations).toEqual([
			expect.objectContaining({ account_id: 'A1', automation: 'validate_credentials', repeats: 1 })
		]);
	});
});
