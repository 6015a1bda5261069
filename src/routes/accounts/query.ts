/**
 * The worklist's query parameters and URLs, shared by the server load, the page and the API (nothing
 * server-only here: validation is in `$lib/server/scores/filters.ts`).
 */
import type { WorklistFilterKey } from '$lib/server/scores/filters.js';

/** Accounts per page of the worklist, and the API's default `limit`. */
export const WORKLIST_PAGE_SIZE = 50;

/** The raw filter values of a request (only those given, as typed). */
export type WorklistValues = Partial<Record<WorklistFilterKey, string>>;

/** How each filter is named on the page, in the order the chips and URLs list them. */
export const FILTER_LABELS: Record<WorklistFilterKey, string> = {
	q: 'Search',
	band: 'Risk band',
	csm: 'CSM',
	plan: 'Plan',
	segment: 'Segment',
	region: 'Region'
};

const KEYS = Object.keys(FILTER_LABELS) as WorklistFilterKey[];

/** `?band=high&csm=…` for the values (with `extra` parameters), or '' when there are none. */
export function worklistQuery(values: WorklistValues, extra: Record<string, string> = {}): string {
	const params = new URLSearchParams();
	for (const k of KEYS) if (values[k]) params.set(k, values[k]!);
	for (const [k, v] of Object.entries(extra)) params.set(k, v);
	const s = params.toString();
	return s ? `?${s}` : '';
}

/** The values without one filter (for a chip's remove link), or with it set to `value`. */
export function withFilter(values: WorklistValues, key: WorklistFilterKey, value?: string): WorklistValues {
	const { [key]: _, ...rest } = values;
	return value === undefined ? rest : { ...rest, [key]: value };
}
