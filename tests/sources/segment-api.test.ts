/**
 * The tracking API in process: a request is checked (write key, size limits, JSON), acknowledged only once
 * it is in the spool on disk, and loaded by the Segment file loader into the tables with the source on its
 * load; a spool left by a crash is loaded once at the next start, and loaded segments never twice.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localActor } from '../../src/lib/server/auth/audit.js';
import { secretHash } from '../../src/lib/server/auth/secrets.js';
import { openDatabase, type Database } from '../../src/lib/server/db/connection.js';
import { runSources } from '../../src/lib/server/sources/registry.js';
import { track, type TrackingDeps } from '../../src/lib/server/sources/segment/api.js';
import { SegmentIngest } from '../../src/lib/server/sources/segment/ingest.js';
import { sourceByKeyHash } from '../../src/lib/server/sources/segment/keys.js';
import { segmentName, spoolDir } from '../../src/lib/server/sources/segment/spool.js';
import { tempDir } from '../helpers.js';

const dir = tempDir('adoption-segment-api-');
const file = path.join(dir, 'track.duckdb');
let db: Database;
let key: string;
let sourceId: number;
/** Loads run at once: there are no jobs to wait behind here. */
const queue = { exclusive: <T>(work: () => Promise<T>) => work() };
const NOW = new Date('2026-11-30T12:00:00.000Z');

beforeAll(async () => {
	db = await openDatabase(file, { threads: 1 });
	const added = await runSources(db, { kind: 'add_segment', params: { name: 'web app' } }, localActor());
	key = added.write_key;
	sourceId = added.id;
});

afterAll(() => {
	db.close();
	fs.rmSync(dir, { recursive: true, force: true });
});

const basic = (k: string) => `Basic ${Buffer.from(`${k}:`).toString('base64')}`;
function request(body: unknown, headers: Record<string, string> = { authorization: basic(key) }): Request {
	const text = typeof body === 'string' ? body : JSON.stringify(body);
	return new Request('http://x/v1/batch', { method: 'POST', body: text, headers: { 'content-type': 'application/json', ...headers } });
}
function deps(ingest: SegmentIngest): TrackingDeps {
	return { sourceByKeyHash: (h) => sourceByKeyHash(db, h), accept: (id, text, calls) => ingest.accept(id, text, calls), now: () => NOW };
}

