import { DEFAULT_ORDER, type WorklistOrder } from '$lib/scores/order.js';
import { parseWorklistFilters, parseWorklistOrder, worklistFilterValues } from '$lib/server/scores/filters.js';
import { ScoresRepository } from '$lib/server/scores/repository.js';
import { loadConfig } from '$lib/server/config/config.js';
import { AlertsRepository } from '$lib/server/db/repositories/alerts.repository.js';
import { readCached, readDatabase } from '../db.server.js';
import { intParam } from '../params.js';
import { FILTER_LABELS, WORKLIST_PAGE_SIZE } from './query.js';
import type { PageServerLoad } from './$types';

/**
 * The at-risk worklist: the latest scoring run's accounts matching the filters, in the chosen order (by
 * default the expected ARR at risk, largest first), one page at a time, with where the bands start, with the summary strip's counts and the filter bar's choices. No run yet is an empty state
 * on the page; a bad filter value is a notice next to the filter bar (to fix it there), not an error page.
 * Each account on the page comes with its unresolved alerts (how many, the worst severity, the nearest SLA clock).
 */
export const load: PageServerLoad = async ({ url }) => {
	const values = worklistFilterValues(url);
	const page = intParam(url, 'page', { min: 1 }) ?? 1;
	const parsed = parseWorklistFilters(values);
	const ordered = parseWorklistOrder(url);
	const offset = (page - 1) * WORKLIST_PAGE_SIZE;
	const scored = await worklist(values, page, parsed, ordered, offset);
	// Alerts change without the data changing (people act, clocks run): read apart from the cached page.
	const now = new Date().toISOString();
	const accounts = scored.list?.rows.map((r) => r.account_id) ?? [];
	const alerts = await readDatabase((db) => new AlertsRepository(db.kysely, now, loadConfig().sla.dueSoonHours).openByAccount(accounts));
	return { ...scored, now, alerts: Object.fromEntries(alerts) };
};

function worklist(
	values: ReturnType<typeof worklistFilterValues>,
	page: number,
	parsed: ReturnType<typeof parseWorklistFilters>,
	ordered: ReturnType<typeof parseWorklistOrder>,
	offset: number
) {
	// A bad order falls back to the default for the links, next to its notice.
	const order: WorklistOrder = ordered.order ?? DEFAULT_ORDER;
	return readCached(['accounts-page', values, order, ordered.error, page], async (db) => {
		const scores = new ScoresRepository(db.kysely);
		const run = await scores.latestRun();
		const base = { values, order, page, pageSize: WORKLIST_PAGE_SIZE, offset, run };
		if (!run) return { ...base, options: null, thresholds: null, error: null, summary: null, list: null };
		const [options, thresholds] = await Promise.all([scores.options(run.as_of), scores.thresholds(run.as_of)]);
		const fail = (error: string) => ({ ...base, options, thresholds, error, summary: null, list: null });
		if (parsed.error) return fail(`${FILTER_LABELS[parsed.error.key]}: ${parsed.error.message} (got '${values[parsed.error.key]}').`);
		if (ordered.error) return fail(`Order (${ordered.error.key}): ${ordered.error.message}.`);
		const [summary, list] = await Promise.all([
			scores.summary(run.as_of, parsed.filters),
			scores.list(run.as_of, parsed.filters, { limit: WORKLIST_PAGE_SIZE, offset }, order)
		]);
		return { ...base, options, thresholds, error: null, summary, list };
	});
}
