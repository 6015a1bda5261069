import { fail } from '@sveltejs/kit';
import { actorOf, audit } from '$lib/server/auth/audit.js';
import { isOwner } from '$lib/server/db/owner.js';
import { SourcesRepository } from '$lib/server/db/repositories/sources.repository.js';
import { jobQueue } from '$lib/server/jobs/queue.js';
import { findSource, listSources, runSources, SourceError, type SourcesDocs, type SourcesRequest } from '$lib/server/sources/registry.js';
import { sourcesStatus } from '$lib/server/sources/status.js';
import { readDatabase } from '../db.server.js';
import { formField } from '../params.js';
import type { Actions, PageServerLoad } from './$types';

const HOURS = 24;

/**
 * The live sources: each with its state, what it brought in and rejected, what waits in the spool, the last
 * error and the next run; rows in per hour over the last day; the forms to add, pause, resume, sync, rotate
 * and revoke (leaders).
 */
export const load: PageServerLoad = ({ url, locals }) =>
	readDatabase(async (db) => {
		const since = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - (HOURS - 1) * 3_600_000);
		const [sources, hourly] = await Promise.all([
			listSources(db).then((v) => sourcesStatus(v)),
			new SourcesRepository(db.kysely).hourly(since.toISOString())
		]);
		const hours = Array.from({ length: HOURS }, (_, i) => new Date(since.getTime() + i * 3_600_000).toISOString());
		const byKey = new Map(hourly.map((h) => [`${h.source_id}|${new Date(h.hour).toISOString()}`, h.rows]));
		return {
			sources,
			hours,
			series: sources
				.filter((s) => hourly.some((h) => h.source_id === s.id))
				.map((s) => ({ name: s.name, values: hours.map((h) => byKey.get(`${s.id}|${h}`) ?? 0) })),
			endpoint: `${url.origin}/v1/batch`,
			owner: isOwner(),
			canManage: locals.principal?.role === 'leader'
		};
	});

/** Runs a request as the signed-in leader; a refusal comes back to the form with its message. */
async function act<R extends SourcesRequest, T>(locals: App.Locals, address: string, request: R, then: (doc: SourcesDocs[R['kind']]) => T) {
	try {
		return then(await readDatabase((db): Promise<SourcesDocs[R['kind']]> => runSources(db, request, actorOf(locals.principal, address))));
	} catch (err) {
		if (err instanceof SourceError)
			return fail(err.status === 404 ? 404 : err.status === 409 ? 409 : 400, { kind: request.kind, message: err.message });
		throw err;
	}
}

const sourceOf = (form: FormData) => Number(formField(form, 'source') ?? NaN);

export const actions: Actions = {
	/** A Segment source: its write key is shown once. */
	add_segment: async ({ request, locals, getClientAddress }) => {
		const name = formField(await request.formData(), 'name') ?? '';
		return act(locals, getClientAddress(), { kind: 'add_segment' as const, params: { name } }, (d) => ({
			kind: 'add_segment',
			name: d.name,
			write_key: d.write_key
		}));
	},
	/** A Zendesk source: the token goes into the vault and is never shown again. */
	add_zendesk: async ({ request, locals, getClientAddress }) => {
		const form = await request.formData();
		const every = formField(form, 'every');
		const params = {
			name: formField(form, 'name'),
			subdomain: formField(form, 'subdomain') ?? '',
			email: formField(form, 'email') ?? '',
			url: formField(form, 'url'),
			token: String(form.get('token') ?? '').trim(),
			auth: form.get('oauth') ? ('oauth' as const) : ('token' as const),
			everyMinutes: every === undefined ? undefined : Number(every)
		};
		return act(locals, getClientAddress(), { kind: 'add_zendesk' as const, params }, (d) => ({ kind: 'add_zendesk', name: d.name }));
	},
	pause: async ({ request, locals, getClientAddress }) => {
		const source = sourceOf(await request.formData());
		return act(locals, getClientAddress(), { kind: 'pause' as const, params: { source } }, (d) => ({ kind: 'pause', name: d.source.name }));
	},
	resume: async ({ request, locals, getClientAddress }) => {
		const source = sourceOf(await request.formData());
		return act(locals, getClientAddress(), { kind: 'resume' as const, params: { source } }, (d) => ({
			kind: 'resume',
			name: d.source.name
		}));
	},
	revoke: async ({ request, locals, getClientAddress }) => {
		const source = sourceOf(await request.formData());
		return act(locals, getClientAddress(), { kind: 'revoke' as const, params: { source } }, (d) => ({
			kind: 'revoke',
			name: d.source.name
		}));
	},
	/** A new write key, shown once; the old one stops working at once. */
	rotate: async ({ request, locals, getClientAddress }) => {
		const source = sourceOf(await request.formData());
		return act(locals, getClientAddress(), { kind: 'rotate' as const, params: { source } }, (d) => ({
			kind: 'rotate',
			name: d.source.name,
			write_key: d.write_key
		}));
	},
	/** Syncs a Zendesk source now, as a job (the Jobs page follows it). */
	sync: async ({ request, locals, getClientAddress }) => {
		if (!isOwner())
			return fail(503, { kind: 'sync', message: 'Syncing needs the server to own the database: start the app with adoption serve.' });
		const id = sourceOf(await request.formData());
		try {
			return await readDatabase(async (db) => {
				const s = await findSource(db, id);
				if (s.kind !== 'zendesk') throw new SourceError(`source '${s.name}' is fed by its tracking API: there is nothing to sync`, 400);
				if (s.state !== 'active') throw new SourceError(`source '${s.name}' is ${s.state}: resume it first`, 409);
				const job = await (await jobQueue(db)).submit('sync', { kind: 'zendesk', source: id, trigger: 'page' });
				await audit(db.kysely, actorOf(locals.principal, getClientAddress()), {
					action: 'source.sync',
					object: `source:${id}`,
					after: { job: job.job_id }
				});
				return { kind: 'sync', name: s.name, job: job.job_id };
			});
		} catch (err) {
			if (err instanceof SourceError) return fail(err.status === 404 ? 404 : 400, { kind: 'sync', message: err.message });
			throw err;
		}
	}
};
