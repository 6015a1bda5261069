/**
 * The tracking API through `adoption serve`, with the real Segment client (`@segment/analytics-node`)
 * pointed at it; nothing acknowledged is lost when the server is killed right after acknowledging 20,000
 * calls; bad input is refused with a message while the server keeps serving; the CLI manages sources
 * through the running server.
 */
import { Analytics } from '@segment/analytics-node';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localActor } from '../../src/lib/server/auth/audit.js';
import { openDatabase } from '../../src/lib/server/db/connection.js';
import { runSources } from '../../src/lib/server/sources/registry.js';
import { adoption, ROOT, tempDir } from '../helpers.js';
import { FakeZendesk } from '../sources/fake-zendesk.js';
import { killServers, serve, stop } from './serve.js';

const dir = tempDir('adoption-sources-');
const db = path.join(dir, 'live.duckdb');
/** Zendesk's real limit (10 requests a minute) would make the sync below take half a minute. */
const config = path.join(dir, 'adoption.config.json');
const env = { ADOPTION_CONFIG: config };
let key: string;
let server: Awaited<ReturnType<typeof serve>>;

beforeAll(async () => {
	const made = await openDatabase(db);
	try {
		key = (await runSources(made, { kind: 'add_segment', params: { name: 'web app' } }, localActor())).write_key;
	} finally {
		made.close();
	}
	fs.writeFileSync(config, JSON.stringify({ sources: { zendesk: { requestsPerMinute: 600 } } }));
	server = await serve(db, env);
}, 120_000);

afterAll(() => killServers());

const basic = (k: string) => `Basic ${Buffer.from(`${k}:`).toString('base64')}`;
async function post(endpoint: string, body: string, auth = basic(key)): Promise<Response> {
	const send = () =>
		fetch(`${server.url}/v1/${endpoint}`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body });
	// A kept-alive socket the server closed after its 5 s idle timeout, while a CLI command ran, fails once on reuse.
	return send().catch((err: Error & { cause?: { code?: string } }) => {
		if (err.cause?.code !== 'UND_ERR_SOCKET') throw err;
		return send();
	});
}

/** `adoption …` without blocking this process: the fake Zendesk below answers from it. */
function adoptionAsync(args: string[]): Promise<{ code: number | null; stdout: string }> {
	return new Promise((resolve, reject) => {
		execFile(process.execPath, [path.join(ROOT, 'bin', 'adoption.js'), ...args], { cwd: ROOT, timeout: 90_000 }, (err, stdout) => {
			// A non-zero exit is an answer; a command that could not run or was killed for its time is not.
			if (err && typeof err.code !== 'number') reject(err);
			else resolve({ code: err ? (err.code as number) : 0, stdout });
		});
	});
}

/** The web app source as `GET /api/sources` shows it. */
async function webApp() {
	const res = await fetch(`${server.url}/api/sources`);
	const { sources } = (await res.json()) as {
		sources: { name: string; rows_in: number; waiting: number; rejected: number; received: number }[];
	};
	return sources.find((s) => s.name === 'web app')!;
}

/** Waits until the spool is empty (everything acknowledged is loaded). */
async function drained() {
	for (let i = 0; i < 150; i++) {
		if ((await webApp()).waiting === 0) return;
		await new Promise((r) => setTimeout(r, 200));
	}
	throw new Error('the spool did not drain within 30 s');
}

/** Queries the database once the server is stopped (it holds the file while it runs). */
async function query<T>(sql: string): Promise<T[]> {
	const d = await openDatabase(db, { threads: 1 });
	try {
		return await d.query<T>(sql);
	} finally {
		d.close();
	}
}

