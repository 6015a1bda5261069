import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/lib/server/config/config.js';
import type { Database } from '../../src/lib/server/db/connection.js';
import { freshDerived } from '../../src/lib/server/derive/derived.js';
import { FACTS } from '../../src/lib/server/facts/registry.js';
import { refreshDerived } from '../../src/lib/server/derive/refresh.js';
import { computeMetrics } from '../../src/lib/server/metrics/registry.js';
import { memoryDb } from '../helpers.js';
import { loadFixture } from './fixture.js';

let db: Database;
const config = parseConfig({});
beforeAll(async () => {
	db = await memoryDb();
	await loadFixture(db);
	// The fixture is inserted directly; a load row makes the data state the derived tables are tied to.
	await db.query(`INSERT INTO loads (file, table_name, started_at, outcome) VALUES ('fixture', 'events', now(), 'ok')`);
});
afterAll(() => db.close());

const values = (r: Record<string, unknown>) =>
	Object.fromEntries(Object.entries(r).filter(([k]) => !['timings_ms', 'range', 'filters'].includes(k)));

describe('derived tables', () => {
	it('give every metric exactly what computing from the raw data gives', async () => {
		const raw = await computeMetrics(db.kysely, config, {});
		const rawPro = await computeMetrics(db.kysely, config, { plan: 'pro', from: '2024-03-01' }, undefined, { trend: 'week' });
		// Portal adoption reads whole weeks from the weekly rollup and part weeks from the days: ranges that start
		// and end mid-week, span under a week, or start on a Monday must count the same accounts.
		const ranges = [
			{ from: '2024-03-01', to: '2024-03-27' },
			{ from: '2024-03-05', to: '2024-03-08' },
			{ from: '2024-03-04', to: '2024-03-31' },
			{ to: '2024-03-10' }
		];
		const rawRanges = await Promise.all(
			ranges.map((r) => computeMetrics(db.kysely, config, r, ['portal_adoption_rate'], { trend: 'week' }))
		);
		expect(await freshDerived(db.kysely, config)).toEqual(new Set());
		const timings = await refreshDerived(db, config);
		expect(timings.map((t) => t.name)).toEqual(FACTS.map((d) => d.name));
		expect(await freshDerived(db.kysely, config)).toEqual(new Set(FACTS.map((d) => d.name)));
		expect(values(await computeMetrics(db.kysely, config, {}))).toEqual(values(raw));
		expect(values(await computeMetrics(db.kysely, config, { plan: 'pro', from: '2024-03-01' }, undefined, { trend: 'week' }))).toEqual(
			values(rawPro)
		);
		for (const [k, r] of ranges.entries()) {
			expect(values(await computeMetrics(db.kysely, config, r, ['portal_adoption_rate'], { trend: 'week' }))).toEqual(values(rawRanges[k]));
		}
	});

	it('go stale when the config they were built from changes, or a newer load lands', async () => {
		await refreshDerived(db, config);
		const otherGap = parseConfig({ windows: { sessionGapMinutes: 60 } });
		const fresh = await freshDerived(db.kysely, otherGap);
		expect(fresh.has('derived_sessions')).toBe(false);
		expect(fresh.has('derived_key_events')).toBe(true);
		// With a 60-minute gap S1 and S2 (40 minutes apart) are one session: computed on the fly, not from the cache.
		expect((await computeMetrics(db.kysely, otherGap, {}, ['deflection_rate'])).details.deflection_rate).toMatchObject({ denominator: 4 });
		// A shorter funnel window makes only the funnel stale: it is rebuilt from the fresh key events, and gives
		// what the raw data gives under the same config.
		const shortWindow = parseConfig({ funnel: { windowDays: 3 } });
		const freshShort = await freshDerived(db.kysely, shortWindow);
		expect([freshShort.has('derived_funnel'), freshShort.has('derived_key_events')]).toEqual([false, true]);
		const viaKeyEvents = await computeMetrics(db.kysely, shortWindow, {}, ['activation_cliff_step']);
		await db.query(`INSERT INTO loads (file, table_name, started_at, outcome) VALUES ('later', 'events', now(), 'ok')`);
		expect(await freshDerived(db.kysely, shortWindow)).toEqual(new Set());
		const fromRaw = await computeMetrics(db.kysely, shortWindow, {}, ['activation_cliff_step']);
		expect(viaKeyEvents.details.activation_cliff_step).toEqual(fromRaw.details.activation_cliff_step);
		expect(fromRaw.details.activation_cliff_step).not.toEqual(
			(await computeMetrics(db.kysely, config, {}, ['activation_cliff_step'])).details.activation_cliff_step
		);
		expect(await freshDerived(db.kysely, config)).toEqual(new Set());
	});
});
