import { sql, type RawBuilder } from 'kysely';
import { andIf, factSql, touched, type FactSource, type FactTable } from './fact.js';
import { keyEventsTable } from './key-events.js';

/** `derived_first_value`: each account's first first-value event (`account_id`, `first_at`), what TTFV is measured to. */
export const firstValueTable: FactTable = {
	name: 'derived_first_value',
	signature: (c) => JSON.stringify([...c.firstValueEvents].sort()),
	scope: 'accounts',
	touchedRows: touched.account(sql`account_id`),
	build: (
		c,
		built,
		only
	) => sql`SELECT account_id, min(timestamp) AS first_at FROM (${factSql({ config: c, derived: built }, keyEventsTable)})
		WHERE event IN (${sql.join(c.firstValueEvents)}) AND account_id IS NOT NULL${andIf(only, touched.account(sql`account_id`))} GROUP BY account_id`
};

/** SQL of each account's first first-value event (see {@link firstValueTable}), from the stored table while it is fresh. */
export function firstValueSql(src: FactSource): RawBuilder<unknown> {
	return factSql(src, firstValueTable);
}
