import { performRead } from '../lib/server/jobs/channel.js';
import { COHORT_VIEWS, type CohortView } from '../lib/server/jobs/reads.js';
import { parseFilters } from '../lib/server/metrics/filters.js';
import { CliError, type Output } from './output.js';

/** `adoption cohorts activation|retention|ttfv [--weeks N] [filters]`: signup-month cohort tables for analysts. */
export async function cohortsCommand(view: string, opts: { db: string; weeks?: string } & Record<string, string | undefined>, out: Output) {
	if (!(COHORT_VIEWS as readonly string[]).includes(view))
		throw new CliError(`unknown cohort view '${view}': use ${COHORT_VIEWS.join(', ')}`, 2);
	const weeks = opts.weeks === undefined ? 12 : Number(opts.weeks);
	if (!Number.isInteger(weeks) || weeks < 1 || weeks > 104)
		throw new CliError(`--weeks must be a whole number from 1 to 104, not '${opts.weeks}'`, 2);
	const { from, to, plan, segment, region, csm, asOf } = opts;
	const parsed = parseFilters({ from, to, plan, segment, region, csm, asOf });
	if (!parsed.ok) throw new CliError(`--${parsed.key.replace('asOf', 'as-of')}: ${parsed.message}`, 2);
	const doc = await performRead(opts.db, { kind: 'cohorts', params: { filters: parsed.filters, view: view as CohortView, weeks } });
	out.result(doc);
	if ('buckets' in doc) {
		out.info(['cohort  ', 'accounts', ...doc.buckets, 'not yet'].join(' | '));
		for (const c of doc.cohorts)
			out.info(
				[
					c.cohort.padEnd(8),
					String(c.accounts).padStart(8),
					...doc.buckets.map((b) => String(c.buckets[b]).padStart(b.length)),
					String(c.not_yet).padStart(7)
				].join(' | ')
			);
		return;
	}
	out.info(
		`${view === 'activation' ? 'Reached first value by' : 'Active in'} week n since signup (share of the cohort's accounts whose week n has ended)`
	);
	out.info(['cohort  ', 'accounts', ...Array.from({ length: weeks }, (_, w) => `w${w}`.padStart(4))].join(' '));
	for (const c of doc.cohorts) {
		out.info(
			[
				c.cohort.padEnd(8),
				String(c.accounts).padStart(8),
				...c.cells.map((x) => (x.value === null ? '   ·' : `${Math.round(x.value * 100)}%`.padStart(4)))
			].join(' ')
		);
	}
}
