import { fail } from '@sveltejs/kit';
import { actorOf } from '$lib/server/auth/audit.js';
import { PeopleError, ROLES, runPeople, type PeopleDocs, type PeopleRequest } from '$lib/server/auth/people.js';
import { readDatabase } from '../db.server.js';
import { formField } from '../params.js';
import type { Actions, PageServerLoad } from './$types';

/** The team (leaders only): everyone, with the forms to add a person, disable one, or give one a new password. */
export const load: PageServerLoad = ({ locals, getClientAddress }) =>
	readDatabase(async (db) => ({
		people: (await runPeople(db, { kind: 'list', params: {} }, actorOf(locals.principal, getClientAddress()))).people,
		roles: ROLES
	}));

/** Runs a request as the signed-in leader and answers the form with `then` of its document; a refusal comes back to the form with its message. */
async function act<R extends PeopleRequest, T>(locals: App.Locals, address: string, request: R, then: (doc: PeopleDocs[R['kind']]) => T) {
	try {
		return then(await readDatabase((db): Promise<PeopleDocs[R['kind']]> => runPeople(db, request, actorOf(locals.principal, address))));
	} catch (err) {
		if (err instanceof PeopleError) return fail(err.status === 404 ? 404 : 400, { kind: request.kind, message: err.message });
		throw err;
	}
}

export const actions: Actions = {
	/** Adds a person; their generated password is shown once. */
	add: async ({ request, locals, getClientAddress }) => {
		const form = await request.formData();
		const params = {
			email: formField(form, 'email') ?? '',
			role: formField(form, 'role') as never,
			name: formField(form, 'name'),
			csm: formField(form, 'csm')
		};
		return act(locals, getClientAddress(), { kind: 'add' as const, params }, (d) => ({
			kind: 'add',
			email: d.person.email,
			password: d.password
		}));
	},
	/** Stops a person signing in (their sessions end). */
	disable: async ({ request, locals, getClientAddress }) => {
		const email = formField(await request.formData(), 'email') ?? '';
		return act(locals, getClientAddress(), { kind: 'disable' as const, params: { email } }, () => ({ kind: 'disable', email }));
	},
	/** A new generated password, shown once (their sessions end). */
	reset: async ({ request, locals, getClientAddress }) => {
		const email = formField(await request.formData(), 'email') ?? '';
		return act(locals, getClientAddress(), { kind: 'reset' as const, params: { email } }, (d) => ({
			kind: 'reset',
			email,
			password: d.password
		}));
	}
};
