import { json } from '@sveltejs/kit';
import { isOwner, ownedDatabase } from '$lib/server/db/owner.js';
import { jobQueue } from '$lib/server/jobs/queue.js';
import { track } from '$lib/server/sources/segment/api.js';
import { startSegmentIngest, type SegmentIngest } from '$lib/server/sources/segment/ingest.js';
import type { Database } from '$lib/server/db/connection.js';
import { sourceByKeyHash } from '$lib/server/sources/segment/keys.js';
import type { RequestHandler } from './$types';

/** Browsers (analytics.js pointed here) post from the customer's own site: the write key, not the origin, is the authority. */
const CORS = {
	'access-control-allow-origin': '*',
	'access-control-allow-methods': 'POST, OPTIONS',
	'access-control-allow-headers': 'Authorization, Content-Type',
	'access-control-max-age': '86400'
};

/** `POST /v1/{track|page|screen|identify|group|alias|batch|import}`: Segment's tracking API (`sources/segment/api.ts`). */
export const POST: RequestHandler = async ({ params, request }) => {
	if (!isOwner()) {
		return json(
			{ success: false, message: 'the tracking API runs in the server that owns the database (adoption serve)' },
			{ status: 503, headers: CORS }
		);
	}
	let db: Database;
	let ingest: SegmentIngest;
	try {
		db = await ownedDatabase();
		ingest = await startSegmentIngest(db, await jobQueue(db));
	} catch (err) {
		const message = `the tracking API cannot take calls now: ${(err as Error).message.split('\n')[0]}`;
		return json({ success: false, message }, { status: 503, headers: CORS });
	}
	const answer = await track(params.call, request, {
		sourceByKeyHash: (hash) => sourceByKeyHash(db, hash),
		accept: (id, text, calls) => ingest.accept(id, text, calls)
	});
	const headers: Record<string, string> = { ...CORS };
	if (answer.close) headers.connection = 'close';
	if (answer.retryAfter) headers['retry-after'] = String(answer.retryAfter);
	return json(answer.body, { status: answer.status, headers });
};

export const OPTIONS: RequestHandler = () => new Response(null, { status: 204, headers: CORS });
