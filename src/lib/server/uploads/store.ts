/**
 * Files people upload on the Load page, streamed to disk as they arrive (never held whole in memory) into
 * `uploads/<batch>/` beside the database, where loads read them and their `loads` rows keep pointing.
 * A file past the size cap is cut off, removed, and reported as too large; nothing else is touched.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { resolveDbPath } from '../db/connection.js';

/** A file past the cap (`ADOPTION_UPLOAD_LIMIT`, default 2 GB). */
export class UploadTooLarge extends Error {}
/** A name or batch that is not a plain file name. */
export class BadUpload extends Error {}

const SIZE = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB)?$/i;

/** The upload cap in bytes: `ADOPTION_UPLOAD_LIMIT` (e.g. `500MB`), default 2 GB. */
export function uploadLimit(): number {
	const raw = process.env.ADOPTION_UPLOAD_LIMIT?.trim();
	if (!raw) return 2 * 1024 ** 3;
	const m = SIZE.exec(raw);
	if (!m) throw new Error(`ADOPTION_UPLOAD_LIMIT must be a size such as 500MB or 2GB, not '${raw}'`);
	return Math.floor(Number(m[1]) * { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 }[(m[2] ?? 'B').toUpperCase() as 'B']);
}

/** The folder uploads go to: `uploads/` beside the database. */
export function uploadsRoot(): string {
	return path.join(path.dirname(path.resolve(resolveDbPath())), 'uploads');
}

/** A new batch id: files uploaded together load together. */
export function newBatch(): string {
	return `${new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)}-${crypto.randomBytes(4).toString('hex')}`;
}

const BATCH = /^\d{8}T\d{6}-[0-9a-f]{8}$/;
/** A file name as given, if it is one (no folders, no leading dot, at most 200 characters). */
function checkName(name: string): string {
	if (!/^[\w][\w .()+-]{0,199}$/.test(name))
		throw new BadUpload(`'${name}' is not a plain file name (letters, digits, . _ - + ( ) and spaces)`);
	return name;
}

/** The folder of a batch, checked. */
export function batchDir(batch: string): string {
	if (!BATCH.test(batch)) throw new BadUpload(`'${batch}' is not an upload batch`);
	return path.join(uploadsRoot(), batch);
}

/** Streams `body` to `uploads/<batch>/<name>`; at most `limit` bytes, else {@link UploadTooLarge} and no file. */
export async function saveUpload(
	batch: string,
	name: string,
	body: ReadableStream<Uint8Array>,
	limit = uploadLimit()
): Promise<{ path: string; bytes: number }> {
	const dir = batchDir(batch);
	const file = path.join(dir, checkName(name));
	fs.mkdirSync(dir, { recursive: true });
	let bytes = 0;
	const cap = new Transform({
		transform(chunk: Buffer, _enc, done) {
			bytes += chunk.length;
			done(bytes > limit ? new UploadTooLarge(`${name} is larger than the upload limit of ${formatBytes(limit)}`) : null, chunk);
		}
	});
	try {
		await pipeline(Readable.fromWeb(body as import('node:stream/web').ReadableStream), cap, fs.createWriteStream(file, { flags: 'wx' }));
	} catch (err) {
		fs.rmSync(file, { force: true });
		if (fs.existsSync(dir) && fs.readdirSync(dir).length === 0) fs.rmdirSync(dir);
		if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new BadUpload(`${name} was already uploaded in this batch`);
		throw err;
	}
	return { path: file, bytes };
}

/** The files of a batch, sorted. */
export function batchFiles(batch: string): string[] {
	const dir = batchDir(batch);
	if (!fs.existsSync(dir)) return [];
	return fs
		.readdirSync(dir)
		.sort()
		.map((f) => path.join(dir, f));
}

function formatBytes(n: number): string {
	return n >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(1)} GB` : n >= 1024 ** 2 ? `${(n / 1024 ** 2).toFixed(0)} MB` : `${n} bytes`;
}
