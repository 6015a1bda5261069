import { fail } from '@sveltejs/kit';
import { actOnAlert, AlertActionError, parseAlertAction } from '$lib/server/alerts/actions.js';
import { actorOf } from '$lib/server/auth/audit.js';
import { loadConfig } from '$lib/server/config/config.js';
import { readDatabase } from '../db.server.js';

const SNOOZE_HOURS: Record<string, number> = { '1h': 1, '4h': 4, '1d': 24, '3d': 72, '7d': 168 };

/**
 * The alert pages' one form action: the form's fields made into an action (`POST /api/alerts/ID`'s
 * shape, a snooze given as a duration from now), done as the signed-in person. A refusal comes back to
 * the form with its message; a 409 also with the alert as it is now.
 */
export async function alertFormAction(request: Request, locals: App.Locals, address: string) {
	const form = await request.formData();
	const field = (k: string) => {
		const v = String(form.get(k) ?? '').trim();
		return v === '' ? undefined : v;
	};
	const id = Number(field('id'));
	const action = field('action');
	const raw: Record<string, unknown> = { action, version: Number(field('version')) };
	if (action === 'assign') raw.assignee = field('assignee') ?? null;
	if (action === 'snooze') {
		const hours = SNOOZE_HOURS[field('for') ?? ''];
		raw.until = hours ? new Date(Date.now() + hours * 3_600_000).toISOString() : field('until');
	}
	if (action === 'resolve') Object.assign(raw, { outcome: field('outcome'), ...(field('note') ? { note: field('note') } : {}) });
	if (action === 'note') raw.text = field('text') ?? '';
	try {
		const alert = await readDatabase((db) =>
			actOnAlert(db, loadConfig(), id, parseAlertAction(raw), locals.principal!, actorOf(locals.principal, address))
		);
		return { done: action, id: alert.id };
	} catch (err) {
		if (err instanceof AlertActionError) return fail(err.status, { id, message: err.message });
		throw err;
	}
}
