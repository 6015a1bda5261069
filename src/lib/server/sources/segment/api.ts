/**
 * Segment's HTTP tracking API (`POST /v1/track|page|screen|identify|group|alias|batch|import`), as Segment
 * documents it, so the Segment pipeline, RudderStack or any Segment library can be pointed at this app:
 * - auth: HTTP Basic with the write key as the user name (empty password), or `writeKey` in the body;
 *   anything else is a 401;
 * - limits: 32 KB per call, 500 KB per batch request: past them a 400 naming the limit; malformed JSON a
 *   400; the answer to good input is `{"success": true}`;
 * - each call gets `receivedAt` (now), a `messageId` when it has none (as Segment does, `api-…`), and when it
 *   carries a device clock (`originalTimestamp` and `sentAt`, no `timestamp`) the corrected `timestamp`:
 *   `receivedAt − (sentAt − originalTimestamp)`.
 * Everything else (what becomes an event, a user, an account; what is rejected) is the Segment file
 * loader's, applied when the spool is loaded (`ingest.ts`): a call missing its ids is acknowledged, as
 * Segment does, and rejected there, where the Sources page shows it.
 */
import crypto from 'node:crypto';
import { secretHash } from '../../auth/secrets.js';

/** The endpoints, by the last part of their path. */
export const CALL_ENDPOINTS = ['track', 'page', 'screen', 'identify', 'group', 'alias', 'batch', 'import'] as const;
export type CallEndpoint = (typeof CALL_ENDPOINTS)[number];

export const MAX_CALL_BYTES = 32 * 1024;
export const MAX_BATCH_BYTES = 500 * 1024;

/** What the API answers: a status and a JSON body. */
export interface TrackingAnswer {
	status: number;
	body: { success: boolean; message?: string };
	/** The body was left unread (too large): the connection cannot carry another request. */
	close?: boolean;
	/** Seconds to wait before sending again (a 429). */
	retryAfter?: number;
}

/** A write key's source, as the API needs it. */
export interface KeySource {
	id: number;
	state: 'active' | 'paused' | 'revoked';
}

/** What the API needs from the server: whose key a hash is, and a durable spool. */
export interface TrackingDeps {
	sourceByKeyHash: (hash: string) => Promise<KeySource | undefined>;
	/** Makes the calls durable; rejects with a {@link Backlog} when the loader is too far behind to take them. */
	accept: (sourceId: number, text: string, calls: number) => Promise<void>;
	now?: () => Date;
}

/** The loader is too far behind to take more now (the API answers 429 with Retry-After). */
export class Backlog extends Error {
	constructor(readonly waiting: number) {
		super(`${waiting.toLocaleString('en-US')} calls are waiting to be loaded: send again in a few seconds`);
	}
}

const refuse = (status: number, message: string): TrackingAnswer => ({ status, body: { success: false, message } });

const kb = (n: number) => `${Math.round(n / 1024)} KB`;

/** The write key of a Basic `Authorization` header (user name; the password is ignored), or undefined. */
function basicKey(header: string | null): string | undefined {
	const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
	if (!m) return undefined;
	const decoded = Buffer.from(m[1], 'base64').toString('utf8');
	const colon = decoded.indexOf(':');
	return colon < 0 ? decoded : decoded.slice(0, colon);
}

