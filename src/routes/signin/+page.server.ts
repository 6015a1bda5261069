import { fail, redirect } from '@sveltejs/kit';
import { SESSION_COOKIE, endSession } from '$lib/server/auth/sessions.js';
import { signInGate } from '$lib/server/auth/signin.js';
import { audit } from '$lib/server/auth/audit.js';
import { withDatabase } from '$lib/server/db/app.js';
import type { Actions, PageServerLoad } from './$types';

/** Where to go after signing in (the page that sent here): a path of this app only (never another site), else the overview. */
function nextPath(next: string | null): string {
	return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
}

const signIn = signInGate();

/** The sign-in page; someone already signed in (or the local visitor in local mode) goes straight on. */
export const load: PageServerLoad = ({ locals, url }) => {
	if (locals.principal) redirect(303, nextPath(url.searchParams.get('next')));
	return {};
};

export const actions: Actions = {
	/** Email and password in, a new session (and a new cookie) out; a failure says what to do, the same for any wrong pair. */
	signin: async ({ request, cookies, url, getClientAddress }) => {
		const form = await request.formData();
		// Whatever arrives is only compared: an overlong or odd email simply matches nobody.
		const email = String(form.get('email') ?? '').slice(0, 300);
		const password = String(form.get('password') ?? '');
		const r = await withDatabase((db) =>
			signIn(db, email, password, { address: getClientAddress(), userAgent: request.headers.get('user-agent') })
		);
		// The page re-rendered after a failure is at the action's URL: it keeps where to go next from here.
		if (!r.ok) return fail(r.status, { email, message: r.message, next: nextPath(String(form.get('next') ?? '')) });
		cookies.set(SESSION_COOKIE, r.token, {
			path: '/',
			httpOnly: true,
			sameSite: 'lax',
			secure: url.protocol === 'https:',
			expires: r.expires
		});
		redirect(303, nextPath(String(form.get('next') ?? '')));
	},
	/** Ends this browser's session and forgets the cookie. */
	signout: async ({ cookies, locals, getClientAddress }) => {
		const token = cookies.get(SESSION_COOKIE);
		if (token) {
			await withDatabase(async (db) => {
				await endSession(db, token);
				if (locals.principal?.kind === 'person') {
					const email = locals.principal.email;
					await audit(db.kysely, { actor: email, address: getClientAddress() }, { action: 'session.end', object: `person:${email}` });
				}
			});
		}
		cookies.delete(SESSION_COOKIE, { path: '/' });
		redirect(303, '/signin');
	}
};
