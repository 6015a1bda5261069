import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../../src/lib/server/db/connection.js';
import { loadFiles, type FileResult } from '../../../src/lib/server/ingest/load.js';

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/segment/${name}`, import.meta.url));

let db: Database;
beforeEach(async () => {
	db = await openDatabase(':memory:', { threads: 1 });
});
afterEach(() => db.close());

/** Loads one file and returns its result, failing the test when the file itself failed. */
async function load(name: string): Promise<FileResult> {
	const [result] = await loadFiles(db, [fixture(name)]);
	expect(result.error).toBeUndefined();
	return result;
}

const counts = (r: FileResult) => ({ accepted: r.accepted, updated: r.updated, skipped: r.skipped, rejected: r.rejected });

async function events() {
	return db.query(
		`SELECT event_id, user_id, account_id, event, timestamp, page, properties::VARCHAR AS properties, anonymous FROM events ORDER BY event_id`
	);
}

describe('Segment calls, one per line', () => {
	it('loads track, page and anonymous calls, skips a re-sent message and an alias, rejects bad calls with their lines', async () => {
		const r = await load('calls.jsonl');
		expect(r.format).toBe('segment');
		expect(r.table).toBe('events');
		// m1 twice (line 9 is the re-send) and an alias call are skipped, not rejected.
		expect(counts(r)).toEqual({ accepted: 5, updated: 0, skipped: 2, rejected: 3 });
		// Line 6 is blank: the lines after it keep their own numbers.
		expect(r.rejects).toEqual([
			{ line: 10, field: 'timestamp', reason: "type: 'yesterday' is not a valid ISO 8601 timestamp" },
			{ line: 11, field: null, reason: 'malformed: not valid JSON, or not a Segment call' },
			{ line: 14, field: 'type', reason: "value set: 'launch' is not a Segment call type (track, page, screen, identify, group, alias)" }
		]);
		expect(await events()).toEqual([
			// No account in the call: the user's group call (line 1) gives it.
			{
				event_id: 'm1',
				user_id: 'u1',
				account_id: 'acc-1',
				event: 'Report Created',
				timestamp: '2024-01-02T10:00:00.000Z',
				page: null,
				properties: '{"report":"weekly"}',
				anonymous: false
			},
			// A page call: Page Viewed, path from properties, the page name kept in properties.
			{
				event_id: 'm2',
				user_id: 'u1',
				account_id: 'acc-1',
				event: 'Page Viewed',
				timestamp: '2024-01-02T10:05:00.000Z',
				page: '/pricing',
				properties: '{"path":"/pricing","title":"Pricing","name":"Pricing"}',
				anonymous: false
			},
			// Anonymous: anonymousId as the user, page from context.page.path, the +02:00 offset honoured.
			{
				event_id: 'm3',
				user_id: 'anon-1',
				account_id: null,
				event: 'Page Viewed',
				timestamp: '2024-01-02T09:00:00.000Z',
				page: '/docs/start',
				properties: null,
				anonymous: true
			},
			// originalTimestamp when there is no timestamp (sentAt ignored); account from properties.account_id.
			{
				event_id: 'm4',
				user_id: 'u2',
				account_id: 'acc-1',
				event: 'Signed Up',
				timestamp: '2024-01-03T08:00:00.000Z',
				page: null,
				properties: '{"account_id":"acc-1"}',
				anonymous: false
			},
			// receivedAt as the last fallback; u2 has no group call, so no account.
			{
				event_id: 'm5',
				user_id: 'u2',
				account_id: null,
				event: 'Invited Teammate',
				timestamp: '2024-01-03T09:00:00.000Z',
				page: null,
				properties: null,
				anonymous: false
			}
		]);
	});

	it('fills accounts from group traits and users from identify traits, counted under derived', async () => {
		const r = await load('calls.jsonl');
		expect(r.derived).toEqual({
			accounts: { accepted: 1, updated: 0, skipped: 0, rejected: 0 },
			// The identify call with only an anonymousId names no user: skipped.
			users: { accepted: 1, updated: 0, skipped: 1, rejected: 0 }
		});
		// `Created At` (a key with a space) is createdAt; website reduced to its domain; unknown traits ignored.
		expect(await db.query('SELECT account_id, name, domain, plan, segment, arr, created_at FROM accounts')).toEqual([
			{
				account_id: 'acc-1',
				name: 'Acme',
				domain: 'acme.com',
				plan: 'pro',
				segment: null,
				arr: 120000,
				created_at: '2023-05-01T00:00:00.000Z'
			}
		]);
		expect(await db.query('SELECT * FROM users')).toEqual([
			{ user_id: 'u1', account_id: 'acc-1', email: 'ann@acme.com', role: 'admin', created_at: '2023-06-01T00:00:00.000Z' }
		]);
	});

	it('changes nothing when the same file is loaded again', async () => {
		await load('calls.jsonl');
		const before = await events();
		const again = await load('calls.jsonl');
		expect(counts(again)).toEqual({ accepted: 0, updated: 0, skipped: 7, rejected: 3 });
		expect(again.derived).toEqual({
			accounts: { accepted: 0, updated: 0, skipped: 1, rejected: 0 },
			users: { accepted: 0, updated: 0, skipped: 2, rejected: 0 }
		});
		expect(await events()).toEqual(before);
	});

	it('skips a message re-sent in a later file and finds a loaded user’s account', async () => {
		await load('calls.jsonl');
		const r = await load('resend.jsonl');
		expect(counts(r)).toEqual({ accepted: 1, updated: 0, skipped: 1, rejected: 0 });
		const rows = await db.query<{ event_id: string; event: string; account_id: string }>(
			`SELECT event_id, event, account_id FROM events WHERE event_id IN ('m1', 'm8') ORDER BY event_id`
		);
		expect(rows).toEqual([
			// First write wins: the re-sent copy's different name is not taken.
			{ event_id: 'm1', event: 'Report Created', account_id: 'acc-1' },
			// No group call in this file: the account the earlier file's group call gave the user.
			{ event_id: 'm8', event: 'Report Exported', account_id: 'acc-1' }
		]);
	});

	it('loads a file of identify and group calls only, patching traits and rejecting a group call without a groupId', async () => {
		await load('calls.jsonl');
		const r = await load('identities.jsonl');
		expect(counts(r)).toEqual({ accepted: 0, updated: 0, skipped: 0, rejected: 0 });
		expect(r.derived).toEqual({
			accounts: { accepted: 1, updated: 0, skipped: 0, rejected: 1 },
			users: { accepted: 1, updated: 1, skipped: 0, rejected: 0 }
		});
		expect(r.rejects).toEqual([{ line: 3, field: 'account_id', reason: 'required: value missing' }]);
		expect(await db.query(`SELECT table_name, line FROM rejected_rows WHERE load_id = ${r.load_id}`)).toEqual([
			{ table_name: 'accounts', line: 3 }
		]);
		// Trait keys in any case; no createdAt trait, so the call's timestamp.
		expect(await db.query(`SELECT account_id, name, plan, arr, csm, created_at FROM accounts WHERE account_id = 'acc-5'`)).toEqual([
			{ account_id: 'acc-5', name: 'Epsilon', plan: 'enterprise', arr: 50000.5, csm: 'Dee', created_at: '2024-01-10T09:30:00.000Z' }
		]);
		expect(await db.query(`SELECT * FROM users ORDER BY user_id`)).toEqual([
			// Only the role changed; the email and account from the first file are kept.
			{ user_id: 'u1', account_id: 'acc-1', email: 'ann@acme.com', role: 'owner', created_at: '2023-06-01T00:00:00.000Z' },
			{ user_id: 'u5', account_id: 'acc-5', email: null, role: null, created_at: null }
		]);
	});
});

describe('Segment batch wrappers', () => {
	it('merges batch-level context under each call’s own and reports a bad call by its batch line and position', async () => {
		await load('calls.jsonl');
		const r = await load('batch.json');
		expect(counts(r)).toEqual({ accepted: 4, updated: 0, skipped: 0, rejected: 1 });
		expect(r.rejects).toEqual([{ line: 2, field: 'batch[3].event_id', reason: 'required: value missing' }]);
		expect(r.derived.accounts).toEqual({ accepted: 1, updated: 0, skipped: 0, rejected: 0 });
		const rows = await db.query(`SELECT event_id, user_id, account_id, event, page FROM events WHERE event_id LIKE 'b%' ORDER BY event_id`);
		expect(rows).toEqual([
			// Line 1 names acc-2 before line 2's group call creates it: group calls merge first.
			{ event_id: 'b0', user_id: 'u3', account_id: 'acc-2', event: 'Logged In', page: null },
			// The call's own context (ip) merged with the batch's (groupId).
			{ event_id: 'b1', user_id: 'u3', account_id: 'acc-2', event: 'Dashboard Viewed', page: null },
			// A page call with no path of its own: the batch context's page path.
			{ event_id: 'b2', user_id: 'u3', account_id: 'acc-2', event: 'Page Viewed', page: '/home' },
			// The call's own context.groupId wins over the batch's.
			{ event_id: 'b4', user_id: 'u4', account_id: 'acc-1', event: 'Other Account', page: null }
		]);
		// `plan name` is another trait than `plan`; created_at falls back to the group call's timestamp.
		expect(
			await db.query(`SELECT account_id, name, domain, plan, segment, region, csm, created_at FROM accounts WHERE account_id = 'acc-2'`)
		).toEqual([
			{
				account_id: 'acc-2',
				name: 'Beta Corp',
				domain: 'beta.io',
				plan: 'starter',
				segment: 'smb',
				region: 'EU',
				csm: 'Carla',
				created_at: '2024-02-01T07:00:00.000Z'
			}
		]);
	});

	it('reads a pretty-printed batch: screen calls, a duplicate inside the batch, a bad call at the document’s line', async () => {
		const r = await load('batch-pretty.json');
		expect(counts(r)).toEqual({ accepted: 1, updated: 0, skipped: 1, rejected: 1 });
		expect(r.rejects).toEqual([{ line: 1, field: 'batch[1].properties', reason: `type: '"not an object"' is not a JSON object` }]);
		expect(await events()).toEqual([
			{
				event_id: 's1',
				user_id: 'u9',
				account_id: null,
				event: 'Screen Viewed',
				timestamp: '2024-05-01T10:00:00.000Z',
				page: null,
				properties: '{"tab":"billing","name":"Settings"}',
				anonymous: false
			}
		]);
	});
});
