import { error, json } from '@sveltejs/kit';
import { isOwner } from '$lib/server/db/owner.js';
import { BadUpload, saveUpload, uploadLimit, UploadTooLarge } from '$lib/server/uploads/store.js';
import type { RequestHandler } from './$types';

/**
 * `PUT /api/uploads/<batch>/<name>` with the file as the body: streamed to disk. Past the size cap
 * (`ADOPTION_UPLOAD_LIMIT`) a 413, and no file is kept.
 */
export const PUT: RequestHandler = async ({ params, request }) => {
	if (!isOwner()) error(503, 'Uploads need the server to own the database: start the app with adoption serve.');
	const limit = uploadLimit();
	const declared = Number(request.headers.get('content-length') ?? NaN);
	if (declared > limit)
		error(413, `${params.name} is ${declared.toLocaleString('en-US')} bytes, over the upload limit of ${limit.toLocaleString('en-US')}.`);
	if (!request.body) error(400, `The request has no file in its body.`);
	try {
		return json(await saveUpload(params.batch, params.name, request.body, limit), { status: 201 });
	} catch (err) {
		if (err instanceof UploadTooLarge) error(413, err.message);
		if (err instanceof BadUpload) error(400, err.message);
		throw err;
	}
};
