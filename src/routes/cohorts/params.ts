/**
 * The cohorts page's URL: the global metric filters (as on /metrics), the page's own choices, and the two
 * segments to compare as `a.<filter>` and `b.<filter>` (`?a.plan=enterprise&b.plan=pro`), so every view is
 * a link to share. Shared by the server load, the CSV endpoint and the page (nothing server-only here).
 */
import { FILTER_KEYS, filterValues, type FilterValues } from '../metrics/query.js';

/** The page's own choices besides the filters. */
export const CHOICE_KEYS = ['weeks', 'funnel_by', 'metric', 'by'] as const;
export type ChoiceKey = (typeof CHOICE_KEYS)[number];

/** The two compared segments' parameter prefixes. */
export const SIDES = ['a', 'b'] as const;
export type Side = (typeof SIDES)[number];

/** The raw values of a request (only those given, as typed). */
export interface CohortValues {
	filters: FilterValues;
	choices: Partial<Record<ChoiceKey, string>>;
	a: FilterValues;
	b: FilterValues;
}

const trimmed = (url: URL, name: string) => url.searchParams.get(name)?.trim() || undefined;

/** The non-empty values of a URL. */
export function cohortValues(url: URL): CohortValues {
	const side = (s: Side): FilterValues => {
		const out: FilterValues = {};
		for (const k of FILTER_KEYS) {
			const v = trimmed(url, `${s}.${k}`);
			if (v) out[k] = v;
		}
		return out;
	};
	const choices: CohortValues['choices'] = {};
	for (const k of CHOICE_KEYS) {
		const v = trimmed(url, k);
		if (v) choices[k] = v;
	}
	return { filters: filterValues(url), choices, a: side('a'), b: side('b') };
}

/** Every parameter of the values as name–value pairs, in a stable order (filters, choices, then a., b.). */
export function cohortParams(v: CohortValues): [string, string][] {
	const out: [string, string][] = [];
	for (const k of FILTER_KEYS) if (v.filters[k]) out.push([k, v.filters[k]!]);
	for (const k of CHOICE_KEYS) if (v.choices[k]) out.push([k, v.choices[k]!]);
	for (const s of SIDES) for (const k of FILTER_KEYS) if (v[s][k]) out.push([`${s}.${k}`, v[s][k]!]);
	return out;
}

/** `?…` for the values (with `extra` parameters), or '' when there are none. */
export function cohortQuery(v: CohortValues, extra: Record<string, string> = {}): string {
	const params = new URLSearchParams(cohortParams(v));
	for (const [k, val] of Object.entries(extra)) params.set(k, val);
	const s = params.toString();
	return s ? `?${s}` : '';
}

/**
 * The parameters a form does not edit itself, to carry as hidden fields: each form on the page changes its
 * own part of the URL and keeps the rest. `owns` says which names the form has fields for.
 */
export function carried(v: CohortValues, owns: (name: string) => boolean): [string, string][] {
	return cohortParams(v).filter(([name]) => !owns(name));
}
