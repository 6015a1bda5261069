import { sql, type RawBuilder } from 'kysely';
import { firstValueSql } from '../facts/first-value.js';
import { formatInterval, formatNumber } from '../../components/kpi/units.js';
import { defineMetric, type MetricContext } from './metric.js';
import { rateDisplay, rateResult } from './rate.js';

/**
 * Accounts, dated by signup (`at` = `created_at`), with the days to their first first-value event (any of
 * `firstValueEvents`; null when not reached), whether it came within `firstValueDays`, and whether the
 * account signed up at least that long before the end of the data (only those can be judged on time).
 */
function firstValueFacts(ctx: MetricContext): RawBuilder<unknown> {
	const window = sql`to_microseconds(CAST(${ctx.config.windows.firstValueDays} * 86400e6 AS BIGINT))`;
	const end = ctx.range.end_of_data ?? '0001-01-01T00:00:00Z';
	return sql`
		SELECT a.created_at AS at, a.account_id,
			-- greatest() skips NULLs, so the CASE keeps accounts without first value out of the median.
			CASE WHEN fv.first_at IS NOT NULL THEN greatest(0, date_diff('second', a.created_at, fv.first_at) / 86400.0) END AS days,
			coalesce(fv.first_at <= a.created_at + ${window}, false) AS on_time,
			a.created_at + ${window} <= CAST(${end} AS TIMESTAMPTZ)::TIMESTAMP AS judged
		FROM accounts a LEFT JOIN (${firstValueSql(ctx)}) fv USING (account_id)`;
}

/**
 * TTFV median = the median, over accounts signing up in the range that reached first value, of the days
 * from the account's `created_at` to its first first-value event (default `Integration Connected` or
 * `Workflow Triggered`), in fractional days.
 */
export const ttfvMedianDays = defineMetric({
	id: 'ttfv_median_days',
	label: 'Time to first value (median days)',
	family: 'ttfv',
	formula: (c) =>
		`median over accounts that reached it of days from account created_at to its first first-value event (${c.firstValueEvents.join(' or ')})`,
	unit: 'days',
	direction: 'lower',
	facts: firstValueFacts,
	aggregate: () => sql`median(days) AS median, quantile_cont(days, 0.25) AS p25, quantile_cont(days, 0.75) AS p75,
		count(days) AS reached, count(*) AS accounts`,
	finish: (r) => ({ value: r.median, details: { accounts_reached: r.reached ?? 0, accounts: r.accounts ?? 0, p25: r.p25, p75: r.p75 } }),
	basis: (d) => {
		const of = `${formatNumber(d.accounts_reached)} of ${formatNumber(d.accounts)} accounts reached it`;
		return d.p25 !== null && d.p75 !== null ? `${of}; middle half ${formatInterval([d.p25, d.p75], 'days')}` : of;
	},
	n: (d) => d.accounts_reached
});

/**
 * TTFV within 30 days = of accounts signing up in the range at least `firstValueDays` (30) days before
 * the end of the data, the share whose first first-value event came within 30 days of `created_at`.
 */
export const ttfvWithin30d = defineMetric({
	id: 'ttfv_within_30d',
	label: 'First value within 30 days',
	family: 'ttfv',
	formula: (c) =>
		`accounts created ≥ ${c.windows.firstValueDays} days before the end of the data that reached first value within ${c.windows.firstValueDays} days ÷ those accounts`,
	unit: 'rate',
	direction: 'higher',
	facts: firstValueFacts,
	aggregate: () => sql`count(*) FILTER (WHERE judged) AS eligible, count(*) FILTER (WHERE judged AND on_time) AS hit`,
	finish: (r) => rateResult(r.hit, r.eligible),
	...rateDisplay('accounts')
});
