import { lit } from '../ingest/sql.js';
import { CHURN, CSMS, FUNNEL, HISTORY_DAYS, PLANS, REGIONS, SEGMENTS, SOURCES } from './model.js';
import { choose, list } from './sql.js';

const ADJECTIVES = [
	'North',
	'Blue',
	'Bright',
	'Silver',
	'Quantum',
	'Summit',
	'Harbor',
	'Cedar',
	'Atlas',
	'Nimbus',
	'Vertex',
	'Maple',
	'Iron',
	'Lumen',
	'Orbit',
	'Pioneer'
];
const NOUNS = [
	'Analytics',
	'Labs',
	'Logistics',
	'Health',
	'Foods',
	'Systems',
	'Retail',
	'Capital',
	'Media',
	'Robotics',
	'Energy',
	'Travel',
	'Studios',
	'Networks',
	'Bank',
	'Works'
];
const FIRST = [
	'ana',
	'ben',
	'chloe',
	'dev',
	'emma',
	'felix',
	'grace',
	'hugo',
	'isla',
	'jon',
	'kai',
	'lena',
	'milo',
	'nora',
	'omar',
	'paula',
	'quinn',
	'rosa',
	'sam',
	'tara'
];
const LAST = [
	'smith',
	'garcia',
	'chen',
	'muller',
	'rossi',
	'kim',
	'novak',
	'silva',
	'haddad',
	'ito',
	'jones',
	'khan',
	'larsen',
	'moreau',
	'nagy',
	'obi'
];

/** Index into a list literal with a uniform draw. */
const pickFrom = (values: readonly string[], u: string) => `${list(values)}[1 + floor(${u} * ${values.length})::INTEGER]`;

/**
 * `g_accounts`: one row per account with its observable attributes, its latent drivers (standard normal:
 * engagement, friction, effort, search_failure, satisfaction), its planted funnel times and its churn.
 */
