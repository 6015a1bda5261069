import { DIMENSIONS, type Dimension } from '$lib/server/metrics/engine.js';
import { BREAKDOWN_METRICS, DEFAULT_METRIC, DEFAULT_WEEKS, type ExploreSelection } from '$lib/server/metrics/explore.js';
import { parseFilters, type Filters } from '$lib/server/metrics/filters.js';
import { FILTER_KEYS, type FilterValues } from '../metrics/query.js';
import { cohortValues, type CohortValues } from './params.js';

/** A request's values (to show back), and either the selection or what is wrong, naming the parameter. */
export type ParsedCohorts =
	{ values: CohortValues; selection: ExploreSelection; error: null } | { values: CohortValues; selection: null; error: string };

/** The most weeks since signup a heatmap shows (two years). */
const MAX_WEEKS = 104;

/** Filter values checked by the metrics' own schema; `prefix` names the parameter in the message (`a.from`). */
function filters(values: FilterValues, prefix: string): { ok: true; filters: Filters } | { ok: false; error: string } {
	const parsed = parseFilters(values);
	if (parsed.ok) return parsed;
	const key = parsed.key as (typeof FILTER_KEYS)[number];
	const given = values[key] !== undefined ? ` (got '${values[key]}')` : '';
	return { ok: false, error: `Parameter '${prefix}${key}': ${parsed.message}${given}.` };
}

/** An account attribute to group by: the given one, or `fallback` when none is given. */
function dimension(
	name: string,
	raw: string | undefined,
	fallback: Dimension
): { ok: true; value: Dimension } | { ok: false; error: string } {
	if (raw === undefined) return { ok: true, value: fallback };
	return (DIMENSIONS as readonly string[]).includes(raw)
		? { ok: true, value: raw as Dimension }
		: { ok: false, error: `Parameter '${name}' must be one of ${DIMENSIONS.join(', ')}, not '${raw}'.` };
}

/**
 * Checks the page's parameters: the filters with the metrics' schema, each segment as the filters with its
 * own values on top (checked the same way), and the choices against what exists. A bad value is reported
 * by its parameter's name, for the page to show (not thrown: the person fixes it where they typed it) and
 * for the API to answer with a 400.
 */
export function parseCohortParams(url: URL): ParsedCohorts {
	const values = cohortValues(url);
	const fail = (error: string): ParsedCohorts => ({ values, selection: null, error });
	const base = filters(values.filters, '');
	if (!base.ok) return fail(base.error);

	const c = values.choices;
	let weeks = DEFAULT_WEEKS;
	if (c.weeks !== undefined) {
		weeks = /^\d+$/.test(c.weeks) ? Number(c.weeks) : NaN;
		if (!(weeks >= 1 && weeks <= MAX_WEEKS))
			return fail(`Parameter 'weeks' must be a whole number from 1 to ${MAX_WEEKS}, not '${c.weeks}'.`);
	}
	const funnelBy = dimension('funnel_by', c.funnel_by, 'cohort');
	if (!funnelBy.ok) return fail(funnelBy.error);
	const by = dimension('by', c.by, 'plan');
	if (!by.ok) return fail(by.error);
	const metric = c.metric ?? DEFAULT_METRIC;
	if (!BREAKDOWN_METRICS.some((m) => m.id === metric))
		return fail(`Parameter 'metric' must be a metric about accounts (${BREAKDOWN_METRICS.map((m) => m.id).join(', ')}), not '${metric}'.`);

	let compare: ExploreSelection['compare'] = null;
	if (Object.keys(values.a).length || Object.keys(values.b).length) {
		const a = filters({ ...values.filters, ...values.a }, 'a.');
		if (!a.ok) return fail(a.error);
		const b = filters({ ...values.filters, ...values.b }, 'b.');
		if (!b.ok) return fail(b.error);
		compare = { a: a.filters, b: b.filters };
	}
	return {
		values,
		selection: { filters: base.filters, weeks, funnelBy: funnelBy.value, metric, by: by.value, compare },
		error: null
	};
}
