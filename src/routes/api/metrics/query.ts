import { error } from '@sveltejs/kit';
import { parseFilters, type Filters } from '$lib/server/metrics/filters.js';

const FILTER_PARAMS = ['from', 'to', 'plan', 'segment', 'region', 'csm', 'cohort', 'as_of'];

/**
 * The filters of a metrics request (`from`, `to`, `plan`, `segment`, `region`, `csm`, `cohort`, `as_of`),
 * validated: an unknown or malformed parameter is a 400 that names it, never a 500.
 */
export function filtersFrom(url: URL, extra: string[]): Filters {
	const allowed = [...FILTER_PARAMS, ...extra];
	const unknown = [...url.searchParams.keys()].find((k) => !allowed.includes(k));
	if (unknown) error(400, `Unknown query parameter '${unknown}': use ${allowed.join(', ')}.`);
	// An empty parameter (`?plan=`) counts as not given, as on the pages.
	const parsed = parseFilters(
		Object.fromEntries(FILTER_PARAMS.map((k) => [k === 'as_of' ? 'asOf' : k, url.searchParams.get(k) || undefined]))
	);
	if (!parsed.ok) error(400, `Query parameter '${parsed.key.replace('asOf', 'as_of')}': ${parsed.message}.`);
	return parsed.filters;
}

/** The `format` parameter: json (default) or csv. */
export function formatFrom<F extends string = 'json' | 'csv'>(url: URL, formats: readonly F[] = ['json', 'csv'] as unknown as F[]): F {
	const format = url.searchParams.get('format') ?? 'json';
	if (!(formats as readonly string[]).includes(format))
		error(400, `Query parameter 'format' must be ${formats.slice(0, -1).join(', ')} or ${formats.at(-1)}, not '${format}'.`);
	return format as F;
}

/** A Parquet download response. */
export function parquetResponse(body: Buffer, name: string): Response {
	return new Response(new Uint8Array(body), {
		headers: { 'content-type': 'application/vnd.apache.parquet', 'content-disposition': `attachment; filename="${name}.parquet"` }
	});
}

/** A CSV download response. */
export function csvResponse(body: string, name: string): Response {
	return new Response(body, {
		headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${name}.csv"` }
	});
}
