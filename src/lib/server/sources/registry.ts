/**
 * The live sources a team adds (`adoption sources …`, the Sources page): a Segment write key, or a Zendesk
 * account to sync. One request shape for the CLI (directly, or through the server that owns the file) and
 * the page, checked here, each change in the audit log in its own transaction. Write keys are shown once
 * and stored as their SHA-256; Zendesk tokens are sealed (`vault.ts`) and never leave the server.
 */
import { z } from 'zod';
import { audit, type Actor } from '../auth/audit.js';
import { newSecret, secretHash } from '../auth/secrets.js';
import type { Database } from '../db/connection.js';
import { SourcesRepository, type SourceRow, type SourceTotals } from '../db/repositories/sources.repository.js';
import { seal } from './vault.js';

export type SourceKind = 'segment' | 'zendesk';

/** What a Zendesk source is (`sources.settings`): where its API is, who signs in, and how often it is synced. */
export interface ZendeskSettings {
	subdomain: string;
	email: string;
	/** Replaces `https://<subdomain>.zendesk.com` (a proxy, or a test server). */
	url?: string;
	/** `token`: the email and an API token (Basic `email/token`); `oauth`: a bearer token. */
	auth: 'token' | 'oauth';
	everyMinutes?: number;
}

const name = z
	.string()
	.trim()
	.min(1, 'must not be empty')
	.max(80, 'must be at most 80 characters')
	.regex(/^[\p{L}\p{N}][\p{L}\p{N} ._-]*$/u, 'must be letters, digits, spaces, dots, dashes or underscores');
const ref = z.union([z.number().int().positive(), name]);
const zendesk = z
	.object({
		name: name.optional(),
		subdomain: z
			.string()
			.trim()
			.regex(/^[a-z0-9][a-z0-9-]{0,62}$/i, 'must be a Zendesk subdomain such as acme (of acme.zendesk.com)'),
		email: z
			.string()
			.trim()
			.pipe(z.email({ error: 'must be an email address' })),
		url: z
			.string()
			.trim()
			.refine((u) => /^https?:\/\/[^\s/]+/.test(u) && URL.canParse(u), 'must be an http(s) URL such as https://acme.zendesk.com')
			.optional(),
		token: z.string().trim().min(8, 'must be a Zendesk API token (or OAuth token) from stdin').max(500),
		auth: z.enum(['token', 'oauth']).default('token'),
		everyMinutes: z.number().min(1, 'must be at least 1 minute').max(1440, 'must be at most 1440 minutes (a day)').optional()
	})
	.strict();

/** A request about sources, as the CLI sends it (to the server, or to {@link runSources} directly) and the page makes it. */
export const sourcesRequestSchema = z.discriminatedUnion('kind', [
	z.object({ kind: z.literal('add_segment'), params: z.object({ name }).strict() }),
	z.object({ kind: z.literal('add_zendesk'), params: zendesk }),
	z.object({ kind: z.literal('list'), params: z.object({}).strict() }),
	z.object({ kind: z.literal('pause'), params: z.object({ source: ref }).strict() }),
	z.object({ kind: z.literal('resume'), params: z.object({ source: ref }).strict() }),
	z.object({ kind: z.literal('revoke'), params: z.object({ source: ref }).strict() }),
	z.object({ kind: z.literal('rotate'), params: z.object({ source: ref }).strict() }),
	z.object({
		kind: z.literal('token'),
		params: z.object({ source: ref, token: zendesk.shape.token }).strict()
	})
]);
export type SourcesRequest = z.infer<typeof sourcesRequestSchema>;

/** A source as the CLI, the API and the page show it: never a key or a token. */
export interface SourceView {
	id: number;
	kind: SourceKind;
	name: string;
	/** `failing`: active, and its latest run or load failed after its latest success. */
	state: 'active' | 'paused' | 'failing' | 'revoked';
	/** The write key's last four characters, for telling keys apart. */
	key_hint: string | null;
	/** Zendesk: subdomain, email, base URL, how often (never the token). */
	settings: Record<string, unknown>;
	received: number;
	last_received_at: string | null;
	last_run_at: string | null;
	last_success_at: string | null;
	next_run_at: string | null;
	last_error: string | null;
	last_error_at: string | null;
	rows_in: number;
	rejected: number;
	loads: number;
	last_load_id: number | null;
	created_at: string;
}

