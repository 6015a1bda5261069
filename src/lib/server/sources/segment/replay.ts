/**
 * Sends a file of Segment calls (one per line, as `adoption generate` writes `segment.jsonl`) to a
 * Segment-compatible tracking API: ours (`adoption generate --stream`, `adoption demo --stream`) or any other.
 * Calls go in `/v1/batch` requests of at most 500 calls and 450 KB, paced to `rate` calls a second, each
 * retried with backoff on a network error, a 429 or a 5xx, so what the API acknowledged is the whole file.
 */
import fs from 'node:fs';
import readline from 'node:readline';

const MAX_CALLS = 500;
const MAX_BYTES = 450 * 1024;
const ATTEMPTS = 6;

export interface ReplayOptions {
	/** The API's base URL (`http://127.0.0.1:3000`); `/v1/batch` is added. */
	url: string;
	writeKey: string;
	/** Calls a second (default: as fast as the API answers). */
	rate?: number;
	onProgress?: (sent: number, total: number) => void;
	signal?: AbortSignal;
}

/** Sends the calls of `file`; resolves with how many were acknowledged, or rejects with the API's answer. */
export async function replaySegment(file: string, options: ReplayOptions): Promise<{ calls: number; requests: number; seconds: number }> {
	const endpoint = `${options.url.replace(/\/+$/, '')}/v1/batch`;
	const auth = `Basic ${Buffer.from(`${options.writeKey}:`).toString('base64')}`;
	const total = await countLines(file);
	const started = performance.now();
	let sent = 0;
	let requests = 0;
	let batch: string[] = [];
	let bytes = 0;
	const flush = async () => {
		if (!batch.length) return;
		await post(endpoint, auth, `{"batch":[${batch.join(',')}]}`, options.signal);
		sent += batch.length;
		requests++;
		batch = [];
		bytes = 0;
		options.onProgress?.(sent, total);
		// Paced: the calls sent so far may not be ahead of `rate` a second.
		if (options.rate) {
			const ahead = (sent / options.rate) * 1000 - (performance.now() - started);
			if (ahead > 0) await new Promise((r) => setTimeout(r, ahead));
		}
	};
	const lines = readline.createInterface({ input: fs.createReadStream(file, 'utf8'), crlfDelay: Infinity });
	for await (const line of lines) {
		if (line.trim() === '') continue;
		const size = Buffer.byteLength(line);
		if (batch.length >= MAX_CALLS || bytes + size > MAX_BYTES) await flush();
		batch.push(line);
		bytes += size + 1;
		// Small batches while paced slowly, so the stream moves a little every second.
		if (options.rate && batch.length >= Math.max(1, Math.min(MAX_CALLS, Math.floor(options.rate)))) await flush();
	}
	await flush();
	return { calls: sent, requests, seconds: (performance.now() - started) / 1000 };
}

async function countLines(file: string): Promise<number> {
	let n = 0;
	for await (const line of readline.createInterface({ input: fs.createReadStream(file, 'utf8'), crlfDelay: Infinity }))
		if (line.trim()) n++;
	return n;
}

/** POSTs one batch, retrying what may pass on a second try; a refusal (4xx) rejects with the API's message. */
async function post(endpoint: string, auth: string, body: string, signal?: AbortSignal): Promise<void> {
	for (let attempt = 1; ; attempt++) {
		let why: string;
		try {
			const res = await fetch(endpoint, {
				method: 'POST',
				headers: { authorization: auth, 'content-type': 'application/json' },
				body,
				signal
			});
			const answer = (await res.json().catch(() => null)) as { message?: string } | null;
			if (res.ok) return;
			why = `${endpoint} answered ${res.status}${answer?.message ? `: ${answer.message}` : ''}`;
			if (res.status < 500 && res.status !== 429) throw new Error(why);
		} catch (err) {
			if (signal?.aborted || (err as Error).message.startsWith(endpoint)) throw err;
			why = `${endpoint} did not answer: ${(err as Error).message}`;
		}
		if (attempt >= ATTEMPTS) throw new Error(why);
		await new Promise((r) => setTimeout(r, Math.random() * 250 * 2 ** attempt));
	}
}
