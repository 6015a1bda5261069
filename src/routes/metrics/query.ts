/**
 * The metrics pages' filter parameters and URLs, shared by the server loads and the pages (nothing
 * server-only here: the validation is in `filters.server.ts`).
 */

import { FILTER_KEYS } from '$lib/components/filters.js';

/** The filters the metrics pages take, in the order the filter bar shows them. */
export { FILTER_KEYS };
export type FilterKey = (typeof FILTER_KEYS)[number];

/** The raw filter values of a request (only those given, as typed). */
export type FilterValues = Partial<Record<FilterKey, string>>;

/** The values the filter bar offers: each account attribute's distinct values, and the signup months. */
export type FilterOptions = Record<Exclude<FilterKey, 'from' | 'to'>, string[]>;

/** How each filter is named on the page. */
export const FILTER_LABELS: Record<FilterKey, string> = {
	from: 'From',
	to: 'To',
	plan: 'Plan',
	segment: 'Segment',
	region: 'Region',
	csm: 'CSM',
	cohort: 'Signup cohort'
};

/** The non-empty filter values of a URL. */
export function filterValues(url: URL): FilterValues {
	const values: FilterValues = {};
	for (const k of FILTER_KEYS) {
		const v = url.searchParams.get(k)?.trim();
		if (v) values[k] = v;
	}
	return values;
}

/** `?plan=pro&from=2024-01-01` for the values (with `extra` parameters), or '' when there are none. */
export function filterQuery(values: FilterValues, extra: Record<string, string> = {}): string {
	const params = new URLSearchParams();
	for (const k of FILTER_KEYS) if (values[k]) params.set(k, values[k]!);
	for (const [k, v] of Object.entries(extra)) params.set(k, v);
	const s = params.toString();
	return s ? `?${s}` : '';
}

/** The values without one filter (for a chip's remove link). */
export function without(values: FilterValues, key: FilterKey): FilterValues {
	const { [key]: _, ...rest } = values;
	return rest;
}
