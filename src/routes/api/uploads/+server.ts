import { error, json } from '@sveltejs/kit';
import { isOwner } from '$lib/server/db/owner.js';
import { newBatch, uploadLimit } from '$lib/server/uploads/store.js';
import type { RequestHandler } from './$types';

/** `POST /api/uploads`: a new batch to upload files into (`PUT /api/uploads/<batch>/<name>`), then load together. */
export const POST: RequestHandler = async () => {
	if (!isOwner()) error(503, 'Uploads need the server to own the database: start the app with adoption serve.');
	return json({ batch: newBatch(), limit_bytes: uploadLimit() }, { status: 201 });
};
