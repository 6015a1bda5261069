import { sql, type RawBuilder } from 'kysely';
import { andIf, factSql, touched, type FactSource, type FactTable } from './fact.js';
import { keyEventsTable } from './key-events.js';

const step = (k: number) => sql.raw(`t${k}`);

/**
 * `derived_funnel`: accounts that did the funnel's first step, with `t1…tn`: when each step was first done
 * after the previous one and within the step's window (its `windowDays`, else the funnel's) from entry
 * (`t1`). Whether a missing step's window is still open depends on the end of the data, so the funnel
 * metric works that out per request.
 */
export const funnelTable: FactTable = {
	name: 'derived_funnel',
	signature: (c) => JSON.stringify(c.funnel),
	scope: 'accounts',
	touchedRows: touched.account(sql`account_id`),
	build: (c, built, only) => {
		const { steps, windowDays } = c.funnel;
		const windowOf = (i: number) => sql`to_microseconds(CAST(${steps[i].windowDays ?? windowDays} * 86400e6 AS BIGINT))`;
		// Each account's times of each step event, as sorted lists; step k is the first time after step k−1's.
		const lists = steps.map((s, i) => sql`list(timestamp ORDER BY timestamp) FILTER (WHERE event = ${s.event}) AS ${sql.raw(`e${i + 1}`)}`);
		const later = steps.slice(1).map(
			(_, j) => sql`, s${sql.raw(String(j + 2))} AS (
				SELECT *, list_min(list_filter(coalesce(${sql.raw(`e${j + 2}`)}, []), lambda x: x > ${step(j + 1)} AND x <= t1 + ${windowOf(j + 1)})) AS ${step(j + 2)}
				FROM s${sql.raw(String(j + 1))})`
		);
		return sql`
			WITH ev AS (
				SELECT account_id, ${sql.join(lists)} FROM (${factSql({ config: c, derived: built }, keyEventsTable)})
				WHERE event IN (${sql.join(steps.map((s) => s.event))}) AND account_id IS NOT NULL${andIf(only, touched.account(sql`account_id`))} GROUP BY account_id
			), s1 AS (
				SELECT *, list_min(e1) AS t1 FROM ev WHERE e1 IS NOT NULL
			)${sql.join(later, sql``)}
			SELECT account_id, ${sql.join(steps.map((_, i) => step(i + 1)))} FROM s${sql.raw(String(steps.length))}`;
	}
};

/** SQL of each entered account's funnel step times (see {@link funnelTable}), from the stored table while it is fresh. */
export function funnelStepsSql(src: FactSource): RawBuilder<unknown> {
	return factSql(src, funnelTable);
}