/** What each request answers. */
export interface SourcesDocs {
	add_segment: { id: number; kind: 'segment'; name: string; write_key: string };
	add_zendesk: { id: number; kind: 'zendesk'; name: string };
	list: { sources: SourceView[] };
	pause: { source: SourceView; changed: boolean };
	resume: { source: SourceView; changed: boolean };
	revoke: { source: SourceView; changed: boolean };
	rotate: { source: SourceView; write_key: string };
	token: { source: SourceView };
}

/** A request that cannot be done as asked: its HTTP status and a message naming the field. */
export class SourceError extends Error {
	constructor(
		message: string,
		readonly status: 400 | 404 | 409
	) {
		super(message);
	}
}

/** `request` checked; a SourceError naming the field when it is not valid. */
export function parseSourcesRequest<R extends SourcesRequest>(request: R): R {
	const parsed = sourcesRequestSchema.safeParse(request);
	if (parsed.success) return parsed.data as R;
	const issue = parsed.error.issues[0];
	throw new SourceError(`${String(issue.path.at(-1) ?? 'request')} ${issue.message}`, 400);
}

/** Whether a source is failing: its latest error came after its latest success. */
function failing(s: SourceRow): boolean {
	if (!s.last_error_at) return false;
	return !s.last_success_at || s.last_error_at > s.last_success_at;
}

/** A stored source as shown, with its loads' totals. */
export function sourceView(s: SourceRow, totals?: SourceTotals): SourceView {
	const settings = JSON.parse(s.settings) as Record<string, unknown>;
	return {
		id: Number(s.source_id),
		kind: s.kind,
		name: s.name,
		state: s.state === 'active' && failing(s) ? 'failing' : s.state,
		key_hint: s.key_hint ? `…${s.key_hint}` : null,
		settings,
		received: Number(s.received),
		last_received_at: s.last_received_at,
		last_run_at: s.last_run_at,
		last_success_at: s.last_success_at,
		next_run_at: s.next_run_at,
		last_error: failing(s) ? s.last_error : null,
		last_error_at: failing(s) ? s.last_error_at : null,
		rows_in: totals?.rows_in ?? 0,
		rejected: totals?.rejected ?? 0,
		loads: totals?.loads ?? 0,
		last_load_id: totals?.last_load_id === null || totals?.last_load_id === undefined ? null : Number(totals.last_load_id),
		created_at: s.created_at
	};
}

/** Every source (revoked ones too, when asked), as shown. */
export async function listSources(db: Database, options: { revoked?: boolean } = {}): Promise<SourceView[]> {
	const repo = new SourcesRepository(db.kysely);
	const [rows, totals] = await Promise.all([repo.list(options), repo.totals()]);
	const by = new Map(totals.map((t) => [Number(t.source_id), t]));
	return rows.map((r) => sourceView(r, by.get(Number(r.source_id))));
}

/** The source `ref` names (its id or name), or a 404 naming it. */
export async function findSource(db: Database, ref: number | string): Promise<SourceRow> {
	const repo = new SourcesRepository(db.kysely);
	const found = typeof ref === 'number' ? await repo.byId(ref) : await repo.byName(ref);
	if (!found) throw new SourceError(`there is no source ${typeof ref === 'number' ? ref : `'${ref}'`} (adoption sources list)`, 404);
	return found;
}

/** Something changed a source: the tracking API forgets what it knew of write keys. */
const listeners = new Set<() => void>();
export function onSourcesChanged(listener: () => void): () => void {
	listeners.add(listener);
	return () => listeners.delete(listener);
}

/** A new write key, and what is stored of it. */
function writeKey() {
	const key = newSecret('wk_');
	return { key, key_hash: secretHash(key), key_hint: key.slice(-4) };
}

