import { error, json } from '@sveltejs/kit';
import { parseTimelineKinds, TIMELINE_PAGE_SIZE } from '$lib/server/accounts/account.js';
import { accountView, timelineCsv } from '$lib/server/accounts/view.js';
import { loadConfig } from '$lib/server/config/config.js';
import { readCached } from '../../../db.server.js';
import { intParam } from '../../../params.js';
import { csvResponse, formatFrom } from '../../metrics/query.js';
import type { RequestHandler } from './$types';

const ALLOWED = ['kind', 'offset', 'format'];

/**
 * `GET /api/accounts/ID?kind=event,ticket,search,survey&offset=`: what the account page shows (profile,
 * every scoring run, milestones, suggested steps, confusing pages, users) with 50 timeline rows from
 * `offset`, newest first. `format=csv`: the whole timeline of those kinds. An unknown account is a 404;
 * a bad parameter a 400 naming it.
 */
export const GET: RequestHandler = async ({ params, url }) => {
	const unknown = [...url.searchParams.keys()].find((k) => !ALLOWED.includes(k));
	if (unknown) error(400, `Unknown query parameter '${unknown}': use ${ALLOWED.join(', ')}.`);
	const parsed = parseTimelineKinds(url);
	if (parsed.kinds === null) error(400, `Query parameter 'kind': ${parsed.error}.`);
	const kinds = parsed.kinds;
	const offset = intParam(url, 'offset') ?? 0;
	const config = loadConfig();
	if (formatFrom(url) === 'csv') {
		const csv = await readCached(['account-timeline-csv', params.id, kinds, config], (db) => timelineCsv(db, config, params.id, kinds));
		if (csv === null) error(404, `There is no account '${params.id}'.`);
		return csvResponse(csv, `timeline-${params.id}`);
	}
	const view = await readCached(['account-page', params.id, kinds, offset, config], (db) =>
		accountView(db, config, params.id, { kinds, offset })
	);
	if (!view) error(404, `There is no account '${params.id}'.`);
	return json({ ...view, timeline: { ...view.timeline, offset, limit: TIMELINE_PAGE_SIZE } });
};
