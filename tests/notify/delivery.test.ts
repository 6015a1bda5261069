/**
 * Notifications end to end with real parts: alerts from the fixture write their messages to the outbox,
 * and the worker delivers them to a webhook receiver on loopback (down, then failing, then up: each message
 * arrives exactly once) and to a real SMTP server (smtp-server) with the deep links; a 400 goes dead at
 * once; caps hold messages for a digest; opt-outs stop them; quiet hours wait for the working day.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { tickAlerts } from '../../src/lib/server/alerts/clocks.js';
import { evaluateAlerts } from '../../src/lib/server/alerts/evaluate.js';
import { localActor } from '../../src/lib/server/auth/audit.js';
import { runPeople } from '../../src/lib/server/auth/people.js';
import { parseConfig, type Config } from '../../src/lib/server/config/config.js';
import type { Database } from '../../src/lib/server/db/connection.js';
import { optoutKey, recordOptout, verifyOptout } from '../../src/lib/server/notify/optout.js';
import { enqueue } from '../../src/lib/server/notify/outbox.js';
import { backoffMs, deliverDue } from '../../src/lib/server/notify/worker.js';
import { memoryDb } from '../helpers.js';
import { AS_OF, config as base, loadAlertFixture } from '../alerts/fixture.js';

/** The webhook receiver: what it answers now, and every request it got. */
let mode: 'ok' | '503' | '400' = 'ok';
let hooks: { key: string; body: { text: string; blocks: unknown[] } }[] = [];
let hookUrl = '';
let hookServer: http.Server | null = null;
const hookPort = await new Promise<number>((resolve) => {
	const probe = http.createServer().listen(0, '127.0.0.1', () => {
		const port = (probe.address() as AddressInfo).port;
		probe.close(() => resolve(port));
	});
});
function startHook(): Promise<void> {
	hookServer = http.createServer((req, res) => {
		let body = '';
		req.on('data', (c) => (body += c));
		req.on('end', () => {
			if (mode === 'ok') hooks.push({ key: String(req.headers['idempotency-key']), body: JSON.parse(body) });
			res.writeHead(mode === 'ok' ? 200 : Number(mode), mode === '503' ? { 'retry-after': '1' } : {}).end(mode === 'ok' ? 'ok' : 'nope');
		});
	});
	return new Promise((r) => hookServer!.listen(hookPort, '127.0.0.1', () => r()));
}

/** The SMTP server: every email it accepted; addresses starting with "bounce" are refused with 550. */
let mails: { to: string[]; data: string }[] = [];
let smtp: SMTPServer;
let smtpPort = 0;
beforeAll(async () => {
	hookUrl = `http://127.0.0.1:${hookPort}/hook`;
	smtp = new SMTPServer({
		authOptional: true,
		disabledCommands: ['STARTTLS'],
		logger: false,
		onRcptTo(address, _session, cb) {
			if (address.address.startsWith('bounce')) return cb(Object.assign(new Error('No such user here'), { responseCode: 550 }));
			cb();
		},
		onData(stream, session, cb) {
			let data = '';
			stream.on('data', (c) => (data += c));
			stream.on('end', () => {
				mails.push({ to: session.envelope.rcptTo.map((r) => r.address), data });
				cb();
			});
		}
	});
	await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
	smtpPort = (smtp.server.address() as AddressInfo).port;
});
afterAll(async () => {
	await new Promise<void>((r) => smtp.close(() => r()));
	await new Promise<void>((r) => (hookServer ? hookServer.close(() => r()) : r()));
});

let db: Database;
const cfg = (notify: Record<string, unknown> = {}): Config =>
	parseConfig({
		milestones: base.milestones,
		notify: {
			baseUrl: 'https://adoption.example.com',
			webhook: { url: hookUrl },
			email: { host: '127.0.0.1', port: smtpPort, from: 'alerts@example.com' },
			quietHours: false,
			...notify
		}
	});
beforeEach(async () => {
	db = await memoryDb();
	await loadAlertFixture(db);
	for (const [email, role, csm, name] of [
		['lee@example.com', 'leader', undefined, 'Lee Park'],
		['mei@example.com', 'csm', 'Mei', 'Mei Tan']
	] as const)
		await runPeople(db, { kind: 'add', params: { email, role, csm, name, password: 'correct horse battery' } }, localActor());
	mode = 'ok';
	hooks = [];
	mails = [];
});
afterEach(async () => {
	db.close();
	if (hookServer) await new Promise<void>((r) => hookServer!.close(() => r()));
	hookServer = null;
});

const states = async () =>
	Object.fromEntries(
		(await db.query<{ state: string; n: number }>(`SELECT state, count(*) AS n FROM outbox GROUP BY state ORDER BY state`)).map((r) => [
			r.state,
			r.n
		])
	);
const later = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();

