/**
 * Links inside the app. Every href goes through `resolve` (SvelteKit's base path, checked by the
 * `svelte/no-navigation-without-resolve` lint rule); this adds the query strings the filter pages build.
 */
import { resolve } from '$app/paths';
import type { Pathname, ResolvedPathname } from '$app/types';

/**
 * `resolve` for a path already known to be one of the app's (`Pathname`): TypeScript stops matching a union
 * argument against `resolve`'s per-route signatures past 25 routes, and these paths have no parameters to fill.
 */
const resolvePath = resolve as (path: string) => ResolvedPathname;

/** `path` with `query` ('' or '?a=b', as the filter helpers return it) appended, base path included. */
export function link(path: Pathname, query = ''): ResolvedPathname {
	return resolvePath(query ? `${path}?${query.replace(/^\?/, '')}` : path);
}

/** The page's own URL to link back to (reload): its pathname is resolved already, so only the query is added. */
export function currentUrl(url: URL & { pathname: ResolvedPathname }): ResolvedPathname {
	return `${url.pathname}${url.search}` as ResolvedPathname;
}

/** An account's page, linked from every account name. */
export function accountHref(id: string): ResolvedPathname {
	return resolve('/accounts/[id]', { id });
}