describe('the tracking API in the server', () => {
	it('takes the real Segment client: track, identify, group and page calls, a batch larger than one flush', async () => {
		const analytics = new Analytics({ writeKey: key, host: server.url, flushAt: 50, maxRetries: 0 });
		const errors: unknown[] = [];
		analytics.on('error', (e) => errors.push(e));
		analytics.group({ userId: 'u1', groupId: 'acme', traits: { name: 'Acme Inc', plan: 'enterprise', createdAt: '2026-01-02T00:00:00Z' } });
		analytics.identify({ userId: 'u1', traits: { email: 'ana@acme.test', role: 'admin' } });
		const at = new Date('2026-11-30T09:30:00.000Z');
		for (let i = 0; i < 130; i++)
			analytics.track({ userId: 'u1', event: 'Report Run', properties: { i }, timestamp: at, messageId: `rr-${i}` });
		analytics.page({ anonymousId: 'visitor-1', name: 'Pricing', properties: { path: '/pricing' }, messageId: 'pg-1', timestamp: at });
		await analytics.closeAndFlush();
		expect(errors).toEqual([]);
		await drained();
		expect(await webApp()).toMatchObject({ rows_in: 131, rejected: 0, received: 133 });
	});

	it('refuses bad input with a message and keeps serving', async () => {
		const call = JSON.stringify({ type: 'track', userId: 'u1', event: 'X', messageId: 'bad-1', timestamp: '2026-11-30T10:00:00Z' });
		const wrong = await post('track', call, basic('wk_not-a-key'));
		expect(wrong.status).toBe(401);
		expect((await wrong.json()).message).toMatch(/not one of this app’s Segment sources/);
		const malformed = await post('batch', '{"batch": [');
		expect(malformed.status).toBe(400);
		expect((await malformed.json()).message).toMatch(/not valid JSON/);
		const huge = await post(
			'batch',
			JSON.stringify({ batch: [{ type: 'track', userId: 'u', event: 'X', properties: { s: 'x'.repeat(600 * 1024) } }] })
		);
		expect(huge.status).toBe(400);
		expect((await huge.json()).message).toMatch(/at most 500 KB/);
		// Acknowledged, as Segment does, then rejected by the loader and counted on the source.
		expect(
			(await post('track', JSON.stringify({ event: 'Nobody', messageId: 'nobody-1', timestamp: '2026-11-30T10:00:00Z' }))).status
		).toBe(200);
		await drained();
		expect((await webApp()).rejected).toBe(1);
		expect((await post('track', call)).status).toBe(200);
	});

	it('keeps all of 20,000 acknowledged calls exactly once when killed right after the last acknowledgement', async () => {
		const batches = Array.from({ length: 40 }, (_, b) =>
			JSON.stringify({
				batch: Array.from({ length: 500 }, (_, i) => ({
					type: 'track',
					userId: `k${i % 37}`,
					event: 'Kill Test',
					messageId: `kill-${b}-${i}`,
					timestamp: '2026-11-30T11:00:00.000Z'
				}))
			})
		);
		// Four clients at a time, as a pipeline sends.
		for (let b = 0; b < batches.length; b += 4) {
			const answers = await Promise.all(batches.slice(b, b + 4).map((body) => post('batch', body)));
			expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
		}
		process.kill(-server.child.pid!, 'SIGKILL');
		await new Promise((r) => server.child.once('exit', r));
		server = await serve(db, env);
		await drained();
		await stop(server.child);
		expect(await query(`SELECT count(*) AS n, count(DISTINCT event_id) AS ids FROM events WHERE event = 'Kill Test'`)).toEqual([
			{ n: 20_000, ids: 20_000 }
		]);
		expect(await query(`SELECT account_id, name, plan FROM accounts`)).toEqual([
			{ account_id: 'acme', name: 'Acme Inc', plan: 'enterprise' }
		]);
		expect(await query(`SELECT user_id, account_id, email FROM users`)).toEqual([
			{ user_id: 'u1', account_id: 'acme', email: 'ana@acme.test' }
		]);
		expect(
			await query(
				`SELECT count(*) AS n, min(timestamp) = max(timestamp) AND min(timestamp) = TIMESTAMP '2026-11-30 09:30:00' AS same, any_value(account_id) AS account FROM events WHERE event = 'Report Run'`
			)
		).toEqual([{ n: 130, same: true, account: 'acme' }]);
		expect(await query(`SELECT user_id, anonymous, page FROM events WHERE event = 'Page Viewed'`)).toEqual([
			{ user_id: 'visitor-1', anonymous: true, page: '/pricing' }
		]);
	});

	it('adds, lists and revokes sources through the running server from the CLI', async () => {
		// Stopped by the test before to read the file (unless it ran alone).
		if (server.child.exitCode !== null || server.child.signalCode !== null) server = await serve(db, env);
		const added = adoption(['sources', 'add', 'segment', '--name', 'mobile', '--db', db, '--json']);
		expect(added.code).toBe(0);
		const doc = JSON.parse(added.stdout);
		expect(doc).toMatchObject({ kind: 'segment', name: 'mobile', write_key: expect.stringMatching(/^wk_/) });
		expect((await post('track', JSON.stringify({ userId: 'm1', event: 'Opened' }), basic(doc.write_key))).status).toBe(200);
		const listed = JSON.parse(adoption(['sources', 'list', '--db', db, '--json']).stdout);
		expect(listed.sources.map((s: { name: string }) => s.name)).toEqual(['web app', 'mobile']);
		expect(JSON.stringify(listed)).not.toContain(doc.write_key);
		expect(adoption(['sources', 'revoke', 'mobile', '--db', db]).code).toBe(0);
		expect((await post('track', JSON.stringify({ userId: 'm1', event: 'Opened' }), basic(doc.write_key))).status).toBe(401);
		const dup = adoption(['sources', 'add', 'segment', '--name', 'web app', '--db', db]);
		expect(dup.code).not.toBe(0);
		expect(dup.stderr).toMatch(/already a source named 'web app'/);
	});

	it('syncs a Zendesk source as a job of the running server: adoption sync zendesk', async () => {
		const token = 'zd-token-for-the-server-test';
		const at = '2026-11-20T10:00:00Z';
		const ticket = (id: number, status = 'open') => ({
			id,
			created_at: at,
			updated_at: at,
			status,
			priority: null,
			via: { channel: 'email' },
			subject: `Ticket ${id}`,
			tags: [],
			requester_id: 9100000000001,
			organization_id: 3600000000001,
			satisfaction_rating: null
		});
		const zendesk = new FakeZendesk(
			`Basic ${Buffer.from(`agent@acme.test/token:${token}`).toString('base64')}`,
			{
				organizations: [{ id: 3600000000001, name: 'Acme', external_id: 'acme', domain_names: [], created_at: at, updated_at: at }],
				users: [
					{ id: 9100000000001, email: 'ana@acme.test', name: 'Ana', role: 'end-user', organization_id: 3600000000001, updated_at: at }
				],
				tickets: [ticket(1234567890123), ticket(1234567890124), ticket(1234567890125, 'deleted')]
			},
			new Map()
		);
		await zendesk.start();
		try {
			const added = adoption(
				[
					'sources',
					'add',
					'zendesk',
					'--subdomain',
					'acme',
					'--email',
					'agent@acme.test',
					'--url',
					zendesk.url,
					'--token-stdin',
					'--db',
					db,
					'--json'
				],
				{},
				`${token}\n`
			);
			expect(added.code).toBe(0);
			expect(JSON.parse(added.stdout)).toMatchObject({ kind: 'zendesk', name: 'zendesk acme' });
			const synced = await adoptionAsync(['sync', 'zendesk', '--db', db, '--json']);
			expect(synced.code).toBe(0);
			const doc = JSON.parse(synced.stdout);
			// The server's own timetable may have synced the new source first: then this sync finds nothing new.
			expect(Object.keys(doc).slice(0, 1)).toEqual(['tickets']);
			expect(doc.sources).toEqual([expect.objectContaining({ name: 'zendesk acme', ok: true })]);
			const listed = JSON.parse((await adoptionAsync(['sources', 'list', '--db', db, '--json'])).stdout);
			const source = listed.sources.find((s: { name: string }) => s.name === 'zendesk acme');
			expect(source).toMatchObject({ state: 'active', rows_in: expect.any(Number), next_run_at: expect.any(String) });
			expect(JSON.stringify(listed)).not.toContain(token);
		} finally {
			await zendesk.close();
		}
		await stop(server.child);
		expect(await query(`SELECT ticket_id, account_id, requester_id FROM tickets ORDER BY ticket_id`)).toEqual([
			{ ticket_id: '1234567890123', account_id: 'acme', requester_id: 'u1' },
			{ ticket_id: '1234567890124', account_id: 'acme', requester_id: 'u1' }
		]);
	});
});
