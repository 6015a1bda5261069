/**
 * Alerts through `adoption serve`: the CLI's `alerts evaluate` and `alerts list` handed to the server
 * (PRODUCT.md's JSON), two people acknowledging one alert at the same moment (one 200, one 409 with the
 * alert as it is), a CSM kept to their own book, and the alert page's form doing the same as the API.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localActor } from '../../src/lib/server/auth/audit.js';
import { runPeople } from '../../src/lib/server/auth/people.js';
import { openDatabase } from '../../src/lib/server/db/connection.js';
import { loadAlertFixture } from '../alerts/fixture.js';
import { adoption, tempDir } from '../helpers.js';
import { killServers, serve, stop } from './serve.js';

const dir = tempDir('adoption-alerts-');
const db = path.join(dir, 'alerts.duckdb');
const PASSWORD = 'correct horse battery';
const config = path.join(dir, 'adoption.config.json');
let server: Awaited<ReturnType<typeof serve>>;
const tokens: Record<string, string> = {};
/** The team channel: a Slack-compatible webhook receiver on loopback. */
const hooks: { text: string; blocks: unknown[] }[] = [];
const receiver = http.createServer((req, res) => {
	let body = '';
	req.on('data', (c) => (body += c));
	req.on('end', () => {
		hooks.push(JSON.parse(body));
		res.end('ok');
	});
});

