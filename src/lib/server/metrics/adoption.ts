import { sql } from 'kysely';
import { inRange, inScope } from './filters.js';
import type { MetricDefinition } from './metric.js';
import { rate } from './rate.js';

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
	async compute(ctx) {
		const scope = (c: string) => sql`${sql.ref(c)} IS NOT NULL AND ${inScope(sql.ref(c), ctx.filters)}`;
		const { rows } = await sql<{ active: number; adopted: number }>`
			WITH portal AS (
				SELECT DISTINCT account_id FROM kb_searches WHERE ${scope('account_id')} AND ${inRange(sql.ref('timestamp'), ctx.range)}
				UNION SELECT DISTINCT account_id FROM events
					WHERE event IN (${sql.join(ctx.config.selfServiceEvents)}) AND ${scope('account_id')} AND ${inRange(sql.ref('timestamp'), ctx.range)}
				UNION SELECT DISTINCT account_id FROM tickets
					WHERE NOT coalesce(deleted, false) AND ${scope('account_id')} AND ${inRange(sql.ref('created_at'), ctx.range)}
			), active AS (
				SELECT account_id FROM portal
				UNION SELECT DISTINCT account_id FROM events WHERE ${scope('account_id')} AND ${inRange(sql.ref('timestamp'), ctx.range)}
			)
			SELECT (SELECT count(*) FROM active) AS active, (SELECT count(*) FROM portal) AS adopted`.execute(ctx.db);
		const r = rate(rows[0].adopted, rows[0].active);
		return { value: r.value, details: r };
	}
};
