/**
 * GET requests to Zendesk's incremental export API, kept inside its limits: requests spaced to at most
 * `requestsPerMinute` (Zendesk allows 10 a minute on these endpoints); a 429 waits its `Retry-After`; a
 * 5xx, a 408, a timeout or a dropped connection (before the answer, or midway through its body) is tried
 * again after an exponential backoff with full jitter; any other 4xx stops at once, as trying again cannot
 * help. A client gives up once it has obtained no page for `giveUpAfterMs`. Messages name the URL without
 * its query and never carry the Authorization header.
 */

/** How a {@link ZendeskClient} reaches Zendesk and how patient it is. */
export interface ClientOptions {
	/** `https://acme.zendesk.com`, or the URL that replaces it (a proxy, a test server); no trailing slash. */
	baseUrl: string;
	/** The whole Authorization header value (`Basic …` or `Bearer …`). */
	authorization: string;
	requestsPerMinute: number;
	giveUpAfterMs: number;
	fetch?: typeof fetch;
	sleep?: (ms: number) => Promise<void>;
	/** Told of each wait before a retry (the reason and how long), for progress lines. */
	onRetry?: (message: string) => void;
}

/** Longest wait for one answer, body included. */
const TIMEOUT_MS = 60_000;
const BACKOFF_BASE_MS = 1000;
const BACKOFF_CAP_MS = 60_000;
/** Zendesk's rate-limit window is a minute: a 429 without a usable Retry-After waits that long. */
const DEFAULT_RETRY_AFTER_MS = 60_000;

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `ms` for a person: "1 s", "1.5 min". */
function duration(ms: number): string {
	return ms < 60_000 ? `${Math.round(ms / 100) / 10} s` : `${Math.round(ms / 6000) / 10} min`;
}

/** What the answer to a failed request said, in a few words (Zendesk answers `{"error", "description"}`). */
function reason(text: string): string {
	try {
		const body = JSON.parse(text) as { error?: unknown; description?: unknown };
		const said = [body.error, body.description].filter((v) => typeof v === 'string' && v !== '').join(': ');
		return said ? `: ${said.replace(/\s+/g, ' ').slice(0, 200)}` : '';
	} catch {
		return '';
	}
}

/** A `Retry-After` header (seconds, or an HTTP date) in ms, or undefined when it is missing or unreadable. */
function retryAfterMs(header: string | null): number | undefined {
	if (header === null || header.trim() === '') return undefined;
	const seconds = Number(header);
	if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
	const at = Date.parse(header);
	return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** Why a fetch that threw (before or during the body) failed, without the request it was for. */
function networkReason(err: unknown): string {
	const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
	if (e?.name === 'TimeoutError') return `no answer within ${duration(TIMEOUT_MS)}`;
	const detail = e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
	return `network error (${detail})`;
}

/** One Zendesk account's HTTP client: rate-limited, retrying, giving up as configured. */
export class ZendeskClient {
	private readonly fetch: typeof fetch;
	private readonly sleep: (ms: number) => Promise<void>;
	private readonly spacingMs: number;
	/** When the next request may start (the spacing limiter). */
	private nextAt = 0;
	/** When a page last arrived (or the client was made): the give-up clock starts here. */
	private lastPageAt = Date.now();

	constructor(private readonly options: ClientOptions) {
		this.fetch = options.fetch ?? fetch;
		this.sleep = options.sleep ?? realSleep;
		this.spacingMs = 60_000 / options.requestsPerMinute;
	}

	/** `path` (with its query) as a URL, and the same without the query for messages. */
	private url(path: string): { url: string; shown: string } {
		const url = `${this.options.baseUrl}${path}`;
		const parsed = new URL(url);
		return { url, shown: `${parsed.origin}${parsed.pathname}` };
	}

	/** Waits until the limiter lets the next request start. */
	private async spaced(): Promise<void> {
		const now = Date.now();
		const at = Math.max(now, this.nextAt);
		this.nextAt = at + this.spacingMs;
		if (at > now) await this.sleep(at - now);
	}

	/** Waits `ms` before trying again, or gives up when no page can arrive within the give-up time. */
	private async retryIn(ms: number, what: string, why: string): Promise<void> {
		const { giveUpAfterMs } = this.options;
		if (Date.now() + ms - this.lastPageAt > giveUpAfterMs) {
			throw new Error(
				`${what}: gave up after ${duration(giveUpAfterMs)} without a page (last: ${why}); the next sync resumes from the last page loaded`
			);
		}
		this.options.onRetry?.(`${what}: ${why}, trying again in ${duration(ms)}`);
		await this.sleep(ms);
	}

	/**
	 * The JSON body of `GET path` (path and query, from the base URL). `what` names the stream in messages
	 * ("Zendesk tickets"). Throws at once for an answer trying again cannot change (a refused token, a wrong
	 * URL), and once it gives up.
	 */
	async get(path: string, what: string): Promise<unknown> {
		const { url, shown } = this.url(path);
		let failures = 0;
		for (;;) {
			await this.spaced();
			let status: number;
			let text: string;
			let retryAfter: string | null;
			try {
				const res = await this.fetch(url, {
					headers: { Authorization: this.options.authorization, Accept: 'application/json' },
					signal: AbortSignal.timeout(TIMEOUT_MS)
				});
				status = res.status;
				retryAfter = res.headers.get('retry-after');
				// The body is read inside the try: a connection dropped midway throws here, and is retried.
				text = await res.text();
			} catch (err) {
				await this.retryIn(this.backoff(failures++), what, `${networkReason(err)} on GET ${shown}`);
				continue;
			}
			if (status >= 200 && status < 300) {
				try {
					const body: unknown = JSON.parse(text);
					this.lastPageAt = Date.now();
					return body;
				} catch {
					throw new Error(`${what}: GET ${shown} answered HTTP ${status} with a body that is not JSON`);
				}
			}
			if (status === 429) {
				// Rate limited: not a failure of Zendesk's, so it does not lengthen the backoff.
				await this.retryIn(retryAfterMs(retryAfter) ?? DEFAULT_RETRY_AFTER_MS, what, `HTTP 429 (rate limited) on GET ${shown}`);
				continue;
			}
			if (status >= 500 || status === 408) {
				const wait = Math.max(this.backoff(failures++), retryAfterMs(retryAfter) ?? 0);
				await this.retryIn(wait, what, `HTTP ${status} on GET ${shown}`);
				continue;
			}
			throw new Error(`${what}: ${refusal(status, shown)}${reason(text)}`);
		}
	}

	/** The wait before retry number `failures` + 1: full jitter over an exponential ceiling. */
	private backoff(failures: number): number {
		return Math.round(Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** failures));
	}
}

/** What a 4xx (other than 408 and 429) means for the person who set the source up. */
function refusal(status: number, shown: string): string {
	if (status === 401 || status === 403) {
		return `Zendesk refused the token (HTTP ${status} on GET ${shown}): check the email and token, and that the token's user is a Zendesk admin (incremental exports need one); give the source a new token if it was revoked`;
	}
	if (status === 404) return `HTTP 404 on GET ${shown}: no such Zendesk API here; check the subdomain (or the --url)`;
	return `HTTP ${status} on GET ${shown}`;
}
