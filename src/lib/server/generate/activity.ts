import { ACTIVITY, CHURN } from './model.js';
import { choose, list } from './sql.js';

/** Fixed holidays (month-day) when activity drops. */
const HOLIDAYS = ['01-01', '05-01', '07-04', '11-27', '12-24', '12-25', '12-26', '12-31'];

const PAGES: [string, number][] = [
	['/dashboard', 0.3],
	['/reports', 0.15],
	['/workflows', 0.12],
	['/integrations', 0.1],
	['/settings', 0.08],
	['/users', 0.07],
	['/settings/sso', 0.05],
	['/integrations/salesforce/config', 0.05],
	['/billing/invoices', 0.04],
	['/api-keys', 0.04]
];
const EVENTS: [string, number][] = [
	['Page Viewed', 0.45],
	['Feature Used', 0.2],
	['Record Created', 0.12],
	['Report Viewed', 0.1],
	['Dashboard Viewed', 0.08],
	['Export Downloaded', 0.05]
];
const INTEGRATIONS = ['salesforce', 'hubspot', 'zendesk', 'slack'];
const AUTOMATIONS = ['resend_invite', 'validate_credentials', 'rotate_api_key'];

/** The SQL factor of a day's activity: weekends and holidays are quieter. */
export function dayFactor(day: string): string {
	return `(CASE WHEN dayofweek(${day}) IN (0, 6) THEN ${ACTIVITY.weekendFactor} ELSE 1 END
		* CASE WHEN strftime(${day}, '%m-%d') IN (${HOLIDAYS.map((h) => `'${h}'`).join(', ')}) THEN ${ACTIVITY.holidayFactor} ELSE 1 END)`;
}

/**
 * A time on `day` in the account's business hours, in UTC, kept inside the account's active life
 * (`created_at`, `active_until`, `utc_offset` of the row, or of the relation `alias`).
 */
export function businessTime(day: string, u: string, alias = ''): string {
	const a = alias ? `${alias}.` : '';
	return `least(greatest(${day}::TIMESTAMP + INTERVAL 1 SECOND * floor((8 + 9.5 * ${u} - ${a}utc_offset) * 3600), ${a}created_at + INTERVAL 1 MINUTE), ${a}active_until - INTERVAL 1 MINUTE)`;
}

/**
 * `g_days`: one row per account and day of its active life with the day's activity factor. `g_events`:
 * every product event (milestones, activity, confusion bursts, automation runs); self-service events are
 * added by the self-service step.
 */
