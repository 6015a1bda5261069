/**
 * Activation definitions as event conditions (`config.ts`): a count within a window of signup and a
 * filter on event properties, for first value and milestones; worked out by hand on a few accounts, the
 * same from the stored fact tables as computed on the fly, and validated with messages naming the key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { ConfigError, parseConfig } from '../../src/lib/server/config/config.js';
import type { Database } from '../../src/lib/server/db/connection.js';
import { freshDerived } from '../../src/lib/server/derive/derived.js';
import { refreshDerived } from '../../src/lib/server/derive/refresh.js';
import { firstValueSql } from '../../src/lib/server/facts/first-value.js';
import { milestoneLevelsSql } from '../../src/lib/server/facts/milestones.js';
import { memoryDb } from '../helpers.js';

const TWENTY_IN_30 = { event: 'Ticket Managed', count: 3, withinDays: 30 };
const LATEST_INTEGRATION = { event: 'Integration Connected', where: { version: 3, provider: 'zendesk' } };
const config = parseConfig({
	firstValueEvents: [TWENTY_IN_30],
	milestones: [
		{ level: 1, name: 'Latest integration', event: LATEST_INTEGRATION, kind: 'technical', revokedBy: 'Integration Version Outdated' },
		{ level: 2, name: 'Routing on', event: { event: 'Email Routed', where: { all: true }, withinDays: 7 }, kind: 'technical' }
	]
});

let db: Database;
beforeAll(async () => {
	db = await memoryDb();
	await db.query(`INSERT INTO accounts (account_id, created_at) VALUES
		('A', '2024-01-01'), ('B', '2024-01-01'), ('C', '2024-01-01'), ('D', '2024-01-01')`);
	const ev = (id: string, account: string, event: string, at: string, props: object | null = null) =>
		`('${id}', '${account}', '${event}', '${at}', ${props ? `'${JSON.stringify(props)}'` : 'NULL'})`;
	await db.query(
		`INSERT INTO events (event_id, account_id, event, timestamp, properties) VALUES ${[
			// A: its 3rd ticket on 20 Jan (day 19): first value then. Integration v3 on zendesk, routing on day 3.
			ev('a1', 'A', 'Ticket Managed', '2024-01-05'),
			ev('a2', 'A', 'Ticket Managed', '2024-01-10'),
			ev('a3', 'A', 'Ticket Managed', '2024-01-20'),
			ev('a4', 'A', 'Ticket Managed', '2024-01-25'),
			ev('a5', 'A', 'Integration Connected', '2024-01-02', { version: 2, provider: 'zendesk' }),
			ev('a6', 'A', 'Integration Connected', '2024-01-08', { version: '3.0', provider: 'zendesk' }),
			ev('a7', 'A', 'Email Routed', '2024-01-04', { all: true }),
			// B: 3 tickets, but the 3rd on day 40, past the window; v3 but on another provider; routing on day 9.
			ev('b1', 'B', 'Ticket Managed', '2024-01-02'),
			ev('b2', 'B', 'Ticket Managed', '2024-01-03'),
			ev('b3', 'B', 'Ticket Managed', '2024-02-10'),
			ev('b4', 'B', 'Integration Connected', '2024-01-03', { version: 3, provider: 'intercom' }),
			ev('b5', 'B', 'Email Routed', '2024-01-10', { all: true }),
			// C: 2 tickets only; v3 on zendesk, then outdated (lost); routing on day 2 but only some email.
			ev('c1', 'C', 'Ticket Managed', '2024-01-02'),
			ev('c2', 'C', 'Ticket Managed', '2024-01-03'),
			ev('c3', 'C', 'Integration Connected', '2024-01-04', { version: 3, provider: 'zendesk' }),
			ev('c4', 'C', 'Integration Version Outdated', '2024-01-20'),
			ev('c5', 'C', 'Email Routed', '2024-01-03', { all: false }),
			// D: three tickets at the same time: the 3rd by event id, still dated then.
			ev('d3', 'D', 'Ticket Managed', '2024-01-06'),
			ev('d1', 'D', 'Ticket Managed', '2024-01-06'),
			ev('d2', 'D', 'Ticket Managed', '2024-01-06')
		].join(', ')}`
	);
});
afterAll(() => db?.close());

async function firstValue(derived?: Set<string>) {
	const { rows } = await sql<{ account_id: string; first_at: string }>`
		SELECT account_id, first_at FROM (${firstValueSql({ config, derived })}) ORDER BY account_id`.execute(db.kysely);
	return rows.map((r) => [r.account_id, r.first_at.slice(0, 10)]);
}

async function levels(derived?: Set<string>) {
	const { rows } = await sql<{ account_id: string; level: number; held: number; lost: number }>`
		SELECT account_id, level, held, lost FROM (${milestoneLevelsSql({ config, derived }, null)}) ORDER BY account_id`.execute(db.kysely);
	return rows.map((r) => [r.account_id, r.level, r.held, r.lost]);
}

describe('event conditions', () => {
	it('name the condition in words wherever an event name goes', () => {
		expect(config.firstValueEvents).toEqual(['Ticket Managed ×3 within 30 days of signup']);
		expect(config.milestones.map((m) => m.event)).toEqual([
			'Integration Connected where version = 3, provider = zendesk',
			'Email Routed within 7 days of signup where all = true'
		]);
		expect(config.milestones[0].revokedBy).toBe('Integration Version Outdated');
	});

	it('reach first value at the count-th event inside the window, dated by it', async () => {
		// A: 3rd ticket on 20 Jan. B: 3rd ticket past day 30. C: only 2. D: 3 at once, on 6 Jan.
		expect(await firstValue()).toEqual([
			['A', '2024-01-20'],
			['D', '2024-01-06']
		]);
	});

	it('hold a milestone only for events whose properties match (a number as a number), until revoked', async () => {
		// A: v3.0 on zendesk (L1) and all email routed by day 3 (L2). B: the wrong provider, and routing on
		// day 9, past day 7. C: v3 lost to the outdated event, and not all email routed. D: nothing.
		expect(await levels()).toEqual([
			['A', 2, 2, 0],
			['B', 0, 0, 0],
			['C', 0, 0, 1],
			['D', 0, 0, 0]
		]);
	});

	it('give the same from the stored fact tables as computed on the fly', async () => {
		await refreshDerived(db, config, { all: true });
		const fresh = await freshDerived(db.kysely, config);
		expect(fresh.has('derived_key_events')).toBe(true);
		expect(await firstValue(fresh)).toEqual(await firstValue());
		expect(await levels(fresh)).toEqual(await levels());
		// Another count is another definition: the stored key events are no longer fresh for it.
		const other = parseConfig({ firstValueEvents: [{ ...TWENTY_IN_30, count: 2 }], milestones: config.milestones });
		expect((await freshDerived(db.kysely, other)).has('derived_key_events')).toBe(false);
	});

	it('are validated, the message naming the key', () => {
		const bad = (raw: unknown) => {
			try {
				parseConfig(raw, 'adoption.config.json');
			} catch (err) {
				if (err instanceof ConfigError) return err.message;
				throw err;
			}
			throw new Error('expected a ConfigError');
		};
		expect(bad({ firstValueEvents: [{ event: 'Ticket Managed', count: 0 }] })).toMatch(/^adoption\.config\.json: firstValueEvents\.0/);
		expect(bad({ firstValueEvents: [{ event: 'Ticket Managed', count: 2.5 }] })).toMatch(/firstValueEvents\.0/);
		expect(bad({ firstValueEvents: [{ event: 'Ticket Managed', withinDays: -1 }] })).toMatch(/firstValueEvents\.0/);
		expect(bad({ firstValueEvents: [{ event: 'Ticket Managed', where: {} }] })).toMatch(/firstValueEvents\.0/);
		expect(bad({ firstValueEvents: [{ event: 'Ticket Managed', within: 30 }] })).toMatch(/firstValueEvents\.0/);
		expect(bad({ firstValueEvents: [{ count: 3 }] })).toMatch(/firstValueEvents\.0/);
	});
});
