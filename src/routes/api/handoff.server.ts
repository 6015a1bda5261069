import { error } from '@sveltejs/kit';
import type { z } from 'zod';
import { sameSecret } from '$lib/server/auth/secrets.js';
import { handoffToken } from '$lib/server/db/owner.js';

/**
 * The body of a request only the local CLI may make (until people sign in): it must carry the token of
 * the handoff file beside the database (readable by the file's owner only) and match `schema`.
 */
export async function handoffRequest<S extends z.ZodType>(request: Request, schema: S, what: string): Promise<z.infer<S>> {
	const token = handoffToken();
	if (!token) error(503, 'This process does not own a database: start it with adoption serve.');
	if (!sameSecret(request.headers.get('authorization') ?? '', `Bearer ${token}`))
		error(401, `A ${what} request needs the token of the handoff file beside the database.`);
	let body: unknown;
	try {
		body = await request.json();
	} catch {
		error(400, `The request body must be JSON: {"kind": …, "params": {…}}.`);
	}
	const parsed = schema.safeParse(body);
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		error(400, `${what[0].toUpperCase()}${what.slice(1)} request: ${issue.path.join('.') || 'body'} ${issue.message}.`);
	}
	return parsed.data;
}