describe('the Segment tracking API', () => {
	it('refuses a wrong or missing key, oversized calls and batches, and malformed JSON, each with a message', async () => {
		const ingest = new SegmentIngest(db, queue);
		const d = deps(ingest);
		const ok = { batch: [{ type: 'track', userId: 'u1', event: 'X', messageId: 'm0' }] };
		expect(await track('batch', request(ok, { authorization: basic('wk_wrong') }), d)).toMatchObject({ status: 401 });
		expect(await track('batch', request(ok, {}), d)).toMatchObject({
			status: 401,
			body: { success: false, message: expect.stringMatching(/no write key/) }
		});
		// The key in the body, as some libraries send it.
		expect(await track('batch', request({ ...ok, writeKey: 'wk_nope' }, {}), d)).toMatchObject({ status: 401 });
		const big = 'x'.repeat(33 * 1024);
		expect(await track('track', request({ userId: 'u1', event: 'X', properties: { big } }), d)).toMatchObject({
			status: 400,
			body: { message: expect.stringMatching(/a call may be at most 32 KB/) }
		});
		expect(await track('batch', request({ batch: [{ type: 'track', userId: 'u', event: 'X', properties: { big } }] }), d)).toMatchObject({
			status: 400,
			body: { message: expect.stringMatching(/batch\[0\] is 33 KB/) }
		});
		const many = {
			batch: Array.from({ length: 30 }, (_, i) => ({ type: 'track', userId: 'u', event: 'X', properties: { s: 'y'.repeat(20_000), i } }))
		};
		expect(await track('batch', request(many), d)).toMatchObject({
			status: 400,
			body: { message: expect.stringMatching(/at most 500 KB/) }
		});
		expect(await track('batch', request('{"batch": [ {"type": "track",'), d)).toMatchObject({
			status: 400,
			body: { message: expect.stringMatching(/not valid JSON/) }
		});
		expect(await track('batch', request({ calls: [] }), d)).toMatchObject({
			status: 400,
			body: { message: expect.stringMatching(/no batch array/) }
		});
		expect(await track('nothing', request(ok), d)).toMatchObject({ status: 404 });
		await ingest.stop();
		expect(await db.query(`SELECT count(*) AS n FROM events`)).toEqual([{ n: 0 }]);
	});

	it('acknowledges durable calls and loads them with the file loader: ids, accounts, users, corrected timestamps', async () => {
		const ingest = new SegmentIngest(db, queue);
		await ingest.start();
		const d = deps(ingest);
		const answers = [
			await track(
				'group',
				request({ userId: 'u1', groupId: 'acme', traits: { name: 'Acme', plan: 'pro', createdAt: '2026-01-05T00:00:00Z' } }),
				d
			),
			await track('identify', request({ userId: 'u1', traits: { email: 'ana@acme.test', role: 'admin' }, messageId: 'i1' }), d),
			await track(
				'batch',
				request({
					// A device clock 1 hour fast: sent "at 13:00" when it was 12:00 here.
					sentAt: '2026-11-30T13:00:00.000Z',
					context: { groupId: 'acme' },
					batch: [
						{ type: 'track', userId: 'u1', event: 'Report Run', messageId: 'm1', originalTimestamp: '2026-11-30T12:59:00.000Z' },
						{ type: 'track', userId: 'u1', event: 'Report Run', messageId: 'm2', timestamp: '2026-11-29T08:00:00.000Z' },
						{
							type: 'page',
							anonymousId: 'anon-9',
							name: 'Pricing',
							properties: { path: '/pricing' },
							messageId: 'm3',
							timestamp: '2026-11-29T09:00:00Z'
						},
						// Neither userId nor anonymousId: acknowledged, then rejected by the loader.
						{ type: 'track', event: 'Orphan', messageId: 'm4', timestamp: '2026-11-29T09:00:00Z' }
					]
				}),
				d
			)
		];
		expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
		expect(answers[2].body).toEqual({ success: true });
		// Acknowledged means on disk, before anything is loaded.
		const spooled = fs
			.readFileSync(path.join(spoolDir(file), String(sourceId), segmentName(1)), 'utf8')
			.trim()
			.split('\n');
		expect(spooled).toHaveLength(3);
		await ingest.flush();
		expect(
			await db.query(
				`SELECT event_id, user_id, account_id, event, strftime(timestamp, '%Y-%m-%dT%H:%M:%S') AS ts, page, anonymous FROM events ORDER BY event_id`
			)
		).toEqual([
			// 12:59 on a clock an hour fast is 11:59 here.
			{ event_id: 'm1', user_id: 'u1', account_id: 'acme', event: 'Report Run', ts: '2026-11-30T11:59:00', page: null, anonymous: false },
			{ event_id: 'm2', user_id: 'u1', account_id: 'acme', event: 'Report Run', ts: '2026-11-29T08:00:00', page: null, anonymous: false },
			{
				event_id: 'm3',
				user_id: 'anon-9',
				account_id: 'acme',
				event: 'Page Viewed',
				ts: '2026-11-29T09:00:00',
				page: '/pricing',
				anonymous: true
			}
		]);
		expect(await db.query(`SELECT account_id, name, plan FROM accounts`)).toEqual([{ account_id: 'acme', name: 'Acme', plan: 'pro' }]);
		expect(await db.query(`SELECT user_id, account_id, email FROM users`)).toEqual([
			{ user_id: 'u1', account_id: 'acme', email: 'ana@acme.test' }
		]);
		const [reject] = await db.query<{ field: string; reason: string; source_id: number }>(
			`SELECT r.field, r.reason, l.source_id FROM rejected_rows r JOIN loads l USING (load_id)`
		);
		expect(reject).toEqual({ field: 'batch[3].userId', reason: 'missing: a call needs a userId or an anonymousId', source_id: sourceId });
		const [source] = await db.query<{ received: number; spooled_through: number }>(
			`SELECT received, spooled_through FROM sources WHERE source_id = $1`,
			[sourceId]
		);
		expect(source).toEqual({ received: 6, spooled_through: 1 });
		// Loaded segments leave the spool.
		expect(fs.readdirSync(path.join(spoolDir(file), String(sourceId))).filter((f) => f.endsWith('.jsonl'))).toEqual([]);
		await ingest.stop();
	});

	it('loads what a crash left in the spool once at the next start, and never a segment already loaded', async () => {
		const crashed = new SegmentIngest(db, queue);
		await crashed.start();
		const calls = Array.from({ length: 50 }, (_, i) => ({
			type: 'track',
			userId: 'u1',
			event: 'Crash Test',
			messageId: `c${i}`,
			timestamp: '2026-11-30T10:00:00Z'
		}));
		for (let i = 0; i < 50; i += 10)
			expect((await track('batch', request({ batch: calls.slice(i, i + 10) }), deps(crashed))).status).toBe(200);
		// Killed before any flush: nothing loaded, everything on disk.
		await crashed.stop({ loadPending: false });
		const spool = path.join(spoolDir(file), String(sourceId));
		// A segment that was loaded, but whose file a crash left behind, and a write cut short mid-line.
		fs.writeFileSync(
			path.join(spool, segmentName(1)),
			`${JSON.stringify({ type: 'track', userId: 'u1', event: 'Old', messageId: 'old' })}\n`
		);
		fs.appendFileSync(path.join(spool, segmentName(2)), '{"type":"track","userId":"u1","ev');
		expect(await db.query(`SELECT count(*) AS n FROM events WHERE event = 'Crash Test'`)).toEqual([{ n: 0 }]);

		const restarted = new SegmentIngest(db, queue);
		await restarted.start();
		expect(await db.query(`SELECT count(*) AS n, count(DISTINCT event_id) AS ids FROM events WHERE event = 'Crash Test'`)).toEqual([
			{ n: 50, ids: 50 }
		]);
		expect(await db.query(`SELECT count(*) AS n FROM events WHERE event = 'Old'`)).toEqual([{ n: 0 }]);
		expect(await db.query(`SELECT count(*) AS n FROM rejected_rows WHERE reason LIKE 'malformed%'`)).toEqual([{ n: 0 }]);
		// Sent again (a client retrying after a lost answer): a duplicate by messageId, not a new event.
		await track('batch', request({ batch: calls.slice(0, 10) }), deps(restarted));
		await restarted.flush();
		expect(await db.query(`SELECT count(*) AS n FROM events WHERE event = 'Crash Test'`)).toEqual([{ n: 50 }]);
		await restarted.stop();
	});

	it('loads a backlog in segments of at most maxLoadCalls, and answers 429 past maxWaitingCalls until it catches up', async () => {
		const config = path.join(dir, 'backlog.config.json');
		fs.writeFileSync(config, JSON.stringify({ sources: { segment: { maxLoadCalls: 100, maxWaitingCalls: 1000 } } }));
		process.env.ADOPTION_CONFIG = config;
		try {
			const ingest = new SegmentIngest(db, queue);
			await ingest.start();
			await runSources(db, { kind: 'pause', params: { source: 'web app' } }, localActor());
			const batch = (from: number, n: number) => ({
				batch: Array.from({ length: n }, (_, i) => ({
					type: 'track',
					userId: 'u1',
					event: 'Backlog',
					messageId: `b${from + i}`,
					timestamp: '2026-11-30T10:00:00Z'
				}))
			});
			for (let i = 0; i < 1000; i += 250) expect((await track('batch', request(batch(i, 250)), deps(ingest))).status).toBe(200);
			const full = await track('batch', request(batch(1000, 1)), deps(ingest));
			expect(full).toMatchObject({ status: 429, retryAfter: 5, body: { message: expect.stringMatching(/1,000 calls are waiting/) } });
			// A segment closes once it holds 100 calls (a request's calls stay together): four loads of 250, not one of 1,000.
			const spool = path.join(spoolDir(file), String(sourceId));
			expect(fs.readdirSync(spool).filter((f) => f.endsWith('.jsonl'))).toHaveLength(4);
			await runSources(db, { kind: 'resume', params: { source: 'web app' } }, localActor());
			await ingest.flush();
			expect(await db.query(`SELECT count(*) AS n FROM events WHERE event = 'Backlog'`)).toEqual([{ n: 1000 }]);
			expect((await track('batch', request(batch(1000, 1)), deps(ingest))).status).toBe(200);
			await ingest.stop();
		} finally {
			delete process.env.ADOPTION_CONFIG;
		}
	});

	it('keeps a paused source’s calls in the spool until it is resumed, and refuses a revoked key', async () => {
		const ingest = new SegmentIngest(db, queue);
		await ingest.start();
		await runSources(db, { kind: 'pause', params: { source: 'web app' } }, localActor());
		expect(
			(
				await track(
					'track',
					request({ userId: 'u1', event: 'While Paused', messageId: 'p1', timestamp: '2026-11-30T10:00:00Z' }),
					deps(ingest)
				)
			).status
		).toBe(200);
		await ingest.flush();
		expect(await db.query(`SELECT count(*) AS n FROM events WHERE event = 'While Paused'`)).toEqual([{ n: 0 }]);
		expect((await ingest.status()).get(sourceId)?.waiting).toBe(1);
		await runSources(db, { kind: 'resume', params: { source: 'web app' } }, localActor());
		await ingest.flush();
		expect(await db.query(`SELECT count(*) AS n FROM events WHERE event = 'While Paused'`)).toEqual([{ n: 1 }]);
		await runSources(db, { kind: 'revoke', params: { source: sourceId } }, localActor());
		expect(await track('track', request({ userId: 'u1', event: 'X' }), deps(ingest))).toMatchObject({ status: 401 });
		expect(await sourceByKeyHash(db, secretHash(key))).toBeUndefined();
		await ingest.stop();
	});
});
