import { sql, type RawBuilder } from 'kysely';
import { inRange, inScope } from './filters.js';
import type { MetricContext, MetricDefinition } from './metric.js';
import { rate } from './rate.js';

/**
 * SQL of the accounts signing up in the range with their first first-value event (any of
 * `firstValueEvents`): `account_id`, `created_at`, `first_value_at` (null when not reached).
 */
function firstValueSql(ctx: MetricContext): RawBuilder<unknown> {
	return sql`
		SELECT a.account_id, a.created_at, fv.at AS first_value_at
		FROM accounts a LEFT JOIN (
			SELECT account_id, min(timestamp) AS at FROM events
			WHERE event IN (${sql.join(ctx.config.firstValueEvents)}) AND account_id IS NOT NULL GROUP BY account_id
		) fv USING (account_id)
		WHERE ${inRange(sql.ref('a.created_at'), ctx.range)} AND ${inScope(sql.ref('a.account_id'), ctx.filters)}`;
}

/**
 * TTFV median = the median, over accounts signing up in the range that reached first value, of the days
 * from the account's `created_at` to its first first-value event (default `Integration Connected` or
 * `Workflow Triggered`), in fractional days.
 */
export const ttfvMedianDays: MetricDefinition = {
	id: 'ttfv_median_days',
	label: 'Time to first value (median days)',
	family: 'ttfv',
	formula: 'median over accounts that reached it of days from account created_at to its first first-value event',
	unit: 'days',
	direction: 'lower',
	async compute(ctx) {
		const { rows } = await sql<{ median: number | null; p25: number | null; p75: number | null; reached: number; accounts: number }>`
			WITH f AS (${firstValueSql(ctx)}),
			d AS (SELECT greatest(0, date_diff('second', created_at, first_value_at) / 86400.0) AS days FROM f WHERE first_value_at IS NOT NULL)
			SELECT median(days) AS median, quantile_cont(days, 0.25) AS p25, quantile_cont(days, 0.75) AS p75,
				(SELECT count(*) FROM d) AS reached, (SELECT count(*) FROM f) AS accounts FROM d`.execute(ctx.db);
		const r = rows[0];
		return { value: r.median, details: { accounts_reached: r.reached, accounts: r.accounts, p25: r.p25, p75: r.p75 } };
	}
};

/**
 * TTFV within 30 days = of accounts signing up in the range at least `firstValueDays` (30) days before
 * the end of the data, the share whose first first-value event came within 30 days of `created_at`.
 */
export const ttfvWithin30d: MetricDefinition = {
	id: 'ttfv_within_30d',
	label: 'First value within 30 days',
	family: 'ttfv',
	formula: 'accounts created ≥ 30 days before the end of the data that reached first value within 30 days ÷ those accounts',
	unit: 'rate',
	direction: 'higher',
	async compute(ctx) {
		const days = ctx.config.windows.firstValueDays;
		const end = ctx.range.end_of_data;
		if (!end) return { value: null, details: rate(0, 0) };
		const window = sql`to_microseconds(CAST(${days} * 86400e6 AS BIGINT))`;
		const { rows } = await sql<{ eligible: number; hit: number }>`
			WITH f AS (${firstValueSql(ctx)})
			SELECT count(*) AS eligible, count(*) FILTER (WHERE first_value_at <= created_at + ${window}) AS hit
			FROM f WHERE created_at + ${window} <= CAST(${end} AS TIMESTAMPTZ)::TIMESTAMP`.execute(ctx.db);
		const r = rate(rows[0].hit, rows[0].eligible);
		return { value: r.value, details: r };
	}
};
