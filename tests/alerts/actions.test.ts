import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { actOnAlert, AlertActionError, parseAlertAction, type AlertAction } from '../../src/lib/server/alerts/actions.js';
import { tickAlerts } from '../../src/lib/server/alerts/clocks.js';
import { evaluateAlerts } from '../../src/lib/server/alerts/evaluate.js';
import type { Principal } from '../../src/lib/server/auth/policy.js';
import type { Database } from '../../src/lib/server/db/connection.js';
import { AlertsRepository } from '../../src/lib/server/db/repositories/alerts.repository.js';
import { memoryDb } from '../helpers.js';
import { AS_OF, config, insertScores, loadAlertFixture } from './fixture.js';

let db: Database;
let ids: Record<string, number>;
beforeEach(async () => {
	db = await memoryDb();
	await loadAlertFixture(db);
	const r = await evaluateAlerts(db, config, { asOf: AS_OF });
	ids = Object.fromEntries(r.opened.map((a) => [a.account_id ?? a.topic, a.id]));
});
afterEach(() => db.close());

const leader: Principal = { kind: 'local', role: 'leader' };
const person = (role: 'csm' | 'analyst', csm: string | null, email = 'x@example.com'): Principal => ({
	kind: 'person',
	role,
	person_id: 1,
	email,
	name: null,
	csm,
	via: 'session'
});
const by = { actor: 'tester', address: null };
const act = (id: number, action: AlertAction, p: Principal = leader, now = '2026-06-01T12:30:00.000Z') =>
	actOnAlert(db, config, id, action, p, by, now);
const fail = async (p: Promise<unknown>) => {
	try {
		await p;
	} catch (err) {
		return err as AlertActionError;
	}
	throw new Error('expected a refusal');
};

