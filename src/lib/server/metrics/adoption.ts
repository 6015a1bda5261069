import { sql } from 'kysely';
import { accountDaysTable, accountWeeksTable } from '../facts/account-days.js';
import { defineMetric, type MetricContext } from './metric.js';
import { rateDisplay, rateResult } from './rate.js';

/**
 * Whether the facts may put a whole week in one row: when nothing groups by time, or the trend is by the
 * same weeks the rollup has (UTC, from Monday). A day or month trend needs the days.
 */
function weeksAllowed(ctx: MetricContext): boolean {
	if (!ctx.group || !('trend' in ctx.group)) return true;
	return ctx.group.trend === 'week' && ctx.config.reporting.timeZone === 'UTC' && ctx.config.reporting.weekStart === 'monday';
}

const DAY = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/** The Monday on or before `ms` (a UTC midnight). */
const monday = (ms: number) => ms - ((new Date(ms).getUTCDay() + 6) % 7) * DAY;

/**
 * The range's whole weeks from `derived_account_weeks` (dated by their Monday) and its part weeks at either
 * end from `derived_account_days`: the same accounts per week and per range as the days alone, from a
 * fifth of the rows. The aggregate counts distinct accounts, so a week and its days never double count.
 * The bounds are worked out here as dates, so DuckDB skips the blocks of days outside them.
 */
function weeksAndDays(ctx: MetricContext) {
	const fromMs = ctx.range.from ? Date.parse(ctx.range.from) : null;
	// Days are whole: the range takes every day that starts before its end.
	const toDay = Math.ceil(Date.parse(ctx.range.to) / DAY) * DAY;
	const firstWhole = fromMs === null ? null : monday(fromMs) === fromMs ? fromMs : monday(fromMs) + 7 * DAY;
	const lastEnd = monday(toDay);
	const days = (a: number | null, b: number) =>
		sql`SELECT day::TIMESTAMP AS at, account_id, portal FROM derived_account_days WHERE ${a === null ? sql`true` : sql`day >= ${isoDay(a)}::DATE`} AND day < ${isoDay(b)}::DATE`;
	if (firstWhole !== null && firstWhole >= lastEnd) return days(fromMs, toDay);
	return sql`
		SELECT week::TIMESTAMP AS at, account_id, portal FROM derived_account_weeks
		WHERE ${firstWhole === null ? sql`true` : sql`week >= ${isoDay(firstWhole)}::DATE`} AND week < ${isoDay(lastEnd)}::DATE
		UNION ALL ${days(lastEnd, toDay)}
		${fromMs !== null && firstWhole !== null && firstWhole > fromMs ? sql`UNION ALL ${days(fromMs, firstWhole)}` : sql``}`;
}

/**
 * Portal adoption rate = accounts with at least one user with self-service activity (a search, or a
 * self-service event) or a ticket in the range ÷ accounts with any activity (event, search or ticket)
 * in the range.
 */
export const portalAdoptionRate = defineMetric({
	id: 'portal_adoption_rate',
	label: 'Portal adoption rate',
	family: 'adoption',
	formula: () => 'accounts with self-service activity or a ticket ÷ accounts with any activity (event, search or ticket)',
	unit: 'rate',
	direction: 'higher',
	facts: (ctx) =>
		ctx.derived?.has(accountDaysTable.name)
			? weeksAllowed(ctx) && ctx.derived.has(accountWeeksTable.name)
				? weeksAndDays(ctx)
				: sql`SELECT day::TIMESTAMP AS at, account_id, portal FROM derived_account_days`
			: sql`
		SELECT timestamp AS at, account_id, true AS portal FROM kb_searches WHERE account_id IS NOT NULL
		UNION ALL
		SELECT timestamp, account_id, event IN (${sql.join(ctx.config.selfServiceEvents)}) FROM events WHERE account_id IS NOT NULL
		UNION ALL
		SELECT created_at, account_id, true FROM tickets WHERE account_id IS NOT NULL AND NOT coalesce(deleted, false)`,
	aggregate: () => sql`count(DISTINCT account_id) AS active, count(DISTINCT account_id) FILTER (WHERE portal) AS adopted`,
	finish: (r) => rateResult(r.adopted, r.active),
	...rateDisplay('active accounts')
});