beforeAll(async () => {
	await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
	const made = await openDatabase(db);
	try {
		await loadAlertFixture(made);
		for (const [email, role, csm] of [
			['lee@example.com', 'leader', undefined],
			['mei@example.com', 'csm', 'Mei'],
			['dana@example.com', 'csm', 'Dana']
		] as const) {
			await runPeople(made, { kind: 'add', params: { email, role, csm, password: PASSWORD } }, localActor());
			tokens[email] = (await runPeople(made, { kind: 'token_create', params: { email } }, localActor())).token;
		}
	} finally {
		made.close();
	}
	fs.writeFileSync(
		config,
		JSON.stringify({
			milestones: [{ level: 1, name: 'Team invited', event: 'User Invited', kind: 'commitment', dueDays: 7 }],
			notify: { webhook: { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook` } }
		})
	);
	server = await serve(db, { ADOPTION_CONFIG: config });
}, 120_000);

afterAll(async () => {
	receiver.close();
	if (server) await stop(server.child);
	killServers();
	fs.rmSync(dir, { recursive: true, force: true });
});

const as = (email: string, extra: Record<string, string> = {}) => ({ authorization: `Bearer ${tokens[email]}`, ...extra });
const post = (id: number, body: unknown, email = 'lee@example.com') =>
	fetch(`${server.url}/api/alerts/${id}`, {
		method: 'POST',
		headers: as(email, { 'content-type': 'application/json' }),
		body: JSON.stringify(body)
	});

describe('alerts through the server', () => {
	let opened: {
		id: number;
		rule: string;
		account_id: string | null;
		topic: string | null;
		severity: string;
		created_at: string;
		due_at: string;
	}[];

	it('evaluates through the CLI as PRODUCT.md says, and opens nothing the second time', () => {
		const env = { ADOPTION_CONFIG: config };
		const first = adoption(['alerts', 'evaluate', '--db', db, '--as-of', '2026-06-01T12:00:00Z', '--json'], env);
		expect(first.code, first.stderr).toBe(0);
		const doc = JSON.parse(first.stdout);
		opened = doc.opened;
		expect(opened.map((a) => a.account_id ?? a.topic).sort()).toEqual(['F1', 'H1', 'H3', 'O1', 'R1', 'SSO']);
		expect(Object.keys(opened[0])).toEqual(['id', 'rule', 'account_id', 'topic', 'severity', 'created_at', 'due_at']);
		expect(opened[0].created_at).toBe('2026-06-01T12:00:00.000Z');
		expect(doc.open).toBe(6);
		const again = JSON.parse(adoption(['alerts', 'evaluate', '--db', db, '--as-of', '2026-06-01T12:05:00Z', '--json'], env).stdout);
		expect([again.opened, again.resolved, again.open]).toEqual([[], [], 6]);
		const list = JSON.parse(adoption(['alerts', 'list', '--db', db, '--state', 'open', '--json'], env).stdout);
		expect(list.alerts).toHaveLength(6);
		expect(Object.keys(list.alerts[0]).slice(0, 10)).toEqual([
			'id',
			'rule',
			'account_id',
			'topic',
			'state',
			'severity',
			'created_at',
			'due_at',
			'assignee',
			'evidence'
		]);
		// H1 and H3 belong to Mei, who signs in: they are assigned to her.
		expect(
			list.alerts
				.filter((a: { assignee: string | null }) => a.assignee === 'mei@example.com')
				.map((a: { account_id: string }) => a.account_id)
				.sort()
		).toEqual(['H1', 'H3']);
		const bad = adoption(['alerts', 'evaluate', '--db', db, '--as-of', 'soon'], env);
		expect([bad.code, bad.stderr]).toEqual([2, "adoption: --as-of must be an ISO 8601 timestamp or a date YYYY-MM-DD, not 'soon'\n"]);
	});

	it('lets one of two simultaneous acknowledgements win; the other gets 409 and the alert as it is', async () => {
		const h3 = opened.find((a) => a.account_id === 'H3')!.id;
		const [a, b] = await Promise.all([
			post(h3, { action: 'acknowledge', version: 1 }, 'lee@example.com'),
			post(h3, { action: 'acknowledge', version: 1 }, 'mei@example.com')
		]);
		expect([a.status, b.status].sort()).toEqual([200, 409]);
		const lost = (await (a.status === 409 ? a : b).json()) as { message: string; alert: { state: string; version: number } };
		expect(lost.message).toMatch(/changed/);
		expect(lost.alert).toMatchObject({ state: 'acknowledged', version: 2 });
		const history = (await (await fetch(`${server.url}/api/alerts/${h3}`, { headers: as('lee@example.com') })).json()) as {
			events: { kind: string }[];
		};
		expect(history.events.map((e) => e.kind)).toEqual(['opened', 'breached', 'acknowledged']);
	});

	it('keeps a CSM to their own book, naming the field of a bad action', async () => {
		const f1 = opened.find((a) => a.account_id === 'F1')!.id;
		const h1 = opened.find((a) => a.account_id === 'H1')!.id;
		const refused = await post(f1, { action: 'acknowledge', version: 1 }, 'mei@example.com');
		expect([refused.status, (await refused.json()).message]).toEqual([403, expect.stringMatching(/own book/)]);
		const bad = await post(h1, { action: 'snooze', until: 'later', version: 1 }, 'mei@example.com');
		expect([bad.status, (await bad.json()).message]).toEqual([400, expect.stringMatching(/^until: /)]);
		const mine = await fetch(`${server.url}/api/alerts?mine=1`, { headers: as('dana@example.com') });
		expect(((await mine.json()) as { alerts: { account_id: string }[] }).alerts.map((a) => a.account_id)).toEqual(['F1']);
	});

	it('does the same from the alert page’s form, signed in', async () => {
		const signin = await fetch(`${server.url}/signin?/signin`, {
			method: 'POST',
			redirect: 'manual',
			headers: { origin: server.url, 'content-type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams({ email: 'dana@example.com', password: PASSWORD })
		});
		const cookie = /adoption_session=[^;]+/.exec(signin.headers.get('set-cookie') ?? '')![0];
		const f1 = opened.find((a) => a.account_id === 'F1')!.id;
		const page = await fetch(`${server.url}/alerts/${f1}`, { headers: { cookie } });
		expect(page.status).toBe(200);
		expect(await page.text()).toContain('has not reached first value');
		const form = (fields: Record<string, string>) =>
			fetch(`${server.url}/alerts/${f1}?/act`, {
				method: 'POST',
				headers: { origin: server.url, cookie, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
				body: new URLSearchParams({ id: String(f1), ...fields })
			});
		expect((await form({ action: 'note', text: 'Booked a call for Thursday', version: '1' })).status).toBe(200);
		const stale = await form({ action: 'resolve', outcome: 'saved', version: '1' });
		expect(stale.status).toBe(409);
		expect((await form({ action: 'resolve', outcome: 'saved', version: '2' })).status).toBe(200);
		const alert = (await (await fetch(`${server.url}/api/alerts/${f1}`, { headers: as('dana@example.com') })).json()) as {
			state: string;
			outcome: string;
			events: { kind: string; actor: string; text: string }[];
		};
		expect([alert.state, alert.outcome]).toEqual(['resolved', 'saved']);
		// The clocks ran too: the alert from June was breached long ago (recorded at its due time).
		expect(alert.events.map((e) => e.kind)).toEqual(['opened', 'breached', 'noted', 'resolved']);
		expect(alert.events.slice(2)).toEqual([
			expect.objectContaining({ kind: 'noted', actor: 'dana@example.com', text: 'Booked a call for Thursday' }),
			expect.objectContaining({ kind: 'resolved', actor: 'dana@example.com' })
		]);
		const audit = await fetch(`${server.url}/api/audit?action=alert`, { headers: as('lee@example.com') });
		expect(((await audit.json()) as { entries: { action: string }[] }).entries.map((e) => e.action)).toContain('alert.resolve');
	});

	it('posts to the team channel by itself, and a signed link there mutes a rule', async () => {
		// The server's worker delivers the messages the evaluation wrote (no email is set: people's go to the channel too).
		for (let i = 0; i < 100 && !hooks.some((h) => h.text.includes('Product gap')); i++) await new Promise((r) => setTimeout(r, 100));
		const gap = hooks.find((h) => h.text.includes('Product gap'))!;
		expect(gap.text).toMatch(/^\[HIGH\] Product gap: topic SSO/);
		const link = /<(http[^|>]+\/notifications\/optout\?[^|>]+)\|Mute/.exec(JSON.stringify(gap.blocks))![1].replaceAll('&amp;', '&');
		const url = `${server.url}${new URL(link).pathname}${new URL(link).search}`;
		const asked = await fetch(url);
		expect([asked.status, /Stop these messages\?/.test(await asked.text())]).toEqual([200, true]);
		const done = await fetch(url, {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
			body: 'List-Unsubscribe=One-Click'
		});
		expect([done.status, /No more "Product gap" messages will go to <strong>the team channel/.test(await done.text())]).toEqual([
			200,
			true
		]);
		const forged = await fetch(url.replace('c=webhook', 'c=email'));
		expect(forged.status).toBe(400);
		const page = await (await fetch(`${server.url}/alerts`, { headers: as('lee@example.com') })).text();
		expect(page).toMatch(/1 of 1 recipient opted out \(100 %\)/);
	});
});
