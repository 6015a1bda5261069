import { sql } from 'kysely';
import { accountDaysTable } from '../derive/derived.js';
import type { MetricDefinition } from './metric.js';
import { rateResult } from './rate.js';

/**
 * Portal adoption rate = accounts with at least one user with self-service activity (a search, or a
 * self-service event) or a ticket in the range ÷ accounts with any activity (event, search or ticket)
 * in the range.
 */
export const portalAdoptionRate: MetricDefinition = {
	id: 'portal_adoption_rate',
	label: 'Portal adoption rate',
	family: 'adoption',
	formula: 'accounts with self-service activity or a ticket ÷ accounts with any activity (event, search or ticket)',
	unit: 'rate',
	direction: 'higher',
	// Account-days when the derived table is fresh (days are whole in a range of whole days), else every row.
	facts: (ctx) =>
		ctx.derived?.has(accountDaysTable.name)
			? sql`SELECT day::TIMESTAMP AS at, account_id, portal FROM derived_account_days`
			: sql`
		SELECT timestamp AS at, account_id, true AS portal FROM kb_searches WHERE account_id IS NOT NULL
		UNION ALL
		SELECT timestamp, account_id, event IN (${sql.join(ctx.config.selfServiceEvents)}) FROM events WHERE account_id IS NOT NULL
		UNION ALL
		SELECT created_at, account_id, true FROM tickets WHERE account_id IS NOT NULL AND NOT coalesce(deleted, false)`,
	aggregate: () => sql`count(DISTINCT account_id) AS active, count(DISTINCT account_id) FILTER (WHERE portal) AS adopted`,
	finish: (r) => rateResult(r.adopted, r.active)
};
