import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase, type Database } from '../../src/lib/server/db/connection.js';
import { CHURN, SUPPORT } from '../../src/lib/server/generate/model.js';

/**
 * The planted effects, measured back from the generated files (20,000 accounts, seed 42) with SQL that
 * shares nothing with the generator: what a user of the data would find.
 */
let db: Database;
beforeAll(async () => {
	const dir = inject('largeSample');
	db = await openDatabase(':memory:', { threads: 1, memoryLimit: '2GB' });
	await db.query(`CREATE VIEW f_accounts AS SELECT * FROM read_csv('${dir}/accounts.csv', all_varchar = true)`);
	await db.query(`CREATE VIEW f_events AS SELECT * FROM read_parquet('${dir}/events.parquet')`);
	await db.query(`CREATE VIEW f_tickets AS SELECT * FROM read_csv('${dir}/tickets.csv', all_varchar = true)`);
	await db.query(`CREATE VIEW f_surveys AS SELECT * FROM read_csv('${dir}/surveys.csv', all_varchar = true)`);
	await db.query(`CREATE VIEW f_searches AS SELECT * FROM read_csv('${dir}/kb_searches.csv', all_varchar = true)`);
	await db.query(`CREATE VIEW f_users AS SELECT * FROM read_csv('${dir}/users.csv', all_varchar = true)`);
	await db.query(`CREATE VIEW f_truth AS SELECT * FROM read_csv('${dir}/truth.csv')`);
});
afterAll(() => db?.close());

