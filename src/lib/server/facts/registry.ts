import type { RawBuilder } from 'kysely';
import type { Config } from '../config/config.js';
import { accountDaysTable, accountWeeksTable } from './account-days.js';
import { automationTable, confusionTable } from './bursts.js';
import type { FactTable } from './fact.js';
import { firstValueTable } from './first-value.js';
import { funnelTable } from './funnel.js';
import { keyEventsTable } from './key-events.js';
import { milestoneLevelsTable } from './milestones.js';
import { sessionsTable } from './sessions.js';

/** Every stored fact table, in build order: a table comes after those it reads (first value and the funnel read the key events). */
export const FACTS: readonly FactTable[] = [
	sessionsTable,
	keyEventsTable,
	firstValueTable,
	funnelTable,
	milestoneLevelsTable,
	confusionTable,
	automationTable,
	accountDaysTable,
	accountWeeksTable
];

/** Each fact table with the SQL that builds it whole, in build order, each reading the tables built before it. */
export function factBuilds(config: Config): { table: FactTable; query: RawBuilder<unknown> }[] {
	const built = new Set<string>();
	return FACTS.map((table) => {
		const query = table.build(config, new Set(built));
		built.add(table.name);
		return { table, query };
	});
}
