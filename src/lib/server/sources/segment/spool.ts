/**
 * A Segment source's spool: what the tracking API has acknowledged and not yet loaded, as JSON Lines files
 * on disk (`<db>.spool/<source id>/<segment>.jsonl`). A call is acknowledged only once its line is written
 * and `fdatasync`ed; concurrent requests share one write and one sync (group commit), so durability costs
 * one disk flush per burst rather than per request. Segments are numbered in order; the loader takes closed
 * ones (see `ingest.ts`) and marks each committed in the same transaction as its rows, so a segment is
 * either loaded or still here after a crash.
 */
import fs from 'node:fs';
import path from 'node:path';

/** A closed segment, waiting to be loaded. */
export interface SpoolSegment {
	seq: number;
	file: string;
	/** Calls in it: a line is one call, or a `{"batch": […]}` of several. */
	calls: number;
}

const NAME = /^(\d{12})\.jsonl$/;

/** A segment file's name. */
export function segmentName(seq: number): string {
	return `${String(seq).padStart(12, '0')}.jsonl`;
}

/** The spool folder of a database file. */
export function spoolDir(dbPath: string): string {
	return `${path.resolve(dbPath)}.spool`;
}

export class Spool {
	private handle: fs.promises.FileHandle | null = null;
	private seq: number;
	private calls = 0;
	private queued: { text: string; calls: number; done: (err?: Error) => void }[] = [];
	private chain: Promise<void> = Promise.resolve();
	private writing = false;
	/** Closed segments not yet loaded, oldest first. */
	readonly closed: SpoolSegment[] = [];

	/**
	 * Opens the spool of one source in `dir`: segments up to `committedThrough` were loaded (their files are
	 * removed now, if a crash left them), later ones are closed and wait to be loaded again, and new calls go
	 * to a fresh segment after them. A last line cut short by a crash was never acknowledged: it is cut off.
	 */
	static async open(dir: string, committedThrough: number, maxSegmentCalls = Infinity): Promise<Spool> {
		await fs.promises.mkdir(dir, { recursive: true });
		let last = committedThrough;
		const closed: SpoolSegment[] = [];
		for (const name of (await fs.promises.readdir(dir)).sort()) {
			const m = NAME.exec(name);
			if (!m) continue;
			const seq = Number(m[1]);
			const file = path.join(dir, name);
			last = Math.max(last, seq);
			if (seq <= committedThrough) {
				await fs.promises.rm(file, { force: true });
				continue;
			}
			const calls = await trimPartialLine(file);
			if (calls === 0) await fs.promises.rm(file, { force: true });
			else closed.push({ seq, file, calls });
		}
		const spool = new Spool(dir, last + 1, maxSegmentCalls);
		spool.closed.push(...closed);
		return spool;
	}

	/** `maxSegmentCalls`: a segment is closed once it holds this many calls, so no one load grows without bound. */
	private constructor(
		readonly dir: string,
		seq: number,
		private readonly maxSegmentCalls: number
	) {
		this.seq = seq;
	}

	/** Calls in the open segment. */
	get openCalls(): number {
		return this.calls;
	}

	/** Appends lines (each ending in `\n`) holding `calls` calls; resolves once they are on disk. */
	append(text: string, calls: number): Promise<void> {
		return new Promise((resolve, reject) => {
			this.queued.push({ text, calls, done: (err) => (err ? reject(err) : resolve()) });
			if (!this.writing) {
				this.writing = true;
				this.chain = this.chain.then(() => this.write());
			}
		});
	}

	/** Writes everything queued in one write and one sync, then answers each append. */
	private async write(): Promise<void> {
		this.writing = false;
		const batch = this.queued;
		this.queued = [];
		if (batch.length === 0) return;
		try {
			if (!this.handle) this.handle = await fs.promises.open(path.join(this.dir, segmentName(this.seq)), 'a');
			const buf = Buffer.from(batch.map((b) => b.text).join(''));
			await this.handle.write(buf);
			await this.handle.datasync();
			for (const b of batch) this.calls += b.calls;
			for (const b of batch) b.done();
		} catch (err) {
			for (const b of batch) b.done(err as Error);
			return;
		}
		if (this.calls >= this.maxSegmentCalls) await this.closeSegment();
	}

	/** Closes the open segment when it has calls: it joins the closed ones, and the next call starts a new one. */
	private async closeSegment(): Promise<SpoolSegment | null> {
		if (!this.handle || this.calls === 0) return null;
		await this.handle.close();
		const segment = { seq: this.seq, file: path.join(this.dir, segmentName(this.seq)), calls: this.calls };
		this.handle = null;
		this.seq++;
		this.calls = 0;
		this.closed.push(segment);
		return segment;
	}

	/** Closes the open segment (after the writes before it) when it has calls; the next ones start a new one. */
	rotate(): Promise<SpoolSegment | null> {
		const rotated = this.chain.then(() => this.closeSegment());
		this.chain = rotated.then(
			() => {},
			() => {}
		);
		return rotated;
	}

	/** Stops taking calls: what was written stays for the next start. */
	async close(): Promise<void> {
		await this.chain;
		await this.handle?.close();
		this.handle = null;
	}
}

/** Cuts a segment's last line when it has no line break (a write cut short); returns the calls of its complete lines. */
async function trimPartialLine(file: string): Promise<number> {
	const buf = await fs.promises.readFile(file);
	const end = buf.lastIndexOf(10) + 1;
	if (end < buf.length) await fs.promises.truncate(file, end);
	let calls = 0;
	for (const line of buf.subarray(0, end).toString('utf8').split('\n')) {
		if (line === '') continue;
		const batch = (JSON.parse(line) as { batch?: unknown[] }).batch;
		calls += Array.isArray(batch) ? batch.length : 1;
	}
	return calls;
}
