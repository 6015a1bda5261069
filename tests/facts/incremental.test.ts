/**
 * Fact tables kept current by loads (`derive/incremental.ts`): for random sequences of small loads (new
 * rows, updated rows, late rows older than the stored ones, rows moving to another user or account,
 * tickets arriving deleted, files touching no fact), every fact table equals a full rebuild's, row for
 * row, and stays fresh without a rebuild.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/lib/server/config/config.js';
import type { Database } from '../../src/lib/server/db/connection.js';
import { freshDerived } from '../../src/lib/server/derive/derived.js';
import { refreshDerived } from '../../src/lib/server/derive/refresh.js';
import { FACTS } from '../../src/lib/server/facts/registry.js';
import { loadFiles } from '../../src/lib/server/ingest/load.js';
import { mulberry32, type Rand } from '../../src/lib/server/models/core/random.js';
import { memoryDb, tempDir } from '../helpers.js';

// With an event condition (the 2nd rotate-key automation within 45 days of signup: accounts sign up a month before the events), which numbers an account's events.
const config = parseConfig({
	firstValueEvents: ['Integration Connected', { event: 'Automation Run', where: { automation: 'rotate key' }, count: 2, withinDays: 45 }]
});
const dir = tempDir('adoption-incremental-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const ACCOUNTS = ['A1', 'A2', 'A3', 'A4', 'A5'];
const USERS = Array.from({ length: 10 }, (_, i) => `u${i + 1}`);
const EVENTS = [
	'Article Viewed',
	'Bot Conversation Started',
	'Bot Answer Flagged',
	'Page Viewed',
	'Page Viewed',
	'Page Viewed',
	'Automation Run',
	'Automation Run',
	'Account Created',
	'User Invited',
	'Integration Connected',
	'Integration Version Outdated',
	'Workflow Triggered',
	'Dashboard Created',
	'Report Shared',
	'Something Else'
];
const START = Date.parse('2024-03-01T00:00:00Z');
const DAY = 86_400_000;

const pick = <T>(rand: Rand, xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
const csvCell = (v: string | number | null) =>
	v === null ? '' : /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v);
/** A time in the 30 days from START, mostly seconds apart within a few hot minutes, so bursts and sessions form. */
const when = (rand: Rand) =>
	new Date(
		START + Math.floor(rand() * 30) * DAY + (rand() < 0.6 ? 10 * 3600e3 + Math.floor(rand() * 600) * 1000 : Math.floor(rand() * DAY))
	).toISOString();

function write(name: string, header: string[], rows: (string | number | null)[][]): string {
	const file = path.join(dir, name);
	fs.writeFileSync(file, [header.join(','), ...rows.map((r) => r.map(csvCell).join(','))].join('\n') + '\n');
	return file;
}

/** An event row: a user of an account (the user's account), or an anonymous bot event without an account. */
function eventRow(rand: Rand, id: string): (string | number | null)[] {
	const user = pick(rand, USERS);
	const event = pick(rand, EVENTS);
	const anonymous = event.startsWith('Bot') && rand() < 0.3;
	const account = anonymous ? null : rand() < 0.15 ? pick(rand, ACCOUNTS) : ACCOUNTS[USERS.indexOf(user) % ACCOUNTS.length];
	const page = event === 'Page Viewed' ? pick(rand, ['/settings/sso', '/billing', '/home']) : null;
	const props = event === 'Automation Run' ? JSON.stringify({ automation: pick(rand, ['resend invite', 'rotate key']) }) : null;
	return [id, anonymous ? null : user, account, event, when(rand), page, props];
}

const EVENT_COLS = ['event_id', 'user_id', 'account_id', 'event', 'timestamp', 'page', 'properties'];
const SEARCH_COLS = ['search_id', 'user_id', 'account_id', 'query', 'timestamp', 'results', 'clicked_article_id'];
const TICKET_COLS = ['ticket_id', 'account_id', 'requester_id', 'created_at', 'subject'];
const searchRow = (rand: Rand, id: string) => {
	const user = pick(rand, USERS);
	return [id, user, ACCOUNTS[USERS.indexOf(user) % ACCOUNTS.length], 'sso', when(rand), Math.floor(rand() * 3), null];
};
const ticketId = (n: number) => String(1_000_000_000_000 + n);
const ticketRow = (rand: Rand, n: number) => {
	const user = pick(rand, USERS);
	return [ticketId(n), ACCOUNTS[USERS.indexOf(user) % ACCOUNTS.length], user, when(rand), 'Help'];
};

/** Rows of every fact table that differ from what a full build gives now (0 when equal, duplicates counted). */
async function differences(db: Database): Promise<Record<string, number>> {
	const out: Record<string, number> = {};
	for (const table of FACTS) {
		const full = table.build(config).compile(db.kysely);
		const [{ n }] = await db.query<{ n: number }>(
			`WITH stored AS (SELECT * FROM ${table.name}), rebuilt AS (${full.sql})
			 SELECT count(*) AS n FROM ((SELECT * FROM stored EXCEPT ALL SELECT * FROM rebuilt) UNION ALL (SELECT * FROM rebuilt EXCEPT ALL SELECT * FROM stored))`,
			full.parameters as unknown[]
		);
		out[table.name] = n;
	}
	return out;
}

const none = Object.fromEntries(FACTS.map((f) => [f.name, 0]));

