import { error } from '@sveltejs/kit';

/** Rejected rows per page on the page, and the API's default `limit`. */
export const PAGE_SIZE = 100;
/** The largest `limit` the API serves in one response. */
export const MAX_LIMIT = 1000;

/**
 * Reads an optional non-negative integer query parameter. A malformed value is a 400 rather than
 * silently ignored: a script asking for `?load=abc` should learn it asked for nothing sensible. Past
 * 2^53 − 1 a number is no longer exact (and an offset made from it overflows the database's integers),
 * so that is the bound when the caller sets none.
 */
export function intParam(url: URL, name: string, options: { min?: number; max?: number } = {}): number | undefined {
	const raw = url.searchParams.get(name);
	if (raw === null || raw === '') return undefined;
	const min = options.min ?? 0;
	const n = Number(raw);
	if (/^\d+$/.test(raw) && options.max === undefined && n > Number.MAX_SAFE_INTEGER) {
		error(400, `Query parameter '${name}' is too large: '${raw}' is past ${Number.MAX_SAFE_INTEGER}.`);
	}
	if (!/^\d+$/.test(raw) || n < min || (options.max !== undefined && n > options.max)) {
		const range = options.max !== undefined ? `from ${min} to ${options.max}` : `${min} or more`;
		error(400, `Query parameter '${name}' must be a whole number ${range}, not '${raw}'.`);
	}
	return n;
}

/** A form field's trimmed text, or undefined when it is missing or blank. */
export function formField(form: FormData, name: string): string | undefined {
	const v = String(form.get(name) ?? '').trim();
	return v === '' ? undefined : v;
}
