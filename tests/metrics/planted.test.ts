import { FACTS } from '../../src/lib/server/facts/registry.js';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseConfig } from '../../src/lib/server/config/config.js';
import { openDatabase, type Database } from '../../src/lib/server/db/connection.js';
import { metricContext } from '../../src/lib/server/metrics/context.js';
import { firstValueSql } from '../../src/lib/server/facts/first-value.js';
import { computeMetrics } from '../../src/lib/server/metrics/registry.js';

/** The sample data's planted effects (docs/sample-data.md), as the metrics report them on 20,000 loaded accounts. */
let db: Database;
const config = parseConfig({});
beforeAll(async () => {
	db = await openDatabase(inject('largeSampleDb'), { readOnly: true, threads: 1, memoryLimit: '2GB' });
});
afterAll(() => db?.close());

describe('planted effects through the metrics', () => {
	it('puts the self-service rates in their planted ranges and the cliff at the planted step', async () => {
		const m = await computeMetrics(db.kysely, config, {});
		expect(m.deflection_rate).toBeGreaterThan(0.3);
		expect(m.deflection_rate).toBeLessThan(0.5);
		expect(m.kb_search_success).toBeGreaterThan(0.6);
		expect(m.kb_search_success).toBeLessThan(0.8);
		expect(m.zero_result_rate).toBeGreaterThan(0.08);
		expect(m.zero_result_rate).toBeLessThan(0.15);
		expect(m.activation_cliff_step).toBe('Integration Connected');
		// Derived tables were built after the load, so every metric read them.
		expect((await metricContext(db.kysely, config, {})).derived?.size).toBe(FACTS.length);
	});

	it('shows accounts that missed first value within 30 days churning about 3× as often', async () => {
		const ctx = await metricContext(db.kysely, config, {});
		const { rows } = await sql<{ on_time: boolean; rate: number; n: number }>`
			SELECT coalesce(fv.first_at <= a.created_at + INTERVAL 30 DAY, false) AS on_time, avg((a.churned_at IS NOT NULL)::INTEGER) AS rate, count(*) AS n
			FROM accounts a LEFT JOIN (${firstValueSql(ctx)}) fv USING (account_id)
			WHERE a.created_at + INTERVAL 30 DAY <= CAST(${ctx.range.end_of_data} AS TIMESTAMPTZ)::TIMESTAMP
			GROUP BY 1 ORDER BY 1`.execute(db.kysely);
		const [miss, hit] = rows;
		expect(miss.on_time).toBe(false);
		expect(miss.rate / hit.rate).toBeGreaterThan(2.5);
		expect(miss.rate / hit.rate).toBeLessThan(3.5);
	});
});
