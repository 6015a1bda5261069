import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/lib/server/config/config.js';
import type { Database } from '../../src/lib/server/db/connection.js';
import { evaluateAlerts, parseAsOf } from '../../src/lib/server/alerts/evaluate.js';
import type { RuleId } from '../../src/lib/server/alerts/rule.js';
import { memoryDb } from '../helpers.js';
import { AS_OF, config, insertScores, loadAlertFixture } from './fixture.js';

let db: Database;
beforeEach(async () => {
	db = await memoryDb();
	await loadAlertFixture(db);
});
afterEach(() => db.close());

const subjects = (r: { opened: { account_id: string | null; topic: string | null }[] }) =>
	r.opened.map((a) => a.account_id ?? a.topic).sort();
const only = (rule: RuleId, asOf = AS_OF, c = config) => evaluateAlerts(db, c, { asOf, rules: [rule] });

describe('each rule fires on its case and not on its near miss', () => {
	it('first_value_miss: 30–90 days old, live, no first value', async () => {
		const r = await only('first_value_miss');
		expect(subjects(r)).toEqual(['F1']);
		const [alert] = await db.query<{ evidence: string }>(`SELECT evidence FROM alerts`);
		expect(JSON.parse(alert.evidence)).toMatchObject({ age_days: 47, window_days: 30 });
	});
	it('onboarding_stall: a due milestone not reached 24 h after it was due', async () => {
		const r = await only('onboarding_stall');
		expect(subjects(r)).toEqual(['O1']);
		const [alert] = await db.query<{ evidence: string }>(`SELECT evidence FROM alerts`);
		expect(JSON.parse(alert.evidence).summary).toBe('Not reached: Team invited (due 2026-05-27, 5 days overdue).');
		// An hour later O2 is 24 h past its due time too.
		expect(subjects(await only('onboarding_stall', '2026-06-01T13:00:01Z'))).toEqual(['O2']);
	});
	it('product_gap: 3 accounts on one topic within 7 days (deleted tickets and Other left out)', async () => {
		const r = await only('product_gap');
		expect(subjects(r)).toEqual(['SSO']);
		expect(r.opened[0].account_id).toBeNull();
		const [alert] = await db.query<{ evidence: string }>(`SELECT evidence FROM alerts`);
		expect(JSON.parse(alert.evidence)).toMatchObject({ accounts: 3, tickets: 4, account_ids: ['P1', 'P2', 'P3'] });
	});
	it('repeat_automation: a burst within the last 7 days', async () => {
		expect(subjects(await only('repeat_automation'))).toEqual(['R1']);
	});
	it('high_value_risk: enterprise with sentiment below −40, or top decile with ARR above 100,000', async () => {
		const r = await only('high_value_risk');
		expect(subjects(r)).toEqual(['H1', 'H3']);
		const ev = await db.query<{ account_id: string; evidence: string }>(`SELECT account_id, evidence FROM alerts ORDER BY account_id`);
		expect(JSON.parse(ev[0].evidence).summary).toBe('An enterprise account with sentiment -50 (below -40).');
		expect(JSON.parse(ev[1].evidence).summary).toMatch(/^Churn risk 48 %, riskier than 95 % of accounts, on ARR 200,000\.$/);
	});
	it('a disabled rule finds nothing', async () => {
		const off = parseConfig({ ...rawConfig(), alerts: { rules: { first_value_miss: { enabled: false } } } });
		expect((await evaluateAlerts(db, off, { asOf: AS_OF })).rules.map((r) => r.rule)).not.toContain('first_value_miss');
	});
});

function rawConfig() {
	return { milestones: config.milestones };
}