describe('the outbox and its worker', () => {
	it('writes each alert’s messages with it, to the audiences the rules name', async () => {
		await evaluateAlerts(db, cfg(), { asOf: AS_OF });
		const rows = await db.query<{ rule: string; channel: string; recipient: string }>(
			`SELECT rule, channel, recipient FROM outbox ORDER BY rule, recipient`
		);
		expect(rows).toEqual([
			// F1's CSM (Dana) does not sign in here: the managers hear of it.
			{ rule: 'first_value_miss', channel: 'email', recipient: 'lee@example.com' },
			{ rule: 'high_value_risk', channel: 'email', recipient: 'mei@example.com' },
			{ rule: 'high_value_risk', channel: 'email', recipient: 'mei@example.com' },
			{ rule: 'onboarding_stall', channel: 'email', recipient: 'lee@example.com' },
			{ rule: 'product_gap', channel: 'webhook', recipient: 'webhook' },
			{ rule: 'repeat_automation', channel: 'webhook', recipient: 'webhook' }
		]);
		// Written twice, kept once.
		const ids = (await db.query<{ alert_id: number }>(`SELECT alert_id FROM alerts`)).map((a) => ({
			alert_id: a.alert_id,
			event: 'opened' as const
		}));
		await db.kysely.transaction().execute((trx) => enqueue(trx, cfg(), ids, new Date().toISOString()));
		expect(await states()).toEqual({ pending: 6 });
	});

	it('loses nothing while the webhook is down, and delivers each message exactly once when it is back', async () => {
		await evaluateAlerts(db, cfg({ email: undefined }), { asOf: AS_OF });
		const c = cfg({ email: undefined });
		// Nobody listens: connection refused.
		expect(await deliverDue(db, c)).toMatchObject({ sent: 0, retrying: 6 });
		const [refused] = await db.query<{ last_error: string; attempts: number }>(`SELECT last_error, attempts FROM outbox LIMIT 1`);
		expect(refused).toEqual({ last_error: expect.stringMatching(/ECONNREFUSED/), attempts: 1 });
		// Up, but failing.
		await startHook();
		mode = '503';
		expect(await deliverDue(db, c, later(10))).toMatchObject({ sent: 0, retrying: 6 });
		// Not yet due again: nothing is tried.
		expect(await deliverDue(db, c, later(10))).toMatchObject({ sent: 0, retrying: 0 });
		mode = 'ok';
		expect(await deliverDue(db, c, later(60))).toMatchObject({ sent: 6, retrying: 0, dead: 0 });
		expect(await deliverDue(db, c, later(120))).toMatchObject({ sent: 0 });
		expect(hooks).toHaveLength(6);
		expect(new Set(hooks.map((h) => h.key)).size).toBe(6);
		expect(await states()).toEqual({ sent: 6 });
		const gap = hooks.find((h) => h.body.text.includes('Product gap'))!;
		expect(gap.body.text).toMatch(/^\[HIGH\] Product gap: topic SSO: 3 accounts opened 4 tickets on SSO/);
		expect(JSON.stringify(gap.body.blocks)).toMatch(/https:\/\/adoption\.example\.com\/alerts\/\d+/);
	});

	it('sends a message the receiver refuses with 400 to dead at once, without retries', async () => {
		await startHook();
		mode = '400';
		const c = cfg({ email: undefined });
		await evaluateAlerts(db, c, { asOf: AS_OF });
		expect(await deliverDue(db, c)).toMatchObject({ sent: 0, retrying: 0, dead: 6 });
		const [dead] = await db.query<{ state: string; attempts: number; last_error: string }>(
			`SELECT state, attempts, last_error FROM outbox LIMIT 1`
		);
		expect(dead).toEqual({ state: 'dead', attempts: 1, last_error: 'the webhook answered 400: nope' });
		mode = 'ok';
		expect(await deliverDue(db, c, later(600))).toMatchObject({ sent: 0 });
	});

	it('emails people through SMTP with the deep link and a one-click opt-out; a 550 goes dead', async () => {
		await startHook();
		const c = cfg({ managers: ['lee@example.com', 'bounce@example.com'] });
		await evaluateAlerts(db, c, { asOf: AS_OF });
		const run = await deliverDue(db, c);
		expect(run).toMatchObject({ sent: 6, dead: 2 });
		expect(mails.map((m) => m.to[0]).sort()).toEqual(['lee@example.com', 'lee@example.com', 'mei@example.com', 'mei@example.com']);
		// Quoted-printable, as mail is: soft line breaks joined, escapes decoded.
		const mei = mails
			.find((m) => m.to[0] === 'mei@example.com')!
			.data.replace(/=\r?\n/g, '')
			.replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)))
			.replace(/\r?\n /g, ' ');
		expect(mei).toContain('Hi Mei,');
		expect(mei).toMatch(/Open the alert: https:\/\/adoption\.example\.com\/alerts\/\d+/);
		expect(mei).toMatch(/List-Unsubscribe: <https:\/\/adoption\.example\.com\/notifications\/optout\?/);
		expect(mei).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
		const [bounced] = await db.query<{ state: string; last_error: string }>(
			`SELECT state, last_error FROM outbox WHERE recipient = 'bounce@example.com' LIMIT 1`
		);
		expect(bounced.state).toBe('dead');
		expect(bounced.last_error).toMatch(/^SMTP: .*550/);
	});

	it('stops what a recipient opted out of, by a signed link', async () => {
		const c = cfg();
		const key = await optoutKey(db.kysely);
		const link = (await import('../../src/lib/server/notify/optout.js')).optoutUrl('https://x', key, {
			recipient: 'mei@example.com',
			channel: 'email',
			rule: 'high_value_risk'
		});
		const params = new URL(link).searchParams;
		const o = verifyOptout(key, params)!;
		expect(o).toEqual({ recipient: 'mei@example.com', channel: 'email', rule: 'high_value_risk' });
		params.set('r', 'lee@example.com');
		expect(verifyOptout(key, params)).toBeNull();
		await recordOptout(db.kysely, o);
		await evaluateAlerts(db, c, { asOf: AS_OF });
		expect(await db.query(`SELECT state, reason FROM outbox WHERE recipient = 'mei@example.com'`)).toEqual([
			{ state: 'skipped', reason: 'opted out' },
			{ state: 'skipped', reason: 'opted out' }
		]);
	});

	it('holds what is over a cap and sends it as one digest', async () => {
		const c = cfg({ caps: { perRecipientPerDay: 1, perAccountPerDay: 3 } });
		await evaluateAlerts(db, c, { asOf: AS_OF });
		// Mei gets one of her two; the webhook one of its two; Lee one of two.
		expect(await states()).toEqual({ held: 3, pending: 3 });
		await startHook();
		expect(await deliverDue(db, c)).toMatchObject({ sent: 6, digests: 3 });
		expect(await states()).toEqual({ digested: 3, sent: 6 });
		const digest = mails.find((m) => m.to[0] === 'mei@example.com' && /held back/.test(m.data))!.data;
		expect(digest).toMatch(/1 alert message held back today/);
		// One digest a day: nothing more is held now, and the next pass makes none.
		expect((await deliverDue(db, c, later(5))).digests).toBe(0);
	});

	it('waits for the recipient’s working hours, and tells of breaches to the managers', async () => {
		await startHook();
		// The default calendar works Mon–Fri 09:00–17:00 UTC; Saturday 6 June 2026 is outside it.
		const c = cfg({ quietHours: true });
		await evaluateAlerts(db, c, { asOf: AS_OF });
		await db.query(`DELETE FROM outbox`);
		await tickAlerts(db, c, '2026-06-06T10:00:00.000Z');
		const rows = await db.query<{ event: string; recipient: string; next_attempt_at: string }>(
			`SELECT DISTINCT event, recipient, next_attempt_at FROM outbox ORDER BY recipient`
		);
		// Every breach goes to the manager by email, which waits for Monday 09:00.
		expect(rows).toEqual([{ event: 'breached', recipient: 'lee@example.com', next_attempt_at: '2026-06-08T09:00:00.000Z' }]);
		expect(await db.query(`SELECT count(*) AS n FROM outbox`)).toEqual([{ n: 6 }]);
	});

	it('backs off exponentially with jitter, capped', () => {
		const n = cfg().notify;
		expect([1, 2, 3, 10].map((a) => backoffMs(a, n, () => 1))).toEqual([30_000, 60_000, 120_000, 3_600_000]);
		expect([1, 2, 3].map((a) => backoffMs(a, n, () => 0))).toEqual([15_000, 30_000, 60_000]);
	});

	it("nudges the customer's admin with the next step when it has a link, and nothing of the alert's internals", async () => {
		await db.query(`INSERT INTO users (user_id, account_id, email, role, created_at) VALUES
			('o1a', 'O1', 'dev@o1.example', 'member', '2026-05-20'), ('o1b', 'O1', 'boss@o1.example', 'admin', '2026-05-21')`);
		const c = cfg({ webhook: undefined });
		await evaluateAlerts(db, c, { asOf: AS_OF });
		// Without a link for the step, no nudge: the manager hears of the stall, the customer does not.
		expect(await db.query(`SELECT count(*) AS n FROM outbox WHERE event = 'nudge'`)).toEqual([{ n: 0 }]);
		const linked = parseConfig({
			milestones: base.milestones,
			nextSteps: [{ milestone: 'Team invited', title: 'Invite your team in two minutes', url: 'https://help.example.com/invite' }],
			notify: { email: { host: '127.0.0.1', port: smtpPort, from: 'alerts@example.com' }, quietHours: false }
		});
		await db.query(`DELETE FROM alerts; DELETE FROM alert_conditions; DELETE FROM outbox`);
		await evaluateAlerts(db, linked, { asOf: AS_OF });
		expect(await db.query(`SELECT recipient, subject FROM outbox WHERE event = 'nudge'`)).toEqual([
			{ recipient: 'boss@o1.example', subject: 'A next step: Invite your team in two minutes' }
		]);
		await deliverDue(db, linked);
		const nudge = mails.find((m) => m.to[0] === 'boss@o1.example')!.data;
		expect(nudge).toContain('https://help.example.com/invite');
		expect(nudge).not.toMatch(/ARR|risk|CSM|Onboarding stalled/);
	});
});
