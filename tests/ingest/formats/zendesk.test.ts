import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../../src/lib/server/db/connection.js';
import { loadFiles, type FileResult } from '../../../src/lib/server/ingest/load.js';

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/zendesk/${name}`, import.meta.url));

let db: Database;
beforeEach(async () => {
	db = await openDatabase(':memory:', { threads: 1 });
});
afterEach(() => db.close());

/** Loads files in one call and returns their results, failing the test when a file itself failed. */
async function load(...names: string[]): Promise<FileResult[]> {
	const results = await loadFiles(db, names.map(fixture));
	for (const r of results) expect(r.error).toBeUndefined();
	return results;
}

/** The product side and the Zendesk identity map, loaded before tickets. */
const BASE = ['accounts.csv', 'users.csv', 'organizations.json', 'zendesk-users.json'];

/** Loads the base files and then `name`, returning `name`'s result. */
async function loadAfterBase(name: string): Promise<FileResult> {
	const results = await load(...BASE, name);
	return results.find((r) => r.file === fixture(name))!;
}

const counts = (r: FileResult) => ({ accepted: r.accepted, updated: r.updated, skipped: r.skipped, rejected: r.rejected });

const TICKET_COLUMNS = `ticket_id, account_id, requester_id, created_at, updated_at, status, priority, channel, channel_raw, subject, tags,
	first_reply_at, solved_at, messages, reopened, deleted`;

async function tickets() {
	return db.query<Record<string, unknown>>(`SELECT ${TICKET_COLUMNS} FROM tickets ORDER BY ticket_id`);
}

async function ticket(id: string) {
	const rows = await db.query<Record<string, unknown>>(`SELECT ${TICKET_COLUMNS} FROM tickets WHERE ticket_id = $1`, [id]);
	return rows[0];
}

const noMetrics = { first_reply_at: null, solved_at: null, messages: null, reopened: null };

describe('Zendesk identity map', () => {
	it('loads Users and Organizations exports with exact 13-digit ids', async () => {
		const [, orgs, , users] = await load(...BASE);
		expect(orgs.table).toBe('zendesk_organizations');
		expect(counts(orgs)).toEqual({ accepted: 3, updated: 0, skipped: 0, rejected: 0 });
		expect(users.table).toBe('zendesk_users');
		expect(counts(users)).toEqual({ accepted: 3, updated: 0, skipped: 0, rejected: 0 });
		expect(await db.query('SELECT * FROM zendesk_organizations ORDER BY zendesk_organization_id')).toEqual([
			{ zendesk_organization_id: '3600000000001', name: 'Acme Inc', external_id: 'acc-1', domain_names: ['acme-support.com'] },
			{ zendesk_organization_id: '3600000000002', name: 'Beta', external_id: null, domain_names: ['beta.example', 'BETA.io'] },
			{ zendesk_organization_id: '3600000000003', name: 'Unknown Ltd', external_id: 'nope', domain_names: ['unknown.org'] }
		]);
		expect(await db.query('SELECT zendesk_user_id, email, role, external_id, organization_id FROM zendesk_users ORDER BY 1')).toEqual([
			{ zendesk_user_id: '9100000000001', email: 'Ann@Acme.com', role: 'end-user', external_id: null, organization_id: '3600000000001' },
			{ zendesk_user_id: '9100000000002', email: 'stranger@elsewhere.com', role: 'end-user', external_id: null, organization_id: null },
			{ zendesk_user_id: '9100000000003', email: 'agent@ourco.com', role: 'agent', external_id: 'staff-7', organization_id: null }
		]);
	});
});

describe('Zendesk tickets', () => {
	it('loads a list export: maps channels, resolves requesters and organizations, skips a deleted ticket, rejects an unknown organization', async () => {
		const r = await loadAfterBase('tickets-list.json');
		expect(r.format).toBe('zendesk');
		expect(r.table).toBe('tickets');
		// 1000000000005 is deleted and was never loaded: skipped.
		expect(counts(r)).toEqual({ accepted: 4, updated: 0, skipped: 1, rejected: 1 });
		// Inside a wrapper the line is the record's position: the 4th ticket.
		expect(r.rejects).toEqual([{ line: 4, field: 'account_id', reason: "reference: unknown account '3600000000003' (not in accounts)" }]);
		expect(await tickets()).toEqual([
			// Requester by email (case-insensitive), organization by external_id.
			{
				ticket_id: '1000000000001',
				account_id: 'acc-1',
				requester_id: 'u1',
				created_at: '2024-03-01T10:00:00.000Z',
				updated_at: '2024-03-02T10:00:00.000Z',
				status: 'open',
				priority: null,
				channel: 'web',
				channel_raw: 'web_form',
				subject: 'Cannot export',
				tags: ['billing', 'urgent'],
				...noMetrics,
				deleted: false
			},
			// Requester already a product user id; organization by domain (BETA.io = www.beta.io).
			{
				ticket_id: '1000000000002',
				account_id: 'acc-2',
				requester_id: 'u2',
				created_at: '2024-03-01T11:00:00.000Z',
				updated_at: '2024-03-03T09:30:00.000Z',
				status: 'pending',
				priority: 'high',
				channel: 'phone',
				channel_raw: 'voice',
				subject: 'Phone call',
				tags: [],
				...noMetrics,
				deleted: false
			},
			// A requester who is no product user keeps the Zendesk id; no organization, no account.
			{
				ticket_id: '1000000000003',
				account_id: null,
				requester_id: '9100000000002',
				created_at: '2024-03-02T08:00:00.000Z',
				updated_at: '2024-03-02T08:05:00.000Z',
				status: 'new',
				priority: null,
				channel: 'bot',
				channel_raw: 'answer_bot',
				subject: 'Bot question',
				tags: null,
				...noMetrics,
				deleted: false
			},
			// An organization id that is an account id is used as it is; an unlisted channel is other.
			{
				ticket_id: '1000000000006',
				account_id: 'acc-3',
				requester_id: '9100000000003',
				created_at: '2024-03-03T10:00:00.000Z',
				updated_at: '2024-03-03T12:00:00.000Z',
				status: 'solved',
				priority: 'normal',
				channel: 'other',
				channel_raw: 'twitter',
				subject: 'Tweet',
				tags: ['social'],
				...noMetrics,
				deleted: false
			}
		]);
	});

	it('turns good and bad satisfaction ratings into csat surveys (5 and 1), not offered ones', async () => {
		const r = await loadAfterBase('tickets-list.json');
		expect(r.derived).toEqual({ surveys: { accepted: 2, updated: 0, skipped: 2, rejected: 0 } });
		expect(await db.query('SELECT * FROM surveys ORDER BY response_id')).toEqual([
			{
				response_id: '5000000000001',
				account_id: 'acc-1',
				user_id: 'u1',
				ticket_id: '1000000000001',
				kind: 'csat',
				score: 5,
				context: 'agent',
				timestamp: '2024-03-02T10:00:00.000Z'
			},
			{
				response_id: '5000000000002',
				account_id: 'acc-2',
				user_id: 'u2',
				ticket_id: '1000000000002',
				kind: 'csat',
				score: 1,
				context: 'agent',
				timestamp: '2024-03-03T09:30:00.000Z'
			}
		]);
	});

	it('rejects a ticket whose organization cannot be resolved without the identity map', async () => {
		const [, , r] = await load('accounts.csv', 'users.csv', 'tickets-list.json');
		expect(counts(r)).toEqual({ accepted: 2, updated: 0, skipped: 1, rejected: 3 });
		expect(r.rejects).toEqual([
			{ line: 1, field: 'account_id', reason: "reference: unknown account '3600000000001' (not in accounts)" },
			{ line: 2, field: 'account_id', reason: "reference: unknown account '3600000000002' (not in accounts)" },
			{ line: 4, field: 'account_id', reason: "reference: unknown account '3600000000003' (not in accounts)" }
		]);
		// The ratings of rejected tickets are not loaded on their own.
		expect(r.derived).toEqual({ surveys: { accepted: 0, updated: 0, skipped: 2, rejected: 0 } });
		// Without zendesk_users the requester stays the Zendesk id.
		expect((await ticket('1000000000003')).requester_id).toBe('9100000000002');
	});

	it('changes nothing when the same export is loaded again', async () => {
		await loadAfterBase('tickets-list.json');
		const before = { tickets: await tickets(), surveys: await db.query('SELECT * FROM surveys ORDER BY 1') };
		const [again] = await load('tickets-list.json');
		expect(counts(again)).toEqual({ accepted: 0, updated: 0, skipped: 5, rejected: 1 });
		expect(again.derived).toEqual({ surveys: { accepted: 0, updated: 0, skipped: 4, rejected: 0 } });
		expect({ tickets: await tickets(), surveys: await db.query('SELECT * FROM surveys ORDER BY 1') }).toEqual(before);
	});

	it('applies an incremental export: a later version updates, a loaded ticket arriving deleted is marked deleted', async () => {
		await loadAfterBase('tickets-list.json');
		const [r] = await load('tickets-incremental.json');
		// New 1000000000007 (its earlier copy in the file skipped), 1000000000001 updated, 1000000000002 marked deleted.
		expect(counts(r)).toEqual({ accepted: 1, updated: 2, skipped: 1, rejected: 0 });
		// The same good rating on a later version keeps its timestamp.
		expect(r.derived).toEqual({ surveys: { accepted: 0, updated: 0, skipped: 1, rejected: 0 } });
		expect(await ticket('1000000000001')).toMatchObject({
			status: 'solved',
			priority: 'urgent',
			subject: 'Cannot export (fixed)',
			tags: ['billing'],
			updated_at: '2024-03-06T10:00:00.000Z'
		});
		// Deleted, every other column as it was (the export's null subject erases nothing).
		expect(await ticket('1000000000002')).toEqual({
			ticket_id: '1000000000002',
			account_id: 'acc-2',
			requester_id: 'u2',
			created_at: '2024-03-01T11:00:00.000Z',
			updated_at: '2024-03-06T11:00:00.000Z',
			status: 'pending',
			priority: 'high',
			channel: 'phone',
			channel_raw: 'voice',
			subject: 'Phone call',
			tags: [],
			...noMetrics,
			deleted: true
		});
		// The latest version of a ticket listed twice.
		expect(await ticket('1000000000007')).toMatchObject({
			status: 'open',
			subject: 'Chat v2',
			channel: 'chat',
			channel_raw: 'native_messaging',
			updated_at: '2024-03-05T09:00:00.000Z'
		});

		// Again: everything skipped; the older list export does not undelete or roll back.
		const [again] = await load('tickets-incremental.json');
		expect(counts(again)).toEqual({ accepted: 0, updated: 0, skipped: 4, rejected: 0 });
		const [older] = await load('tickets-list.json');
		expect(counts(older)).toEqual({ accepted: 0, updated: 0, skipped: 5, rejected: 1 });
		expect(await ticket('1000000000002')).toMatchObject({ deleted: true, status: 'pending' });
		expect(await ticket('1000000000001')).toMatchObject({ status: 'solved', subject: 'Cannot export (fixed)' });
	});

	it('loads incremental pages one per line, numbering records across pages, an empty last page included', async () => {
		const r = await loadAfterBase('tickets-pages.jsonl');
		expect(counts(r)).toEqual({ accepted: 2, updated: 0, skipped: 0, rejected: 1 });
		// The 3rd record of the file, the first of the second page.
		expect(r.rejects).toEqual([
			{ line: 3, field: 'status', reason: "value set: 'archived' is not one of new, open, pending, hold, solved, closed" }
		]);
		expect(await tickets()).toEqual([
			{
				ticket_id: '1000000000021',
				account_id: null,
				requester_id: 'u1',
				created_at: '2024-04-01T08:00:00.000Z',
				updated_at: '2024-04-01T08:00:00.000Z',
				status: 'open',
				priority: null,
				channel: 'email',
				channel_raw: 'email',
				subject: null,
				tags: null,
				...noMetrics,
				deleted: false
			},
			{
				ticket_id: '1000000000022',
				account_id: null,
				requester_id: 'u1',
				created_at: '2024-04-01T09:00:00.000Z',
				updated_at: '2024-04-01T09:00:00.000Z',
				status: 'hold',
				priority: null,
				channel: 'web',
				channel_raw: 'web_widget',
				subject: null,
				tags: null,
				...noMetrics,
				deleted: false
			}
		]);
	});

	it('loads one ticket per line with each bad line rejected at its line', async () => {
		const r = await loadAfterBase('tickets.jsonl');
		expect(counts(r)).toEqual({ accepted: 1, updated: 0, skipped: 0, rejected: 3 });
		expect(r.rejects).toEqual([
			{ line: 2, field: 'created_at', reason: "type: 'not a date' is not a valid ISO 8601 timestamp" },
			{ line: 3, field: null, reason: 'malformed: not valid JSON, or not a Zendesk ticket' },
			{ line: 4, field: 'status', reason: "value set: 'on fire' is not one of new, open, pending, hold, solved, closed" }
		]);
		expect(await ticket('1000000000008')).toMatchObject({
			account_id: 'acc-1',
			requester_id: 'u1',
			channel: 'api',
			channel_raw: 'api',
			tags: ['api']
		});
	});
});

describe('Zendesk ticket metrics', () => {
	it('fills reply time, solved time, reopens and messages of loaded tickets and rejects metrics of unknown tickets', async () => {
		await loadAfterBase('tickets-list.json');
		const [r] = await load('ticket-metrics.json');
		expect(r.table).toBe('ticket_metrics');
		expect(counts(r)).toEqual({ accepted: 0, updated: 2, skipped: 0, rejected: 1 });
		expect(r.rejects).toEqual([
			{ line: 3, field: 'ticket_id', reason: "reference: unknown ticket '1999999999999' (not in tickets; load the tickets first)" }
		]);
		// created_at 10:00 + 90 calendar minutes; replies 3 + the opening message.
		expect(await ticket('1000000000001')).toMatchObject({
			first_reply_at: '2024-03-01T11:30:00.000Z',
			solved_at: '2024-03-05T12:00:00.000Z',
			reopened: true,
			messages: 4
		});
		expect(await ticket('1000000000003')).toMatchObject({ first_reply_at: null, solved_at: null, reopened: false, messages: 1 });
		expect(await db.query(`SELECT count(*) AS n FROM tickets WHERE ticket_id = '1999999999999'`)).toEqual([{ n: 0 }]);

		// A later version of the ticket updates what the export supplies and keeps the metrics.
		const [inc] = await load('tickets-incremental.json');
		expect(inc.updated).toBe(2);
		expect(await ticket('1000000000001')).toMatchObject({
			subject: 'Cannot export (fixed)',
			status: 'solved',
			first_reply_at: '2024-03-01T11:30:00.000Z',
			solved_at: '2024-03-05T12:00:00.000Z',
			reopened: true,
			messages: 4
		});

		const [again] = await load('ticket-metrics.json');
		expect(counts(again)).toEqual({ accepted: 0, updated: 0, skipped: 2, rejected: 1 });
	});
});