describe('planted effects in the sample data', () => {
	it('accounts without first value within 30 days churn about 3× as often (a ratio of rates)', async () => {
		const rows = await db.query<{ hit: boolean; n: number; rate: number }>(`
			WITH ends AS (SELECT max(timestamp) AS end_at FROM f_events),
			fv AS (SELECT account_id, min(timestamp) AS at FROM f_events WHERE event IN ('Integration Connected', 'Workflow Triggered') GROUP BY 1),
			a AS (
				SELECT a.account_id, a.churned_at IS NOT NULL AS churned,
					coalesce(fv.at <= a.created_at::TIMESTAMP + INTERVAL 30 DAY, false) AS hit
				FROM f_accounts a LEFT JOIN fv USING (account_id), ends
				WHERE a.created_at::TIMESTAMP <= ends.end_at - INTERVAL 30 DAY)
			SELECT hit, count(*) AS n, avg(churned::INTEGER) AS rate FROM a GROUP BY hit ORDER BY hit`);
		const [miss, hit] = rows;
		expect(miss.hit).toBe(false);
		expect(miss.n).toBeGreaterThan(2000);
		expect(hit.n).toBeGreaterThan(2000);
		const ratio = miss.rate / hit.rate;
		expect(ratio).toBeGreaterThan(2.5);
		expect(ratio).toBeLessThan(3.5);
		expect(CHURN.firstValueMissMultiplier).toBeGreaterThanOrEqual(ratio);
	});

	it('puts the activation cliff at Integration Connected', async () => {
		const [c] = await db.query<{ c1: number; c2: number; c3: number; c4: number }>(`
			WITH s AS (
				SELECT account_id,
					min(timestamp) FILTER (WHERE event = 'Account Created') AS t1,
					list(timestamp) FILTER (WHERE event = 'User Invited') AS inv,
					list(timestamp) FILTER (WHERE event = 'Integration Connected') AS intg,
					list(timestamp) FILTER (WHERE event = 'Workflow Triggered') AS wf
				FROM f_events GROUP BY 1),
			ordered AS (
				SELECT *, list_min(list_filter(inv, lambda x: x > t1 AND x <= t1 + INTERVAL 90 DAY)) AS t2 FROM s
				WHERE t1 <= (SELECT max(timestamp) FROM f_events) - INTERVAL 90 DAY),
			o3 AS (SELECT *, list_min(list_filter(intg, lambda x: x > t2 AND x <= t1 + INTERVAL 90 DAY)) AS t3 FROM ordered),
			o4 AS (SELECT *, list_min(list_filter(wf, lambda x: x > t3 AND x <= t1 + INTERVAL 90 DAY)) AS t4 FROM o3)
			SELECT count(t1) AS c1, count(t2) AS c2, count(t3) AS c3, count(t4) AS c4 FROM o4`);
		const drops = { 'User Invited': 1 - c.c2 / c.c1, 'Integration Connected': 1 - c.c3 / c.c2, 'Workflow Triggered': 1 - c.c4 / c.c3 };
		const cliff = Object.entries(drops).sort((a, b) => b[1] - a[1])[0];
		expect(cliff[0]).toBe('Integration Connected');
		expect(cliff[1]).toBeGreaterThan(0.3);
	});

	it('gives reopened tickets lower CSAT by the planted amount', async () => {
		const rows = await db.query<{ reopened: string; csat: number; n: number }>(`
			SELECT t.reopened, avg(s.score::DOUBLE) AS csat, count(*) AS n
			FROM f_surveys s JOIN f_tickets t USING (ticket_id) WHERE s.kind = 'csat' GROUP BY 1 ORDER BY 1`);
		const [no, yes] = rows;
		expect([no.reopened, yes.reopened]).toEqual(['false', 'true']);
		expect(yes.n).toBeGreaterThan(500);
		// Planted: −0.9 on the latent score; rounding to 1–5 keeps it within ±0.15.
		expect(yes.csat - no.csat).toBeGreaterThan(SUPPORT.csat.reopened - 0.15);
		expect(yes.csat - no.csat).toBeLessThan(SUPPORT.csat.reopened + 0.15);
	});

	it('has no events after an account churned', async () => {
		const [r] = await db.query<{ n: number; churned: number }>(`
			SELECT count(*) FILTER (WHERE e.timestamp >= a.churned_at::TIMESTAMP) AS n, count(DISTINCT a.account_id) AS churned
			FROM f_events e JOIN f_accounts a USING (account_id) WHERE a.churned_at IS NOT NULL`);
		expect(r.churned).toBeGreaterThan(1000);
		expect(r.n).toBe(0);
	});

	it('lands the self-service rates in their realistic ranges', async () => {
		const [s] = await db.query<{ success: number; zero: number }>(`
			SELECT avg((results::INTEGER > 0 AND clicked_article_id IS NOT NULL)::INTEGER) AS success,
			       avg((results::INTEGER = 0)::INTEGER) AS zero FROM f_searches`);
		expect(s.success).toBeGreaterThan(0.6);
		expect(s.success).toBeLessThan(0.8);
		expect(s.zero).toBeGreaterThan(0.08);
		expect(s.zero).toBeLessThan(0.15);
		// Deflection: self-service sessions (30-minute gaps) not followed by a ticket from the same user within 24 h;
		// over the users whose tickets are all in tickets.csv (not EMEA's Zendesk export, not Segment's accounts).
		const [d] = await db.query<{ sessions: number; deflection: number }>(`
			WITH csv_users AS (SELECT user_id FROM f_users JOIN f_accounts USING (account_id) WHERE region <> 'EMEA'),
			act AS (
				SELECT user_id, ts FROM (
					SELECT user_id, timestamp::TIMESTAMP AS ts FROM f_searches
					UNION ALL SELECT user_id, timestamp FROM f_events WHERE event IN ('Article Viewed', 'Bot Conversation Started'))
				WHERE user_id IN (SELECT user_id FROM csv_users)),
			g AS (SELECT *, CASE WHEN lag(ts) OVER (PARTITION BY user_id ORDER BY ts) > ts - INTERVAL 30 MINUTE THEN 0 ELSE 1 END AS starts FROM act),
			s AS (SELECT user_id, sum(starts) OVER (PARTITION BY user_id ORDER BY ts) AS sid, ts FROM g),
			sessions AS (SELECT user_id, max(ts) AS last_at FROM s GROUP BY user_id, sid)
			SELECT count(*) AS sessions, avg((NOT EXISTS (
				SELECT 1 FROM f_tickets t WHERE t.requester_id = sessions.user_id
				AND t.created_at::TIMESTAMP > sessions.last_at AND t.created_at::TIMESTAMP <= sessions.last_at + INTERVAL 24 HOUR))::INTEGER) AS deflection
			FROM sessions`);
		expect(d.sessions).toBeGreaterThan(10_000);
		expect(d.deflection).toBeGreaterThan(0.3);
		expect(d.deflection).toBeLessThan(0.5);
	});

	it('states churn probabilities that match the churn that happened', async () => {
		const [t] = await db.query<{ p: number; rate: number; p90: number; rate90: number }>(`
			SELECT avg(churn_probability) AS p, avg(churned::INTEGER) AS rate,
			       avg(churn_probability_90d) AS p90, avg(churned_90d::INTEGER) AS rate90 FROM f_truth`);
		expect(Math.abs(t.p - t.rate)).toBeLessThan(0.01);
		expect(Math.abs(t.p90 - t.rate90)).toBeLessThan(0.01);
	});
});
