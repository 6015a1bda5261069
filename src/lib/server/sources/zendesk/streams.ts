/**
 * The Zendesk incremental exports a sync reads, in the order it reads them: organizations and users first,
 * as they fill the identity map that tickets resolve their organizations and requesters through, then
 * tickets. Each stream says how to ask for the page after a stored cursor and how to read a page: its
 * records, where the next page starts (the cursor to store) and whether the export is done for now.
 */
export type StreamName = 'organizations' | 'users' | 'tickets';

/** One page of an export, read. */
export interface Page {
	records: unknown[];
	/** Ticket metric sets sideloaded on a tickets page (`include=metric_sets`); empty for other streams. */
	metricSets: unknown[];
	/** Where the next page, or the next sync, starts; undefined while the export has given none. */
	cursor: string | undefined;
	/** `end_of_stream`: the page holds everything changed up to now. */
	done: boolean;
}

export interface Stream {
	name: StreamName;
	/** The request (path and query) for the page after `cursor`, or for the first page when there is none. */
	request(cursor: string | undefined, pageSize: number): string;
	/** Reads the answer to {@link request}; throws when it is not an export page or does not move on. */
	page(body: unknown, cursor: string | undefined): Page;
}

type Body = Record<string, unknown>;

/** The page's object and its list of `name` records; throws naming what is missing. */
function list(body: unknown, name: StreamName, path: string): { page: Body; records: unknown[] } {
	const page = body && typeof body === 'object' && !Array.isArray(body) ? (body as Body) : {};
	const records = page[name];
	if (!Array.isArray(records)) throw new Error(`Zendesk ${name}: GET ${path} answered without a "${name}" list`);
	return { page, records };
}

/**
 * A cursor-based export (`…/cursor.json`): the first page from `start_time=0`, then `cursor=after_cursor`.
 * The last page's `after_cursor` is where the next sync starts.
 */
function cursorBased(name: StreamName, path: string, include?: string): Stream {
	return {
		name,
		request(cursor, pageSize) {
			const from = cursor === undefined ? 'start_time=0' : `cursor=${encodeURIComponent(cursor)}`;
			return `${path}?${from}&per_page=${pageSize}${include ? `&include=${include}` : ''}`;
		},
		page(body, cursor) {
			const { page, records } = list(body, name, path);
			const after = typeof page.after_cursor === 'string' && page.after_cursor !== '' ? page.after_cursor : undefined;
			const done = page.end_of_stream === true;
			if (!done && (after === undefined || after === cursor)) {
				throw new Error(`Zendesk ${name}: GET ${path} answered end_of_stream false without a new after_cursor`);
			}
			const metricSets = include && Array.isArray(page[include]) ? (page[include] as unknown[]) : [];
			return { records, metricSets, cursor: after ?? cursor, done };
		}
	};
}

/**
 * A time-based export: pages from `start_time`, each giving the `end_time` the next starts at (inclusive,
 * so the last records of a page come again at the top of the next: the loader skips them as unchanged).
 */
function timeBased(name: StreamName, path: string): Stream {
	return {
		name,
		request(cursor) {
			return `${path}?start_time=${cursor ?? 0}`;
		},
		page(body, cursor) {
			const { page, records } = list(body, name, path);
			const end = typeof page.end_time === 'number' && Number.isFinite(page.end_time) ? String(Math.trunc(page.end_time)) : undefined;
			const done = page.end_of_stream === true;
			// More than a page of records changed in one second: asking again from the same time would loop.
			if (!done && (end === undefined || end === cursor)) {
				throw new Error(`Zendesk ${name}: GET ${path} did not move past start_time ${cursor ?? 0} (end_time ${end ?? 'missing'})`);
			}
			return { records, metricSets: [], cursor: end ?? cursor, done };
		}
	};
}

/**
 * The streams of a sync, in order. Tickets sideload their metric sets: Zendesk's Incremental Ticket Export
 * takes the Tickets sideloads but `last_audits`, and `metric_sets` is one of them, so reply times, solve
 * times, reopens and replies come with the tickets that changed instead of from the non-incremental
 * `/api/v2/ticket_metrics.json` list.
 */
export const STREAMS: readonly Stream[] = [
	timeBased('organizations', '/api/v2/incremental/organizations.json'),
	cursorBased('users', '/api/v2/incremental/users/cursor.json'),
	cursorBased('tickets', '/api/v2/incremental/tickets/cursor.json', 'metric_sets')
];