export function accountsSql(accounts: number, asOf: string): string[] {
	const planArm = choose(
		'u_plan',
		PLANS.map((p) => [p.plan, p.share])
	);
	const segmentArm = `CASE plan ${PLANS.map(
		(p) =>
			`WHEN '${p.plan}' THEN ${choose(
				'u_seg',
				Object.entries(SEGMENTS).map(([s, v]) => [s, v.byPlan[p.plan] + 1e-9])
			)}`
	).join(' ')} END`;
	const arrMedian = `CASE plan ${PLANS.map((p) => `WHEN '${p.plan}' THEN ${p.arrMedian}`).join(' ')} END`;
	const arrFactor = `CASE segment ${Object.entries(SEGMENTS)
		.map(([s, v]) => `WHEN '${s}' THEN ${v.arrFactor}`)
		.join(' ')} END`;
	const usersMedian = `CASE segment ${Object.entries(SEGMENTS)
		.map(([s, v]) => `WHEN '${s}' THEN ${v.usersMedian}`)
		.join(' ')} END`;
	const offset = `CASE region ${REGIONS.map((r) => `WHEN '${r.region}' THEN ${r.utcOffsetHours}`).join(' ')} END`;
	const csmArm = `CASE region ${REGIONS.map((r) => {
		const names = CSMS.filter((c) => c.region === r.region).map((c) => c.csm);
		return `WHEN '${r.region}' THEN ${pickFrom(names, 'u_csm')}`;
	}).join(' ')} END`;
	const manager = `CASE csm ${CSMS.map((c) => `WHEN ${lit(c.csm)} THEN ${lit(c.manager)}`).join(' ')} END`;
	const planEffect = `CASE plan ${Object.entries(CHURN.plan)
		.map(([p, e]) => `WHEN '${p}' THEN ${e}`)
		.join(' ')} END`;
	const asOfTs = `TIMESTAMP '${asOf} 00:00:00'`;
	return [
		`CREATE OR REPLACE TABLE g_accounts AS
		WITH b AS (
			SELECT i, printf('A%06d', i) AS account_id,
				rnd(i, 'plan') AS u_plan, rnd(i, 'segment') AS u_seg, rnd(i, 'region') AS u_region, rnd(i, 'csm') AS u_csm,
				rnorm(i, 'arr') AS z_arr, rnorm(i, 'users') AS z_users, rnd(i, 'created') AS u_created, rnd(i, 'created_h') AS u_hour,
				rnorm(i, 'engagement') AS engagement, rnorm(i, 'friction') AS friction, rnorm(i, 'effort') AS effort,
				rnorm(i, 'search_failure') AS search_failure, rnorm(i, 'satisfaction') AS satisfaction, rnorm(i, 'churn_noise') AS z_noise,
				rnd(i, 'invited') AS u_inv, rnorm(i, 'invite_t') AS z_inv, rnd(i, 'integrated') AS u_int, rnorm(i, 'ttfv') AS z_ttfv,
				rnd(i, 'workflow') AS u_wf, rnorm(i, 'workflow_t') AS z_wf, rnd(i, 'churn') AS u_churn, rnd(i, 'source') AS u_src,
				rnd(i, 'name1') AS u_n1, rnd(i, 'name2') AS u_n2
			FROM range(1, ${accounts + 1}) t(i)
		), p AS (
			SELECT *, ${planArm} AS plan, ${choose(
				'u_region',
				REGIONS.map((r) => [r.region, r.share])
			)} AS region FROM b
		), s AS (
			SELECT *, ${segmentArm} AS segment FROM p
		), a AS (
			SELECT *,
				${pickFrom(ADJECTIVES, 'u_n1')} || ' ' || ${pickFrom(NOUNS, 'u_n2')} AS name,
				round(${arrMedian} * ${arrFactor} * exp(0.5 * z_arr), -2) AS arr,
				${arrMedian} AS plan_arr_median,
				least(200, greatest(1, round(${usersMedian} * exp(0.7 * z_users))))::INTEGER AS n_users,
				${csmArm} AS csm,
				-- Signups grow over time: more recent days are likelier.
				date_trunc('day', ${asOfTs} - INTERVAL 1 DAY * floor(${HISTORY_DAYS} * (1 - sqrt(u_created)) + 1))
					+ INTERVAL 1 MINUTE * floor((8 + 9 * u_hour - (${offset})) * 60) AS created_at,
				${offset} AS utc_offset
			FROM s
		), f AS (
			SELECT *,
				u_inv < ${FUNNEL.invited} AS invited,
				created_at + INTERVAL 1 MINUTE * floor(1440 * exp(ln(${FUNNEL.inviteMedianDays}) + 0.9 * z_inv)) AS invite_at,
				u_int < ${FUNNEL.integrated} AS integrated,
				created_at + INTERVAL 1 MINUTE * floor(1440 * exp(ln(${FUNNEL.ttfvMedianDays}) + ${FUNNEL.ttfvSigma} * z_ttfv - 0.2 * engagement)) AS integrate_at,
				u_wf < ${FUNNEL.workflow} AS workflows,
				exp(ln(${FUNNEL.workflowMedianDays}) + 0.8 * z_wf) AS workflow_delay_days
			FROM a
		), h AS (
			SELECT *,
				integrated AND integrate_at <= created_at + INTERVAL 30 DAY AS first_value_30d,
				exp(ln(${CHURN.baseHazardPerYear})
					+ CASE WHEN integrated AND integrate_at <= created_at + INTERVAL 30 DAY THEN 0 ELSE ln(${CHURN.firstValueMissMultiplier}) END
					+ ${CHURN.friction} * friction + ${CHURN.effort} * effort + ${CHURN.searchFailure} * search_failure
					+ ${CHURN.satisfaction} * satisfaction + ${planEffect} + ${CHURN.logArr} * ln(arr / plan_arr_median)
					+ ${CHURN.noiseSigma} * z_noise) AS hazard
			FROM f
		)
		SELECT *,
			created_at + INTERVAL ${CHURN.graceDays} DAY + INTERVAL 1 MINUTE * floor(-ln(u_churn) / hazard * 365 * 1440) AS churn_at,
			${manager} AS csm_manager,
			region <> '${SOURCES.zendeskRegion}' AND u_src < ${SOURCES.segment} AS via_segment
		FROM h`,
		// Derived per-account facts every later step uses: when activity ends, first value, the funnel times.
		`CREATE OR REPLACE TABLE g_accounts AS
		SELECT *,
			CASE WHEN churn_at < ${asOfTs} THEN churn_at END AS churned_at,
			least(churn_at, ${asOfTs}) AS active_until,
			lower(replace(name, ' ', '')) || i || '.com' AS domain,
			CASE WHEN integrated AND integrate_at < least(churn_at, ${asOfTs}) THEN integrate_at END AS first_value_at,
			CASE WHEN integrated AND workflows THEN integrate_at + INTERVAL 1 MINUTE * floor(1440 * workflow_delay_days) END AS workflow_at,
			(created_at::DATE + INTERVAL 365 DAY * (1 + floor(date_diff('day', created_at, ${asOfTs}) / 365)))::DATE AS renewal_date
		FROM g_accounts`,
		`CREATE OR REPLACE TABLE g_users AS
		WITH u AS (
			SELECT a.i, a.account_id, a.created_at AS account_created, a.invited, a.invite_at, a.active_until, a.domain, a.via_segment, k,
				rnd2(a.i, k, 'user_t') AS u_t, rnd2(a.i, k, 'role') AS u_role, rnd2(a.i, k, 'first') AS u_f, rnd2(a.i, k, 'last') AS u_l
			FROM g_accounts a, LATERAL (SELECT unnest(range(1, a.n_users + 1)) AS k)
		)
		SELECT i, account_id, k, printf('U%06d-%03d', i, k) AS user_id,
			${pickFrom(FIRST, 'u_f')} AS first_name, ${pickFrom(LAST, 'u_l')} AS last_name,
			CASE WHEN k = 1 THEN 'admin' ELSE ${choose('u_role', [
				['member', 0.75],
				['admin', 0.1],
				['viewer', 0.15]
			])} END AS role,
			CASE WHEN k = 1 THEN account_created
			     WHEN k = 2 AND invited THEN invite_at + INTERVAL 2 HOUR
			     ELSE (CASE WHEN invited THEN invite_at ELSE account_created END) + INTERVAL 1 MINUTE * floor(u_t * 120 * 1440) END AS created_at,
			domain, via_segment, invited, active_until
		FROM u`,
		// Users who would have joined after the account churned (or after as-of) never existed.
		`DELETE FROM g_users WHERE created_at >= active_until`,
		`CREATE OR REPLACE TABLE g_users AS
		SELECT *, first_name || '.' || last_name || k || '@' || domain AS email FROM g_users`
	];
}