describe('evaluating', () => {
	it('opens each alert once: a second evaluation with no change opens nothing', async () => {
		const first = await evaluateAlerts(db, config, { asOf: AS_OF });
		expect(subjects(first)).toEqual(['F1', 'H1', 'H3', 'O1', 'R1', 'SSO']);
		expect(first.open).toBe(6);
		const second = await evaluateAlerts(db, config, { asOf: '2026-06-01T12:30:00Z' });
		expect(second.opened).toEqual([]);
		expect(second.resolved).toEqual([]);
		expect(second.open).toBe(6);
		expect(await db.query(`SELECT count(*) AS n FROM alerts`)).toEqual([{ n: 6 }]);
		// Each rule's run is recorded with its settings.
		const runs = await db.query<{ rule: string; matched: number; opened: number }>(
			`SELECT rule, matched, opened FROM alert_evaluations WHERE as_of = TIMESTAMP '2026-06-01 12:00:00' ORDER BY rule`
		);
		expect(runs).toEqual([
			{ rule: 'first_value_miss', matched: 1, opened: 1 },
			{ rule: 'high_value_risk', matched: 2, opened: 1 + 1 },
			{ rule: 'onboarding_stall', matched: 1, opened: 1 },
			{ rule: 'product_gap', matched: 1, opened: 1 },
			{ rule: 'repeat_automation', matched: 1, opened: 1 }
		]);
	});

	it('resolves an alert when its condition clears, saying why', async () => {
		await only('first_value_miss');
		await db.query(
			`INSERT INTO events (event_id, account_id, event, timestamp) VALUES ('late', 'F1', 'Workflow Triggered', '2026-06-02 09:00:00')`
		);
		const r = await only('first_value_miss', '2026-06-03');
		expect(r.resolved.map((a) => a.account_id)).toEqual(['F1']);
		expect(r.open).toBe(0);
		expect(await db.query(`SELECT state, outcome, resolution FROM alerts`)).toEqual([
			{ state: 'resolved', outcome: 'cleared', resolution: 'First value reached on 2026-06-02.' }
		]);
	});

	it('computes the SLA due time in business hours, tightened by health', async () => {
		const r = await only('high_value_risk');
		// Monday 12:00 UTC + 2 business hours = 14:00; H1's health 30 is below 40: half, 13:00.
		expect(Object.fromEntries(r.opened.map((a) => [a.account_id, a.due_at]))).toEqual({
			H1: '2026-06-01T13:00:00.000Z',
			H3: '2026-06-01T14:00:00.000Z'
		});
		// product_gap answers at once.
		expect((await only('product_gap')).opened[0].due_at).toBe(AS_OF);
	});

	it("moves the due time when the account's health changes before anyone answers", async () => {
		await only('high_value_risk');
		await insertScores(db, '2026-06-01 12:10:00', { H1: [-50, 0.5], H3: [-60, 0.95] });
		await only('high_value_risk', '2026-06-01T12:20:00Z');
		const rows = await db.query<{ account_id: string; due_at: string; sla_factor: number }>(
			`SELECT account_id, due_at, sla_factor FROM alerts ORDER BY account_id`
		);
		expect(rows[1]).toEqual({ account_id: 'H3', due_at: '2026-06-01T13:00:00.000Z', sla_factor: 0.5 });
		expect(await db.query(`SELECT kind, text FROM alert_events WHERE kind = 'due_changed'`)).toEqual([
			{ kind: 'due_changed', text: 'Due 2026-06-01 13:00 UTC (was 2026-06-01 14:00 UTC): tightened ×0.5: health 30 is below 40.' }
		]);
	});

	it('does not flap with hysteresis: a score hovering at the threshold opens nothing', async () => {
		const flappy = parseConfig({ ...rawConfig(), alerts: { rules: { high_value_risk: { openAfter: 2, resolveAfter: 2 } } } });
		const plain = config;
		const runs: { opened: number; resolved: number }[][] = [[], []];
		for (const [k, c] of [plain, flappy].entries()) {
			const fresh = await memoryDb();
			await loadAlertFixture(fresh);
			for (let i = 0; i < 6; i++) {
				const day = `2026-06-0${i + 2}`;
				await insertScores(fresh, day, { H2: [i % 2 === 0 ? -45 : -35, 0.5] });
				const r = await evaluateAlerts(fresh, c, { asOf: `${day}T12:00:00Z`, rules: ['high_value_risk'] });
				runs[k].push({ opened: r.opened.length, resolved: r.resolved.length });
			}
			fresh.close();
		}
		// Without hysteresis H2 opens and resolves over and over; with it, nothing opens.
		expect(runs[0].map((r) => r.opened + r.resolved)).toEqual([1, 1, 1, 1, 1, 1]);
		expect(runs[1].every((r) => r.opened === 0 && r.resolved === 0)).toBe(true);
	});

	it('opens after the condition held openAfter evaluations, resolves after resolveAfter clear ones', async () => {
		const c = parseConfig({ ...rawConfig(), alerts: { rules: { repeat_automation: { openAfter: 2, resolveAfter: 2 } } } });
		const ev = (asOf: string) => evaluateAlerts(db, c, { asOf, rules: ['repeat_automation'] });
		expect((await ev('2026-06-01T12:00:00Z')).rules[0]).toMatchObject({ matched: 1, opened: 0, waiting: 1 });
		expect((await ev('2026-06-01T13:00:00Z')).opened.map((a) => a.account_id)).toEqual(['R1']);
		// R1's burst on 30 May leaves the 7-day window on 6 June 10:40.
		expect((await ev('2026-06-06T12:00:00Z')).resolved).toEqual([]);
		expect((await ev('2026-06-06T13:00:00Z')).resolved.map((a) => a.account_id)).toEqual(['R1']);
	});

	it('judges stale data as of its last day', async () => {
		// Evaluated in 2030, the data (ending 1 July 2026) is judged at its end: F1 (77 days) and F2 (57) fire.
		const late = await only('first_value_miss', '2030-01-01');
		expect(late.clock).toBe('2026-07-01T00:00:00.001Z');
		expect(subjects(late)).toEqual(['F1', 'F2']);
	});

	it('never sees data after --as-of', async () => {
		// As of 16 May, F3 (31 days old) has not reached the first value it reaches on 20 May.
		const r = await only('first_value_miss', '2026-05-16');
		expect(r.clock).toBe('2026-05-16T00:00:00.000Z');
		expect(subjects(r)).toEqual(['F1', 'F3']);
	});

	it('refuses a bad --as-of with a message naming it', () => {
		expect(() => parseAsOf('yesterday')).toThrow("--as-of must be an ISO 8601 timestamp or a date YYYY-MM-DD, not 'yesterday'");
		expect(parseAsOf('2026-06-01')).toBe('2026-06-01T00:00:00.000Z');
		expect(parseAsOf('2026-06-01T14:00:00+02:00')).toBe('2026-06-01T12:00:00.000Z');
	});
});
