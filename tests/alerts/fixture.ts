import { parseConfig } from '../../src/lib/server/config/config.js';
import type { Database } from '../../src/lib/server/db/connection.js';

/** The evaluation time of the fixture: Monday 1 June 2026, 12:00 UTC. */
export const AS_OF = '2026-06-01T12:00:00.000Z';

/** One milestone due 7 days after signup; the default calendar (UTC, Mon–Fri 09:00–17:00). */
export const config = parseConfig({
	milestones: [
		{ level: 1, name: 'Team invited', event: 'User Invited', kind: 'commitment', dueDays: 7 },
		{ level: 2, name: 'Integration connected', event: 'Integration Connected', kind: 'technical' }
	]
});

/**
 * A small world where each rule has accounts that fire it and near misses that do not (expected values in
 * `rules.test.ts`). Every account is invited and has first value unless its case needs otherwise, so each
 * rule's accounts fire only that rule. A later event (Z1, 1 July) keeps the end of the data past `AS_OF`.
 */
export async function loadAlertFixture(db: Database): Promise<void> {
	const accounts: [string, string, string | null, string | null, number | null, string | null][] = [
		// id, created, plan, churned, arr, csm
		['F1', '2026-04-15', 'pro', null, 20000, 'Dana'], // 47 days, no first value: fires first_value_miss
		['F2', '2026-05-05', 'pro', null, 20000, 'Dana'], // 27 days: still inside the window
		['F3', '2026-04-15', 'pro', null, 20000, 'Dana'], // reached first value late (20 May)
		['F4', '2026-01-01', 'pro', null, 20000, 'Dana'], // 151 days: past maxAgeDays
		['F5', '2026-04-15', 'pro', '2026-05-01', 20000, 'Dana'], // churned
		['O1', '2026-05-20', 'pro', null, 20000, 'Tom'], // invite due 27 May, 24 h overdue on 28 May: fires onboarding_stall
		['O2', '2026-05-24 13:00:00', 'pro', null, 20000, 'Tom'], // due 31 May 13:00, overdue at 1 June 13:00: not yet
		['O3', '2026-05-20', 'pro', null, 20000, 'Tom'], // invited on 30 May, late but reached
		['R1', '2026-01-10', 'pro', null, 20000, 'Eli'], // an automation 3× in 40 min on 30 May: fires repeat_automation
		['R2', '2026-01-10', 'pro', null, 20000, 'Eli'], // 3 runs over 3 hours
		['R3', '2026-01-10', 'pro', null, 20000, 'Eli'], // a burst 10 days ago
		['H1', '2026-01-10', 'enterprise', null, 90000, 'Mei'], // enterprise, sentiment −50: fires high_value_risk
		['H2', '2026-01-10', 'enterprise', null, 90000, 'Mei'], // enterprise, sentiment −30
		['H3', '2026-01-10', 'pro', null, 200000, 'Mei'], // top decile, ARR 200,000: fires
		['H4', '2026-01-10', 'pro', null, 50000, 'Mei'], // top decile, ARR 50,000
		['H5', '2026-01-10', 'pro', null, 500000, 'Mei'], // 85th percentile, ARR 500,000
		['P1', '2026-01-10', 'pro', null, 20000, null],
		['P2', '2026-01-10', 'pro', null, 20000, null],
		['P3', '2026-01-10', 'pro', null, 20000, null],
		['P4', '2026-01-10', 'pro', null, 20000, null],
		['Z1', '2026-01-10', 'pro', null, 20000, null]
	];
	const q = (v: string | number | null) => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : `'${v}'`);
	await db.query(
		`INSERT INTO accounts (account_id, created_at, plan, churned_at, arr, csm, renewal_date) VALUES ${accounts
			.map(([id, c, plan, ch, arr, csm]) => `(${q(id)}, ${q(c)}, ${q(plan)}, ${q(ch)}, ${q(arr)}, ${q(csm)}, DATE '2027-03-01')`)
			.join(', ')}`
	);
	// Everyone invited and with first value, except the cases below.
	const noInvite = new Set(['O1', 'O2']);
	const noValue = new Set(['F1', 'F2', 'F3', 'F4', 'F5']);
	const rows: string[] = [];
	for (const [id, c] of accounts) {
		const day = c.slice(0, 10);
		if (!noInvite.has(id) && id !== 'O3') rows.push(`('i-${id}', '${id}', 'User Invited', TIMESTAMP '${day}' + INTERVAL 1 DAY, NULL)`);
		if (!noValue.has(id)) rows.push(`('v-${id}', '${id}', 'Integration Connected', TIMESTAMP '${day}' + INTERVAL 2 DAY, NULL)`);
	}
	rows.push(`('i-O3', 'O3', 'User Invited', TIMESTAMP '2026-05-30 10:00:00', NULL)`);
	rows.push(`('v-F3', 'F3', 'Integration Connected', TIMESTAMP '2026-05-20 10:00:00', NULL)`);
	const run = (id: string, account: string, at: string) =>
		`('${id}', '${account}', 'Automation Run', TIMESTAMP '${at}', '{"automation":"validate_credentials"}')`;
	rows.push(run('r1a', 'R1', '2026-05-30 10:00:00'), run('r1b', 'R1', '2026-05-30 10:20:00'), run('r1c', 'R1', '2026-05-30 10:40:00'));
	rows.push(run('r2a', 'R2', '2026-05-30 10:00:00'), run('r2b', 'R2', '2026-05-30 11:30:00'), run('r2c', 'R2', '2026-05-30 13:00:00'));
	rows.push(run('r3a', 'R3', '2026-05-22 10:00:00'), run('r3b', 'R3', '2026-05-22 10:10:00'), run('r3c', 'R3', '2026-05-22 10:20:00'));
	rows.push(`('z1', 'Z1', 'Page Viewed', TIMESTAMP '2026-07-01 00:00:00', NULL)`);
	await db.query(`INSERT INTO events (event_id, account_id, event, timestamp, properties) VALUES ${rows.join(', ')}`);

	// SSO from 3 accounts within 7 days: a product gap. Billing from 3 accounts, but one 8 days ago: not.
	await db.query(`INSERT INTO tickets (ticket_id, account_id, requester_id, created_at, subject, tags, deleted) VALUES
		('t1', 'P1', 'u', '2026-05-27 09:00:00', 'SSO login loops', [], false),
		('t2', 'P2', 'u', '2026-05-29 09:00:00', 'Okta SAML error', [], false),
		('t3', 'P3', 'u', '2026-05-31 09:00:00', 'Cannot sign in', ['sso'], false),
		('t4', 'P3', 'u', '2026-05-31 10:00:00', 'SSO again', [], false),
		('t5', 'P1', 'u', '2026-05-24 09:00:00', 'Invoice wrong', [], false),
		('t6', 'P2', 'u', '2026-05-30 09:00:00', 'Billing question', [], false),
		('t7', 'P4', 'u', '2026-05-30 10:00:00', 'Refund please', [], false),
		('t8', 'P4', 'u', '2026-05-30 11:00:00', 'SSO deleted ticket', [], true)`);

	await insertScores(db, '2026-06-01', { H1: [-50, 0.5], H2: [-30, 0.5], H3: [0, 0.95], H4: [0, 0.95], H5: [0, 0.85] });
}

/** A scoring run as of `day`: per account [sentiment, risk percentile] (health 30 for those under 0 sentiment, else 70). */
export async function insertScores(db: Database, day: string, scores: Record<string, [number, number]>): Promise<void> {
	await db.query(
		`INSERT INTO account_scores (account_id, as_of, model, version, churn_probability, risk_percentile, risk_band, health, adoption, sentiment, drivers, scored_at)
		 VALUES ${Object.entries(scores)
				.map(
					([id, [sent, pct]]) =>
						`('${id}', TIMESTAMP '${day}', 'churn', 'v1', ${pct / 2}, ${pct}, 'high', ${sent < -40 ? 30 : 70}, 0.5, ${sent}, NULL, now())`
				)
				.join(', ')}`
	);
}
