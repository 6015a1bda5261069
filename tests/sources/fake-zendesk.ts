/**
 * A fake Zendesk on loopback for the sync tests, answering the incremental exports in their documented
 * shapes: organizations time-based (`start_time` inclusive, `end_time`, `next_page`, `end_of_stream`,
 * two a page so there are several), users and tickets cursor-based (`after_cursor`, `after_url`,
 * `end_of_stream`; `per_page`), tickets with their `metric_sets` sideloaded on `include=metric_sets`. Each
 * export is a change log: a record changed later is pushed again at its end, as Zendesk lists a changed
 * record again after the cursor. Faults can be planned: a 429 with `Retry-After: 1`, a 500, or a
 * connection dropped halfway through a 200's body.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeStream = 'organizations' | 'users' | 'tickets';
type Rec = Record<string, unknown>;

/** A request as the fake saw it. */
export interface FakeRequest {
	stream: FakeStream | null;
	path: string;
	query: URLSearchParams;
	authorization: string | undefined;
	/** performance.now() on arrival. */
	at: number;
	status: number;
}

/** A planned fault: the next `times` requests to `stream` whose page starts at record `from` or later. */
export interface Fault {
	stream: FakeStream;
	kind: '429' | '500' | 'drop';
	from?: number;
	times: number;
}

const PATHS: Record<string, FakeStream> = {
	'/api/v2/incremental/organizations.json': 'organizations',
	'/api/v2/incremental/users/cursor.json': 'users',
	'/api/v2/incremental/tickets/cursor.json': 'tickets'
};

/** Organizations per page of the time-based export (Zendesk's is 1000: small here to have pages). */
const ORG_PAGE = 2;

const encode = (offset: number) => Buffer.from(`offset:${offset}`).toString('base64url');
const decode = (cursor: string) => Number(Buffer.from(cursor, 'base64url').toString().replace('offset:', ''));
const epoch = (r: Rec) => Math.floor(Date.parse(String(r.updated_at)) / 1000);

export class FakeZendesk {
	readonly requests: FakeRequest[] = [];
	faults: Fault[] = [];
	url = '';
	private readonly server: http.Server;

	/**
	 * `authorization`: the only Authorization header accepted (else 401). The logs are the exports, in
	 * change order; `metrics` the metric set of each ticket id, sideloaded with its ticket.
	 */
	constructor(
		readonly authorization: string,
		readonly logs: Record<FakeStream, Rec[]>,
		readonly metrics: Map<string, Rec>
	) {
		this.server = http.createServer((req, res) => this.answer(req, res));
	}

	async start(): Promise<void> {
		await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
		this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
	}

	close(): Promise<void> {
		this.server.closeAllConnections();
		return new Promise((resolve) => this.server.close(() => resolve()));
	}

	/** The requests made to `stream`. */
	of(stream: FakeStream): FakeRequest[] {
		return this.requests.filter((r) => r.stream === stream);
	}

	private answer(req: http.IncomingMessage, res: http.ServerResponse): void {
		const url = new URL(req.url ?? '/', this.url);
		const stream = PATHS[url.pathname] ?? null;
		const seen: FakeRequest = {
			stream,
			path: url.pathname,
			query: url.searchParams,
			authorization: req.headers.authorization,
			at: performance.now(),
			status: 200
		};
		this.requests.push(seen);
		const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
			seen.status = status;
			res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));
		};
		if (req.headers.authorization !== this.authorization) return send(401, { error: "Couldn't authenticate you" });
		if (!stream) return send(404, { error: 'InvalidEndpoint', description: 'Not found' });
		const { offset, body } = stream === 'organizations' ? this.timePage(url) : this.cursorPage(stream, url);
		const fault = this.faults.find((f) => f.stream === stream && f.times > 0 && offset >= (f.from ?? 0));
		if (fault) {
			fault.times--;
			if (fault.kind === '429') return send(429, { error: 'APIRateLimitExceeded' }, { 'retry-after': '1' });
			if (fault.kind === '500') return send(500, { error: 'InternalError' });
			// Headers and half the body, then the connection is cut.
			const text = JSON.stringify(body);
			res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)) });
			res.write(text.slice(0, text.length >> 1), () => res.socket?.destroy());
			return;
		}
		send(200, body);
	}

	/** A page of the time-based organizations export from `start_time` (inclusive). */
	private timePage(url: URL): { offset: number; body: Rec } {
		const start = Number(url.searchParams.get('start_time') ?? 0);
		const log = this.logs.organizations;
		const offset = log.findIndex((r) => epoch(r) >= start);
		const page = offset < 0 ? [] : log.slice(offset, offset + ORG_PAGE);
		const end = page.length ? epoch(page[page.length - 1]) : start;
		return {
			offset: offset < 0 ? log.length : offset,
			body: {
				organizations: page,
				next_page: `${this.url}${url.pathname}?start_time=${end}`,
				count: page.length,
				end_of_stream: page.length < ORG_PAGE,
				end_time: end
			}
		};
	}

	/** A page of a cursor-based export: from the cursor, else from the start (`start_time=0`). */
	private cursorPage(stream: 'users' | 'tickets', url: URL): { offset: number; body: Rec } {
		const cursor = url.searchParams.get('cursor');
		const offset = cursor ? decode(cursor) : 0;
		const perPage = Number(url.searchParams.get('per_page') ?? 1000);
		const page = this.logs[stream].slice(offset, offset + perPage);
		const after = encode(offset + page.length);
		const body: Rec = {
			[stream]: page,
			after_cursor: after,
			after_url: `${this.url}${url.pathname}?cursor=${after}`,
			before_cursor: offset ? encode(offset) : null,
			before_url: offset ? `${this.url}${url.pathname}?cursor=${encode(offset)}` : null,
			end_of_stream: page.length < perPage
		};
		if (stream === 'tickets' && url.searchParams.get('include') === 'metric_sets') {
			body.metric_sets = page.map((t) => this.metrics.get(String(t.id))).filter((m) => m !== undefined);
		}
		return { offset, body };
	}
}

/** The cursor the fake gives after `offset` records of a cursor-based export (what a sync stores). */
export const cursorAfter = encode;