/** Does `request` on the sources of `db` as `by`, returning its document; a SourceError when it cannot be done. */
export async function runSources<R extends SourcesRequest>(db: Database, request: R, by: Actor): Promise<SourcesDocs[R['kind']]> {
	const r = parseSourcesRequest(request) as SourcesRequest;
	type Doc = SourcesDocs[R['kind']];
	const view = async (id: number) => (await listSources(db, { revoked: true })).find((s) => s.id === id)!;
	const changed = async (action: string, id: number, change: (repo: SourcesRepository) => Promise<void>, before?: SourceView) => {
		await db.kysely.transaction().execute(async (trx) => {
			await change(new SourcesRepository(trx));
			await audit(trx, by, { action: `source.${action}`, object: `source:${id}`, before, after: await viewIn(trx, id) });
		});
		for (const l of listeners) l();
	};
	switch (r.kind) {
		case 'list':
			return { sources: await listSources(db) } as Doc;
		case 'add_segment': {
			const k = writeKey();
			const id = await added(db, r.params.name, by, (repo) =>
				repo.insert({ kind: 'segment', name: r.params.name, key_hash: k.key_hash, key_hint: k.key_hint, settings: '{}', secret: null })
			);
			return { id, kind: 'segment', name: r.params.name, write_key: k.key } as Doc;
		}
		case 'add_zendesk': {
			const p = r.params;
			const settings: ZendeskSettings = {
				subdomain: p.subdomain.toLowerCase(),
				email: p.email,
				auth: p.auth,
				...(p.url ? { url: p.url.replace(/\/+$/, '') } : {}),
				...(p.everyMinutes ? { everyMinutes: p.everyMinutes } : {})
			};
			const sourceName = p.name ?? `zendesk ${settings.subdomain}`;
			const id = await added(db, sourceName, by, (repo) =>
				repo.insert({
					kind: 'zendesk',
					name: sourceName,
					key_hash: null,
					key_hint: null,
					settings: JSON.stringify(settings),
					secret: seal(db.path, p.token)
				})
			);
			return { id, kind: 'zendesk', name: sourceName } as Doc;
		}
		case 'pause':
		case 'resume': {
			const s = await findSource(db, r.params.source);
			if (s.state === 'revoked') throw new SourceError(`source '${s.name}' is revoked: add a new one`, 409);
			const target = r.kind === 'pause' ? 'paused' : 'active';
			if (s.state === target) return { source: await view(Number(s.source_id)), changed: false } as Doc;
			const before = await view(Number(s.source_id));
			await changed(r.kind, Number(s.source_id), (repo) => repo.update(Number(s.source_id), { state: target }), before);
			return { source: await view(Number(s.source_id)), changed: true } as Doc;
		}
		case 'revoke': {
			const s = await findSource(db, r.params.source);
			if (s.state === 'revoked') return { source: await view(Number(s.source_id)), changed: false } as Doc;
			const before = await view(Number(s.source_id));
			// A revoked source keeps its history (loads, rows); its key opens nothing and its token is forgotten.
			await changed(
				'revoke',
				Number(s.source_id),
				(repo) => repo.update(Number(s.source_id), { state: 'revoked', key_hash: null, secret: null }),
				before
			);
			return { source: await view(Number(s.source_id)), changed: true } as Doc;
		}
		case 'rotate': {
			const s = await findSource(db, r.params.source);
			if (s.kind !== 'segment')
				throw new SourceError(`source '${s.name}' is a ${s.kind} source: only a Segment source has a write key to rotate`, 400);
			if (s.state === 'revoked') throw new SourceError(`source '${s.name}' is revoked: add a new one`, 409);
			const k = writeKey();
			const before = await view(Number(s.source_id));
			await changed(
				'rotate',
				Number(s.source_id),
				(repo) => repo.update(Number(s.source_id), { key_hash: k.key_hash, key_hint: k.key_hint }),
				before
			);
			return { source: await view(Number(s.source_id)), write_key: k.key } as Doc;
		}
		case 'token': {
			const s = await findSource(db, r.params.source);
			if (s.kind !== 'zendesk') throw new SourceError(`source '${s.name}' is a ${s.kind} source: only a Zendesk source has a token`, 400);
			if (s.state === 'revoked') throw new SourceError(`source '${s.name}' is revoked: add a new one`, 409);
			await changed('token', Number(s.source_id), (repo) => repo.update(Number(s.source_id), { secret: seal(db.path, r.params.token) }));
			return { source: await view(Number(s.source_id)) } as Doc;
		}
	}
}

/** Adds a source named `sourceName` (a 409 when the name is taken), audited; returns its id. */
async function added(db: Database, sourceName: string, by: Actor, insert: (repo: SourcesRepository) => Promise<number>): Promise<number> {
	const id = await db.kysely.transaction().execute(async (trx) => {
		const repo = new SourcesRepository(trx);
		if (await repo.byName(sourceName))
			throw new SourceError(`there is already a source named '${sourceName}' (adoption sources list)`, 409);
		const id = await insert(repo);
		await audit(trx, by, { action: 'source.add', object: `source:${id}`, after: await viewIn(trx, id) });
		return id;
	});
	for (const l of listeners) l();
	return id;
}

/** A source as shown, read in a transaction (for the audit log: never the key or the token). */
async function viewIn(trx: ConstructorParameters<typeof SourcesRepository>[0], id: number): Promise<SourceView | undefined> {
	const row = await new SourcesRepository(trx).byId(id);
	return row ? sourceView(row) : undefined;
}