/**
 * `g_truth`: the generator's ground truth per account: churn by the end of the data and its planted
 * probability; churn in the 90 days after as-of − 90 days for accounts active at its start; the drivers.
 */
export function truthSql(asOf: string): string[] {
	const asOfTs = `TIMESTAMP '${asOf} 00:00:00'`;
	const start = `(${asOfTs} - INTERVAL 90 DAY)`;
	const exposure = (from: string) => `greatest(0, date_diff('minute', ${from}, ${asOfTs}) / 1440.0)`;
	return [
		`CREATE OR REPLACE TABLE g_truth AS
		SELECT account_id,
			churned_at IS NOT NULL AS churned,
			round(1 - exp(-hazard * ${exposure(`created_at + INTERVAL ${CHURN.graceDays} DAY`)} / 365), 6) AS churn_probability,
			CASE WHEN created_at < ${start} AND churn_at >= ${start} THEN churn_at < ${asOfTs} END AS churned_90d,
			CASE WHEN created_at < ${start} AND churn_at >= ${start}
				THEN round(1 - exp(-hazard * ${exposure(`greatest(${start}, created_at + INTERVAL ${CHURN.graceDays} DAY)`)} / 365), 6) END AS churn_probability_90d,
			round(hazard, 6) AS hazard_per_year,
			first_value_30d AS first_value_within_30d,
			round(engagement, 4) AS engagement, round(friction, 4) AS friction, round(effort, 4) AS effort,
			round(search_failure, 4) AS search_failure, round(satisfaction, 4) AS satisfaction
		FROM g_accounts`
	];
}