export function activitySql(): string[] {
	const fade = `CASE WHEN churned_at IS NULL THEN 1 ELSE greatest(0.15, least(1, date_diff('day', d.day, churned_at) / ${CHURN.usageFadeDays}.0)) END`;
	return [
		`CREATE OR REPLACE TABLE g_days AS
		SELECT a.i, a.account_id, a.created_at, a.active_until, a.utc_offset, a.n_users, a.workflow_at, a.via_segment,
			a.engagement, a.friction, d.day, date_diff('day', a.created_at::DATE, d.day) AS day_no,
			${dayFactor('d.day')} * ${fade} * CASE WHEN date_diff('day', a.created_at::DATE, d.day) < 14 THEN ${ACTIVITY.onboardingFactor} ELSE 1 END AS factor
		FROM g_accounts a, LATERAL (
			SELECT unnest(generate_series(a.created_at::DATE, (a.active_until - INTERVAL 1 MINUTE)::DATE, INTERVAL 1 DAY))::DATE AS day
		) d`,
		`CREATE OR REPLACE TABLE g_events AS
		WITH counts AS (
			SELECT *, rcount(${ACTIVITY.base} * pow(n_users, ${ACTIVITY.usersExponent}) * exp(0.4 * engagement) * factor, rnorm2(i, day_no, 'n_events')) AS n
			FROM g_days
		), ev AS (
			SELECT c.*, k,
				rnd3(i, day_no, k, 'event') AS u_ev, rnd3(i, day_no, k, 'page') AS u_page, rnd3(i, day_no, k, 'time') AS u_t,
				rnd3(i, day_no, k, 'user') AS u_user, rnd3(i, day_no, k, 'wf') AS u_wf, rnd3(i, day_no, k, 'burst') AS u_burst
			FROM counts c, LATERAL (SELECT unnest(range(c.n)) AS k)
			WHERE c.n > 0
		), named AS (
			SELECT *, CASE WHEN e = 'Feature Used' AND workflow_at IS NOT NULL AND day >= workflow_at::DATE AND u_wf < 0.4 THEN 'Workflow Triggered' ELSE e END AS event
			FROM (SELECT *, ${choose('u_ev', EVENTS)} AS e FROM ev)
		), placed AS (
			SELECT i, account_id, printf('e%06d-%04d-%03d', i, day_no, k) AS event_id,
				printf('U%06d-%03d', i, 1 + floor(u_user * n_users)::INTEGER) AS user_id, event,
				${businessTime('day', 'u_t')} AS ts,
				CASE WHEN event = 'Page Viewed' THEN ${choose('u_page', PAGES)}
				     WHEN event = 'Report Viewed' THEN '/reports' WHEN event = 'Dashboard Viewed' THEN '/dashboard'
				     WHEN event = 'Workflow Triggered' THEN '/workflows' END AS page,
				u_burst, friction
			FROM named
		)
		SELECT i, account_id, event_id, user_id, event, ts, page,
			CASE WHEN event = 'Feature Used' THEN json_object('feature', ${list(['filters', 'bulk_edit', 'templates', 'comments', 'search'])}[1 + (hash(event_id) % 5)::INTEGER])::VARCHAR
			     WHEN event = 'Record Created' THEN json_object('object', ${list(['contact', 'deal', 'task'])}[1 + (hash(event_id) % 3)::INTEGER])::VARCHAR
			     ELSE '{}' END AS properties
		FROM placed
		UNION ALL
		-- Confusion bursts: 2–4 more views of the same page within two minutes.
		SELECT i, account_id, event_id || '-r' || r, user_id, event, ts + INTERVAL 1 SECOND * (25 * r + 5), page, '{}'
		FROM placed, LATERAL (SELECT unnest(range(1, 2 + floor(3 * rnd(event_id, 'burst_n'))::INTEGER)) AS r)
		WHERE event = 'Page Viewed' AND page IN (${ACTIVITY.confusingPages.map((p) => `'${p}'`).join(', ')})
			AND u_burst < ${ACTIVITY.confusionBurstShare} * exp(0.5 * friction)`,
		// Milestones: the funnel, first value, levels 1–3, integrations going outdated.
		`INSERT INTO g_events
		WITH m AS (
			SELECT a.*, ${list(INTEGRATIONS)}[1 + floor(rnd(i, 'integration') * ${INTEGRATIONS.length})::INTEGER] AS integration FROM g_accounts a
		), raw AS (
			SELECT i, account_id, 'm' || i || '-created' AS event_id, printf('U%06d-%03d', i, 1) AS user_id, 'Account Created' AS event, created_at AS ts, '/signup' AS page, '{}' AS properties, active_until FROM m
			UNION ALL
			SELECT m.i, m.account_id, 'm' || m.i || '-invite-' || u.k, printf('U%06d-%03d', m.i, 1), 'User Invited', u.created_at - INTERVAL 2 HOUR, '/users',
				json_object('invitee', u.user_id)::VARCHAR, m.active_until
			FROM m JOIN g_users u ON u.i = m.i AND u.k > 1 WHERE m.invited
			UNION ALL
			SELECT i, account_id, 'm' || i || '-integration', printf('U%06d-%03d', i, 1), 'Integration Connected', integrate_at, '/integrations',
				json_object('integration', integration, 'version', 'v2')::VARCHAR, active_until FROM m WHERE integrated
			UNION ALL
			SELECT i, account_id, 'm' || i || '-workflow', printf('U%06d-%03d', i, 1), 'Workflow Triggered', workflow_at, '/workflows', '{}', active_until FROM m WHERE workflow_at IS NOT NULL
			UNION ALL
			SELECT i, account_id, 'm' || i || '-' || lower(replace(event, ' ', '-')), printf('U%06d-%03d', i, 1), event,
				integrate_at + INTERVAL 1 MINUTE * floor(1440 * exp(ln(delay) + 0.7 * rnorm(i, event))), page, '{}', active_until
			FROM m, (VALUES ('Dashboard Created', 0.7, 7, '/dashboard'), ('Report Shared', 0.5, 14, '/reports'),
			             ('API Key Created', 0.35, 30, '/api-keys'), ('SSO Configured', 0.25, 20, '/settings/sso'),
			             ('Automation Rule Created', 0.3, 40, '/workflows')) v(event, share, delay, page)
			WHERE integrated AND rnd(i, 'milestone:' || event) < share
			UNION ALL
			SELECT i, account_id, 'm' || i || '-outdated', printf('U%06d-%03d', i, 1), 'Integration Version Outdated',
				integrate_at + INTERVAL 1 DAY * (60 + floor(140 * rnd(i, 'outdated_t'))), '/integrations',
				json_object('integration', integration, 'version', 'v1', 'latest', 'v2')::VARCHAR, active_until
			FROM m WHERE integrated AND rnd(i, 'outdated') < ${ACTIVITY.outdatedIntegration}
		)
		SELECT i, account_id, event_id, user_id, event, ts, page, properties FROM raw WHERE ts < active_until`,
		// Self-service automations: occasional runs everywhere, repeated bursts for the accounts that misfire.
		`INSERT INTO g_events
		WITH d AS (
			SELECT g.*, rnd(i, 'repeat_automation') < ${ACTIVITY.repeatAutomation} AS misfires,
				${list(AUTOMATIONS)}[1 + floor(rnd(i, 'automation_kind') * ${AUTOMATIONS.length})::INTEGER] AS bad_automation
			FROM g_days g
		), runs AS (
			SELECT i, account_id, created_at, active_until, utc_offset, n_users, day, day_no, bad_automation AS automation, 'b' AS run,
				3 + floor(5 * rnd2(i, day_no, 'burst_size'))::INTEGER AS n
			FROM d WHERE misfires AND rnd2(i, day_no, 'burst_day') < 0.1
			UNION ALL
			SELECT i, account_id, created_at, active_until, utc_offset, n_users, day, day_no,
				${list(AUTOMATIONS)}[1 + floor(rnd2(i, day_no, 'kind') * ${AUTOMATIONS.length})::INTEGER], 'o', 1
			FROM d WHERE rnd2(i, day_no, 'automation') < 0.03 * factor
		)
		SELECT i, account_id, printf('a%06d-%04d-%s-%s%d', i, day_no, automation, run, k), printf('U%06d-%03d', i, 1 + floor(rnd(day_no, 'automation_user' || i) * n_users)::INTEGER),
			'Automation Run', ${businessTime('day', "rnd2(i, day_no, 'automation_t')")} + INTERVAL 4 MINUTE * k, '/automations',
			json_object('automation', automation, 'status', CASE WHEN n > 1 THEN 'failed' ELSE 'ok' END)::VARCHAR
		FROM runs, LATERAL (SELECT unnest(range(n)) AS k)`
	];
}