/** Reads at most `limit` bytes of a body; null when it is longer. */
async function readLimited(body: ReadableStream<Uint8Array> | null, limit: number): Promise<Buffer | null> {
	if (!body) return Buffer.alloc(0);
	const chunks: Buffer[] = [];
	let size = 0;
	const reader = body.getReader();
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		size += value.byteLength;
		if (size > limit) {
			await reader.cancel();
			return null;
		}
		chunks.push(Buffer.from(value));
	}
	return Buffer.concat(chunks);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A call as spooled: `receivedAt`, a `messageId`, the clock-skew-corrected `timestamp` (see the file's comment). */
function stamp(call: Record<string, unknown>, receivedAt: Date, batchSentAt: unknown): Record<string, unknown> {
	const out: Record<string, unknown> = { ...call, receivedAt: receivedAt.toISOString() };
	if (out.messageId === undefined || out.messageId === null || out.messageId === '') out.messageId = `api-${crypto.randomUUID()}`;
	const sentAt = out.sentAt ?? batchSentAt;
	if (out.timestamp === undefined && typeof out.originalTimestamp === 'string' && typeof sentAt === 'string') {
		const original = Date.parse(out.originalTimestamp);
		const sent = Date.parse(sentAt);
		if (Number.isFinite(original) && Number.isFinite(sent))
			out.timestamp = new Date(receivedAt.getTime() - (sent - original)).toISOString();
	}
	return out;
}

/**
 * Answers one tracking request: `endpoint` from the path, the request's headers and body. Durable (in the
 * spool) before it answers 200.
 */
export async function track(endpoint: string, request: Request, deps: TrackingDeps): Promise<TrackingAnswer> {
	if (!(CALL_ENDPOINTS as readonly string[]).includes(endpoint)) {
		return refuse(404, `/v1/${endpoint} is not a tracking endpoint: use one of ${CALL_ENDPOINTS.map((e) => `/v1/${e}`).join(', ')}`);
	}
	const batched = endpoint === 'batch' || endpoint === 'import';
	const limit = batched ? MAX_BATCH_BYTES : MAX_CALL_BYTES;
	const what = batched ? 'a batch request' : 'a call';
	const tooLarge = `${what} may be at most ${kb(limit)} (Segment's limit); this one is larger${batched ? ': send fewer calls per batch' : ''}`;
	const declared = Number(request.headers.get('content-length') ?? NaN);
	if (declared > limit) return { ...refuse(400, tooLarge.replace('is larger', `is ${kb(declared)}`)), close: true };

	const headerKey = basicKey(request.headers.get('authorization'));
	let source = headerKey ? await deps.sourceByKeyHash(secretHash(headerKey)) : undefined;
	// A wrong key in the header is refused before the body is read at all.
	if (headerKey && !source) return refuse(401, 'that write key is not one of this app’s Segment sources (adoption sources list)');

	const raw = await readLimited(request.body, limit);
	if (raw === null) return { ...refuse(400, tooLarge), close: true };
	let doc: unknown;
	try {
		doc = JSON.parse(raw.toString('utf8'));
	} catch (err) {
		return refuse(400, `the body is not valid JSON: ${(err as Error).message}`);
	}
	if (!isObject(doc)) return refuse(400, `the body must be a JSON object (${batched ? 'with a batch array' : 'one call'})`);
	if (!source) {
		const bodyKey = typeof doc.writeKey === 'string' ? doc.writeKey : undefined;
		if (!bodyKey) return refuse(401, 'no write key: send it as the HTTP Basic user name (empty password) or as writeKey in the body');
		source = await deps.sourceByKeyHash(secretHash(bodyKey));
		if (!source) return refuse(401, 'that write key is not one of this app’s Segment sources (adoption sources list)');
	}
	if (source.state === 'revoked') return refuse(401, 'that write key was revoked');

	const receivedAt = (deps.now ?? (() => new Date()))();
	let line: string;
	let calls: number;
	if (batched) {
		if (!Array.isArray(doc.batch)) return refuse(400, `${endpoint} takes {"batch": [calls…]}: the body has no batch array`);
		const batch: Record<string, unknown>[] = [];
		for (const [i, call] of doc.batch.entries()) {
			if (!isObject(call)) return refuse(400, `batch[${i}] is not a call object`);
			const size = Buffer.byteLength(JSON.stringify(call));
			if (size > MAX_CALL_BYTES)
				return refuse(400, `batch[${i}] is ${kb(size)}; a call may be at most ${kb(MAX_CALL_BYTES)} (Segment's limit)`);
			const { writeKey: _key, ...rest } = call;
			batch.push(stamp(rest, receivedAt, doc.sentAt));
		}
		if (batch.length === 0) return { status: 200, body: { success: true } };
		// The batch's own context goes with it: the loader merges it under each call's, as for a file.
		line = JSON.stringify(isObject(doc.context) ? { batch, context: doc.context } : { batch });
		calls = batch.length;
	} else {
		const { writeKey: _key, ...rest } = doc;
		line = JSON.stringify(stamp({ ...rest, type: endpoint }, receivedAt, undefined));
		calls = 1;
	}
	try {
		await deps.accept(source.id, `${line}\n`, calls);
	} catch (err) {
		if (err instanceof Backlog) return { ...refuse(429, err.message), retryAfter: 5 };
		throw err;
	}
	return { status: 200, body: { success: true } };
}