describe.each([1, 2, 3])('fact tables under random small loads (seed %i)', (seed) => {
	it('equal a full rebuild after every load, and stay fresh without one', async () => {
		const rand = mulberry32(seed);
		const db = await memoryDb();
		try {
			const accounts = write(
				`accounts-${seed}.csv`,
				['account_id', 'name', 'plan', 'created_at'],
				ACCOUNTS.map((a, i) => [a, `Account ${a}`, i % 2 ? 'pro' : 'starter', '2024-02-01T00:00:00Z'])
			);
			const users = write(
				`users-${seed}.csv`,
				['user_id', 'account_id', 'email'],
				USERS.map((u, i) => [u, ACCOUNTS[i % ACCOUNTS.length], `${u}@example.com`])
			);
			let nextEvent = 0;
			let nextSearch = 0;
			let nextTicket = 0;
			const base = [
				accounts,
				users,
				write(
					`events-${seed}.csv`,
					EVENT_COLS,
					Array.from({ length: 300 }, () => eventRow(rand, `e${nextEvent++}`))
				),
				write(
					`kb_searches-${seed}.csv`,
					SEARCH_COLS,
					Array.from({ length: 40 }, () => searchRow(rand, `s${nextSearch++}`))
				),
				write(
					`tickets-${seed}.csv`,
					TICKET_COLS,
					Array.from({ length: 30 }, () => ticketRow(rand, nextTicket++))
				)
			];
			expect((await loadFiles(db, base, { config })).every((r) => r.ok)).toBe(true);
			// First data in empty tables is rebuilt whole, once.
			await refreshDerived(db, config);
			expect(await differences(db)).toEqual(none);

			const kinds = ['events', 'events', 'events', 'kb_searches', 'tickets', 'deleted', 'accounts', 'surveys'] as const;
			for (let round = 0; round < 10; round++) {
				const kind = pick(rand, kinds);
				const name = `${kind}-${seed}-${round}`;
				let file: string;
				if (kind === 'events') {
					// New events (at any time: late ones too) and new versions of stored ones (moved in time, to
					// another user or account, or renamed).
					const rows = Array.from({ length: 1 + Math.floor(rand() * 6) }, () =>
						rand() < 0.5 && nextEvent > 0 ? eventRow(rand, `e${Math.floor(rand() * nextEvent)}`) : eventRow(rand, `e${nextEvent++}`)
					);
					file = write(`${name}.csv`, EVENT_COLS, [...new Map(rows.map((r) => [r[0], r])).values()]);
				} else if (kind === 'kb_searches') {
					const rows = Array.from({ length: 1 + Math.floor(rand() * 4) }, () =>
						searchRow(rand, rand() < 0.5 ? `s${Math.floor(rand() * nextSearch)}` : `s${nextSearch++}`)
					);
					file = write(`${name}.csv`, SEARCH_COLS, [...new Map(rows.map((r) => [r[0], r])).values()]);
				} else if (kind === 'tickets') {
					const rows = Array.from({ length: 1 + Math.floor(rand() * 3) }, () =>
						ticketRow(rand, rand() < 0.5 ? Math.floor(rand() * nextTicket) : nextTicket++)
					);
					file = write(`${name}.csv`, TICKET_COLS, [...new Map(rows.map((r) => [r[0], r])).values()]);
				} else if (kind === 'deleted') {
					// A Zendesk export in which a loaded ticket arrives deleted: it leaves sessions' next tickets and account-days.
					const [t] = await db.query<{ ticket_id: string; requester_id: string; account_id: string }>(
						`SELECT ticket_id, requester_id, account_id FROM tickets WHERE NOT coalesce(deleted, false) ORDER BY ticket_id LIMIT 1 OFFSET ${Math.floor(rand() * 5)}`
					);
					file = path.join(dir, `${name}.json`);
					const ticket = {
						id: Number(t.ticket_id),
						created_at: '2024-03-01T00:00:00Z',
						updated_at: '2024-04-30T00:00:00Z',
						status: 'deleted'
					};
					const doc = {
						tickets: [{ ...ticket, requester_id: t.requester_id, organization_id: t.account_id, tags: [], via: { channel: 'web' } }]
					};
					fs.writeFileSync(file, JSON.stringify({ ...doc, count: 1, end_of_stream: true, next_page: null, end_time: 1714435200 }));
				} else if (kind === 'accounts') {
					const id = `N${round}`;
					file = write(`${name}.csv`, ['account_id', 'name', 'created_at'], [[id, `New ${id}`, '2024-03-10T00:00:00Z']]);
				} else {
					file = write(
						`${name}.csv`,
						['response_id', 'account_id', 'kind', 'score', 'timestamp'],
						[[`r${round}`, pick(rand, ACCOUNTS), 'csat', 4, when(rand)]]
					);
				}
				const [result] = await loadFiles(db, [file], { config });
				expect(result.error ?? null, name).toBeNull();
				expect(
					result.facts.map((f) => f.name),
					name
				).toEqual(FACTS.map((f) => f.name));
				expect(await freshDerived(db.kysely, config), name).toEqual(new Set(FACTS.map((f) => f.name)));
				expect(await differences(db), name).toEqual(none);
			}
		} finally {
			db.close();
		}
	});
});

describe('fact tables a load cannot keep current', () => {
	it('stay stale after a table’s first data (loaded straight in) until rebuilt', async () => {
		const db = await memoryDb();
		try {
			const rand = mulberry32(9);
			const accounts = write('accounts-stale.csv', ['account_id', 'name', 'created_at'], [['A1', 'A', '2024-02-01T00:00:00Z']]);
			await loadFiles(db, [accounts], { config });
			await refreshDerived(db, config);
			const [events] = await loadFiles(db, [write('events-stale.csv', EVENT_COLS, [eventRow(rand, 'x1')])], { config });
			expect(events.facts).toEqual([]);
			expect(await freshDerived(db.kysely, config)).toEqual(new Set());
			expect((await refreshDerived(db, config)).map((t) => t.name)).toEqual(FACTS.map((f) => f.name));
		} finally {
			db.close();
		}
	});
});
