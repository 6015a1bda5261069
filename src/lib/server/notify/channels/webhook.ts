/**
 * A Slack-compatible incoming webhook: POST `{"text", "blocks"}` as JSON. 2xx is delivered; 408, 429 and
 * 5xx (and no answer at all) are worth retrying, honouring `Retry-After`; any other 4xx means the request
 * itself is wrong (a revoked hook, a malformed body) and retrying cannot help.
 */
import type { Config } from '../../config/config.js';
import type { Delivery, OutgoingMessage } from './delivery.js';

const TIMEOUT_MS = 10_000;

/** `Retry-After` as milliseconds (seconds, or an HTTP date), or undefined. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
	if (!header) return undefined;
	if (/^\d+$/.test(header.trim())) return Number(header) * 1000;
	const t = Date.parse(header);
	return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

export async function sendWebhook(hook: NonNullable<Config['notify']['webhook']>, m: OutgoingMessage): Promise<Delivery> {
	let res: Response;
	try {
		res = await fetch(hook.url, {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'idempotency-key': m.idempotency_key, ...hook.headers },
			body: m.payload,
			signal: AbortSignal.timeout(TIMEOUT_MS)
		});
	} catch (err) {
		const cause = (err as Error & { cause?: { code?: string } }).cause?.code;
		return { ok: false, permanent: false, error: `no answer from the webhook: ${cause ?? (err as Error).message}` };
	}
	const text = (await res.text().catch(() => '')).slice(0, 200);
	if (res.ok) return { ok: true };
	const error = `the webhook answered ${res.status}${text ? `: ${text}` : ''}`;
	if (res.status === 408 || res.status === 429 || res.status >= 500)
		return { ok: false, permanent: false, error, retryAfterMs: retryAfterMs(res.headers.get('retry-after')) };
	return { ok: false, permanent: true, error };
}
