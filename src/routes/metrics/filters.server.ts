import { parseFilters as parseFilterValues, type Filters } from '$lib/server/metrics/filters.js';
import { FILTER_LABELS, filterValues, type FilterKey, type FilterValues } from './query.js';

/** A request's filters: the raw values (to show back), and either the validated filters or what is wrong. */
export type ParsedFilters =
	{ values: FilterValues; filters: Filters; error: null } | { values: FilterValues; filters: null; error: string };

/**
 * Validates the page's filter parameters with the metrics' own schema. A bad value is not an error page:
 * the page shows the message next to the filter bar, so the person can fix the value where they typed it.
 * Unknown parameters are ignored (a page URL, unlike the API, may carry anything).
 */
export function parseFilters(url: URL): ParsedFilters {
	const values = filterValues(url);
	const parsed = parseFilterValues(values);
	if (parsed.ok) return { values, filters: parsed.filters, error: null };
	const key = parsed.key as FilterKey;
	const label = FILTER_LABELS[key] ?? key;
	const given = values[key] !== undefined ? ` (got '${values[key]}')` : '';
	return { values, filters: null, error: `${label}: ${parsed.message}${given}.` };
}
