/**
 * The server owns its database: `adoption serve` opens the file read-write once and keeps it for the
 * process's lifetime (one DuckDB instance: readers on their own connections never wait for the writer),
 * with a memory limit of its own, and writes a handoff file beside it (`<db>.server.json`, mode 0600:
 * only the file's owner can read it) telling the CLI where to send its work (see `jobs/channel.ts`).
 * Only the server process claims ownership; other code (the CLI, tests calling handlers) opens the file
 * per use as before.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, resolveDbPath, type Database } from './connection.js';

/** What the handoff file says: the server's process, where it listens, and the token its job endpoint wants. */
export interface ServerHandoff {
	pid: number;
	url: string;
	token: string;
	db: string;
}

/** The handoff file of a database file. */
export function handoffFile(dbPath: string): string {
	return `${path.resolve(dbPath)}.server.json`;
}

/**
 * DuckDB's memory limit for the server: `ADOPTION_MEMORY_LIMIT` (e.g. `2GB`), else a quarter of the
 * machine's memory, at most 2 GB: DuckDB's own default (80 %) leaves nothing for Node and the rest.
 */
export function serverMemoryLimit(): string {
	const env = process.env.ADOPTION_MEMORY_LIMIT?.trim();
	if (env) {
		if (!/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(env)) {
			throw new Error(`ADOPTION_MEMORY_LIMIT must be a size such as 2GB or 512MB, not '${env}'`);
		}
		return env;
	}
	const mb = Math.min(2048, Math.floor(os.totalmem() / 4 / 1024 / 1024));
	return `${mb}MB`;
}

let owned: { path: string; db: Promise<Database> } | null = null;
let handoff: ServerHandoff | null = null;

let claimed = false;

/** Whether this process is the server that owns its database (`claimOwnership` was called). */
export function isOwner(): boolean {
	return claimed;
}

/**
 * Makes this process the owner of `ADOPTION_DB`: opens it now when it exists (taking DuckDB's lock, so a
 * second server on the file fails at once) and writes the handoff file with a fresh token. A missing file
 * is opened on the first request after it appears (the pages say how to load data meanwhile).
 */
export async function claimOwnership(url: string): Promise<void> {
	claimed = true;
	const dbPath = resolveDbPath();
	handoff = { pid: process.pid, url, token: crypto.randomBytes(32).toString('hex'), db: path.resolve(dbPath) };
	if (fs.existsSync(dbPath)) await ownedDatabase();
	const release = () => {
		try {
			const current = JSON.parse(fs.readFileSync(handoffFile(dbPath), 'utf8')) as ServerHandoff;
			if (current.pid === process.pid) fs.rmSync(handoffFile(dbPath), { force: true });
		} catch {
			// No handoff file (never written, or already removed): nothing to release.
		}
	};
	process.once('exit', release);
	for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(0));
}

/** The token the job endpoint accepts (the handoff file's), or null outside the server. */
export function handoffToken(): string | null {
	return handoff?.token ?? null;
}

/**
 * The owned database, opened read-write on first use and kept. Fails (and is retried on the next call)
 * when the file does not exist yet or another process holds it.
 */
export function ownedDatabase(): Promise<Database> {
	const dbPath = resolveDbPath();
	if (owned?.path === dbPath) return owned.db;
	if (!fs.existsSync(dbPath)) return Promise.reject(new Error(`cannot open database ${dbPath}: the file does not exist`));
	const db = openDatabase(dbPath, { memoryLimit: serverMemoryLimit() }).then((d) => {
		if (handoff) fs.writeFileSync(handoffFile(dbPath), JSON.stringify(handoff), { mode: 0o600 });
		return d;
	});
	owned = { path: dbPath, db };
	db.catch(() => {
		if (owned?.db === db) owned = null;
	});
	return db;
}