describe('acting on alerts', () => {
	it('acknowledges with the version it was shown, and refuses a stale version with the current alert', async () => {
		const a = await act(ids.H1, { action: 'acknowledge', version: 1 });
		expect(a).toMatchObject({ state: 'acknowledged', version: 2, acknowledged_by: 'tester' });
		expect(a.sla).toMatchObject({ status: 'met', responded_at: '2026-06-01T12:30:00.000Z' });
		const err = await fail(act(ids.H1, { action: 'note', text: 'Called them', version: 1 }));
		expect(err.status).toBe(409);
		expect(err.current?.version).toBe(2);
		const [row] = await db.query<{ action: string; object: string }>(`SELECT action, object FROM audit_log`);
		expect(row).toEqual({ action: 'alert.acknowledge', object: `alert:${ids.H1}` });
	});

	it('lets exactly one of two simultaneous acknowledgements win', async () => {
		const results = await Promise.allSettled([
			act(ids.H3, { action: 'acknowledge', version: 1 }),
			act(ids.H3, { action: 'acknowledge', version: 1 })
		]);
		expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
		const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
		expect((lost.reason as AlertActionError).status).toBe(409);
		expect(await db.query(`SELECT count(*) AS n FROM alert_events WHERE kind = 'acknowledged'`)).toEqual([{ n: 1 }]);
	});

	it('keeps a CSM to their own book and an analyst to topic alerts', async () => {
		await act(ids.F1, { action: 'note', text: 'On it', version: 1 }, person('csm', 'Dana'));
		expect((await fail(act(ids.H1, { action: 'acknowledge', version: 1 }, person('csm', 'Dana')))).status).toBe(403);
		expect((await fail(act(ids.F1, { action: 'acknowledge', version: 2 }, person('analyst', null)))).status).toBe(403);
		await act(ids.SSO, { action: 'acknowledge', version: 1 }, person('analyst', null));
	});

	it('pauses the SLA clock while snoozed and wakes the alert when the snooze ends', async () => {
		// H3: due Monday 14:00. Snoozed 12:30–13:30: an hour of the clock stands still, so due 15:00.
		const snoozed = await act(ids.H3, { action: 'snooze', until: '2026-06-01T13:30:00Z', version: 1 });
		expect(snoozed).toMatchObject({ state: 'snoozed', due_at: '2026-06-01T15:00:00.000Z', snoozed_until: '2026-06-01T13:30:00.000Z' });
		expect(snoozed.sla.status).toBe('paused');
		expect((await tickAlerts(db, config, '2026-06-01T13:00:00.000Z')).woken).toEqual([]);
		expect((await tickAlerts(db, config, '2026-06-01T13:31:00.000Z')).woken).toEqual([ids.H3]);
		const repo = new AlertsRepository(db.kysely, '2026-06-01T13:31:00.000Z', 1);
		expect(await repo.get(ids.H3)).toMatchObject({ state: 'open', snoozed_until: null, due_at: '2026-06-01T15:00:00.000Z', version: 3 });
	});

	it('ends a snooze early on acknowledgement, counting only the time it was snoozed', async () => {
		await act(ids.H3, { action: 'snooze', until: '2026-06-02T09:00:00Z', version: 1 });
		const a = await act(ids.H3, { action: 'acknowledge', version: 2 }, leader, '2026-06-01T13:00:00.000Z');
		expect(a).toMatchObject({ state: 'acknowledged', snoozed_until: null });
		const [row] = await db.query<{ pauses: string }>(`SELECT pauses FROM alerts WHERE alert_id = ${ids.H3}`);
		expect(JSON.parse(row.pauses)).toEqual([[Date.parse('2026-06-01T12:30:00Z'), Date.parse('2026-06-01T13:00:00Z')]]);
	});

	it('records due soon and breach once each', async () => {
		// H1 is due at 13:00 (tightened), H3 at 14:00; "due soon" is 1 h before.
		const t1 = await tickAlerts(db, config, '2026-06-01T12:05:00.000Z');
		expect(t1.due_soon).toEqual([ids.H1]);
		expect(t1.breached).toEqual([ids.SSO]); // product gaps are due at once
		const t2 = await tickAlerts(db, config, '2026-06-01T13:00:00.000Z');
		expect(t2).toEqual({ woken: [], due_soon: [ids.H3], breached: [ids.H1] });
		expect(await tickAlerts(db, config, '2026-06-01T13:10:00.000Z')).toEqual({ woken: [], due_soon: [], breached: [] });
		const repo = new AlertsRepository(db.kysely, '2026-06-01T13:10:00.000Z', 1);
		expect((await repo.get(ids.H1))?.sla).toMatchObject({ status: 'breached', breached_at: '2026-06-01T13:00:00.000Z' });
		expect((await repo.slaByCsm()).find((r) => r.csm === 'Mei')).toMatchObject({ breached: 1, due_soon: 1 });
	});

	it("keeps a person's resolution while the condition holds, and opens again once it cleared and came back", async () => {
		await act(ids.H1, { action: 'resolve', outcome: 'false_alarm', note: 'Survey was about billing', version: 1 });
		const again = await evaluateAlerts(db, config, { asOf: '2026-06-01T13:00:00Z', rules: ['high_value_risk'] });
		expect(again.opened).toEqual([]);
		expect(again.rules[0].suppressed).toBe(1);
		await insertScores(db, '2026-06-01 13:30:00', { H1: [-10, 0.5], H3: [0, 0.95] });
		await evaluateAlerts(db, config, { asOf: '2026-06-01T14:00:00Z', rules: ['high_value_risk'] });
		await insertScores(db, '2026-06-01 14:30:00', { H1: [-60, 0.5], H3: [0, 0.95] });
		const back = await evaluateAlerts(db, config, { asOf: '2026-06-01T15:00:00Z', rules: ['high_value_risk'] });
		expect(back.opened.map((a) => a.account_id)).toEqual(['H1']);
	});

	it('refuses bad actions naming the field', async () => {
		expect(() => parseAlertAction({ action: 'explode', version: 1 })).toThrow(
			'action: must be one of acknowledge, assign, snooze, resolve, note'
		);
		expect(() => parseAlertAction({ action: 'snooze', until: 'tomorrow', version: 1 })).toThrow(/^until: must be an ISO 8601 time/);
		expect(() => parseAlertAction({ action: 'resolve', outcome: 'won', version: 1 })).toThrow(/^outcome: /);
		expect(() => parseAlertAction({ action: 'note', text: ' ', version: 1 })).toThrow('text: must not be empty');
		expect((await fail(act(ids.H1, { action: 'snooze', until: '2026-06-01T12:00:00Z', version: 1 }))).message).toBe(
			'until: must be in the future'
		);
		expect((await fail(act(ids.H1, { action: 'assign', assignee: 'nobody@example.com', version: 1 }))).message).toMatch(
			/^assignee: nobody@example.com is not an active person/
		);
		expect((await fail(act(999, { action: 'acknowledge', version: 1 }))).status).toBe(404);
	});
});
