import { error, json } from '@sveltejs/kit';
import { actOnAlert, AlertActionError, parseAlertAction } from '$lib/server/alerts/actions.js';
import { actorOf } from '$lib/server/auth/audit.js';
import { loadConfig } from '$lib/server/config/config.js';
import { AlertsRepository } from '$lib/server/db/repositories/alerts.repository.js';
import { readDatabase } from '../../../db.server.js';
import type { RequestHandler } from './$types';

function alertId(raw: string): number {
	if (!/^\d{1,15}$/.test(raw)) error(404, `There is no alert ${raw}.`);
	return Number(raw);
}

/** `GET /api/alerts/ID`: the alert with its history. */
export const GET: RequestHandler = async ({ params }) => {
	const id = alertId(params.id);
	const config = loadConfig();
	return json(
		await readDatabase(async (db) => {
			const repo = new AlertsRepository(db.kysely, new Date().toISOString(), config.sla.dueSoonHours);
			const alert = await repo.get(id);
			if (!alert) error(404, `There is no alert ${id}.`);
			return { ...alert, events: await repo.events(id) };
		})
	);
};

/**
 * `POST /api/alerts/ID` `{"action": "acknowledge"|"assign"|"snooze"|"resolve"|"note", …, "version": N}`:
 * the alert after the action. 400 names the bad field; 403 says whose alert it is; 409 (the alert changed
 * since version N, or someone acted at the same moment) answers `{message, alert}` with the alert as it is.
 */
export const POST: RequestHandler = async ({ params, request, locals, getClientAddress }) => {
	const id = alertId(params.id);
	let body: unknown;
	try {
		body = await request.json();
	} catch {
		error(400, 'The request body must be JSON: {"action": …, "version": N}.');
	}
	try {
		const action = parseAlertAction(body);
		return json(
			await readDatabase((db) => actOnAlert(db, loadConfig(), id, action, locals.principal!, actorOf(locals.principal, getClientAddress())))
		);
	} catch (err) {
		if (!(err instanceof AlertActionError)) throw err;
		if (err.status === 409) return json({ message: err.message, alert: err.current }, { status: 409 });
		error(err.status, err.message);
	}
};
