import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { learnedSteps, nextStepFor } from '../../src/lib/server/alerts/next-step.js';
import { parseConfig } from '../../src/lib/server/config/config.js';
import type { Database } from '../../src/lib/server/db/connection.js';
import { memoryDb } from '../helpers.js';
import { config, loadAlertFixture } from './fixture.js';

let db: Database;
beforeEach(async () => {
	db = await memoryDb();
	await loadAlertFixture(db);
	await db.query(`INSERT INTO kb_articles (article_id, title) VALUES ('KB-1', 'Invite your team'), ('KB-2', 'Pricing')`);
	// F1–F4 and R1–R3 read KB-1 before they were invited (the fixture invites each the day after signup); R1 reads KB-2 too.
	// Z1 read KB-2 only after it was invited: that does not count towards "read before reaching it".
	const reads = ['F1', 'F2', 'F3', 'F4', 'R1', 'R2', 'R3'].map(
		(a, i) =>
			`('kb1-${i}', 'u', '${a}', 'Article Viewed', (SELECT created_at FROM accounts WHERE account_id = '${a}') + INTERVAL 1 HOUR, '{"article_id":"KB-1"}')`
	);
	reads.push(`('kb2-r1', 'u', 'R1', 'Article Viewed', TIMESTAMP '2026-01-10 02:00:00', '{"article_id":"KB-2"}')`);
	reads.push(`('kb2-z1', 'u', 'Z1', 'Article Viewed', TIMESTAMP '2026-03-01 00:00:00', '{"article_id":"KB-2"}')`);
	await db.query(`INSERT INTO events (event_id, user_id, account_id, event, timestamp, properties) VALUES ${reads.join(', ')}`);
});
afterEach(() => db.close());

const stall = { summary: '', milestones: [{ name: 'Team invited', event: 'User Invited' }] };

describe('the next best step', () => {
	it('learns the articles read by the accounts that went on to reach a milestone, before they reached it', async () => {
		const learned = await learnedSteps(db.kysely, config, new Set());
		expect(learned.get('User Invited')).toEqual([
			{ article_id: 'KB-1', title: 'Invite your team', accounts: 7 },
			{ article_id: 'KB-2', title: 'Pricing', accounts: 1 }
		]);
		expect(nextStepFor(config, 'onboarding_stall', stall, learned)).toEqual({
			text: 'Send them "Invite your team" (KB-1): 7 accounts read it before they reached "Team invited".',
			url: null,
			source: 'data'
		});
	});

	it("prefers the config's mapping, and falls back to the rule's words", async () => {
		const mapped = parseConfig({
			milestones: config.milestones,
			nextSteps: [{ milestone: 'Team invited', title: 'Run the invite-your-team automation', url: 'https://help.example.com/invite' }]
		});
		expect(nextStepFor(mapped, 'onboarding_stall', stall, await learnedSteps(db.kysely, mapped, new Set()))).toEqual({
			text: 'Run the invite-your-team automation',
			url: 'https://help.example.com/invite',
			source: 'config'
		});
		expect(nextStepFor(config, 'onboarding_stall', stall)).toMatchObject({
			text: 'Help them with "Team invited": it is overdue (Team invited).',
			source: 'rule'
		});
		expect(nextStepFor(config, 'repeat_automation', { summary: '', automations: ['resend_invite'] }).text).toBe(
			'Tell product: resend_invite keeps repeating for this account, which content will not fix.'
		);
		expect(() => parseConfig({ nextSteps: [{ title: 'x' }] })).toThrow('nextSteps.0: needs exactly one of milestone, page or rule');
	});
});
