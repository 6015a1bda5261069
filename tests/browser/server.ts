/**
 * Helpers for the browser tests: build the app when needed, make databases with the real CLI, run
 * the built server (`node build/index.js`) on a free port, and drive it with Debian's Chromium.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { adoption, ROOT, tempDir } from '../helpers.js';

const ENTRY = path.join(ROOT, 'build', 'index.js');
const CHROMIUM = '/usr/bin/chromium';

/** Where the browser tests save their screenshots, for a person to look at. */
export const SHOTS = path.join(ROOT, 'test-results');

/** Newest modification time of any file under `dir` (0 when there is none). */
function newestMtime(dir: string): number {
	let newest = 0;
	for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
		const p = path.join(dir, entry.name);
		newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
	}
	return newest;
}

/** Whether `build/index.js` is missing or older than the sources (then a test would drive a stale build). */
function buildIsStale(): boolean {
	const built = fs.existsSync(ENTRY) ? fs.statSync(ENTRY).mtimeMs : 0;
	return built <= newestMtime(path.join(ROOT, 'src'));
}

/** Builds the app when the build is stale, so the test never drives old pages someone has just changed. */
export function ensureBuild(): void {
	if (!buildIsStale()) return;
	const r = spawnSync('npx', ['vite', 'build'], { cwd: ROOT, encoding: 'utf8' });
	if (r.status !== 0) throw new Error(`npx vite build failed:\n${r.stdout}\n${r.stderr}`);
}

/** {@link ensureBuild} without blocking, so the global setup builds while it generates the sample. */
export async function ensureBuildAsync(): Promise<void> {
	if (!buildIsStale()) return;
	const child = spawn('npx', ['vite', 'build'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
	let out = '';
	child.stdout.on('data', (b) => (out += b));
	child.stderr.on('data', (b) => (out += b));
	const code = await new Promise<number | null>((r) => child.once('exit', r));
	if (code !== 0) throw new Error(`npx vite build failed:\n${out}`);
}

/** A TCP port nobody is listening on right now. */
export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.once('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const { port } = srv.address() as net.AddressInfo;
			srv.close(() => resolve(port));
		});
	});
}

/** A running built server and how to reach and stop it. */
export interface Server {
	url: string;
	process: ChildProcess;
	output: () => string;
	stop: () => Promise<void>;
}

/** Starts the built app on `dbPath` and waits until it answers. */
export async function startServer(dbPath: string): Promise<Server> {
	const port = await freePort();
	const url = `http://127.0.0.1:${port}`;
	const child = spawn(process.execPath, [ENTRY], {
		cwd: ROOT,
		env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', ADOPTION_DB: dbPath, ORIGIN: url },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let log = '';
	child.stdout?.on('data', (b) => (log += b));
	child.stderr?.on('data', (b) => (log += b));
	const stop = () =>
		new Promise<void>((resolve) => {
			if (child.exitCode !== null || child.signalCode !== null) return resolve();
			child.once('exit', () => resolve());
			child.kill('SIGTERM');
		});
	const deadline = Date.now() + 15_000;
	for (;;) {
		if (child.exitCode !== null) throw new Error(`the server exited with code ${child.exitCode}:\n${log}`);
		try {
			await fetch(`${url}/api/status`);
			break;
		} catch {
			if (Date.now() > deadline) {
				await stop();
				throw new Error(`the server did not start within 15 s:\n${log}`);
			}
			await new Promise((r) => setTimeout(r, 100));
		}
	}
	return { url, process: child, output: () => log, stop };
}

/** A browser on the built app, as a browser test file drives it. */
export interface BrowserApp {
	/** The one page the tests drive, in turn. */
	page: Page;
	/** The server on the database the test file built. */
	data: Server;
	/** The server on a migrated database with nothing loaded. */
	empty: Server;
	/** The server on a path with no database at all. */
	missing: Server;
	/** The errors the page raised (hydration, scripts) since the last call, which it forgets. */
	takePageErrors: () => string[];
	/** Closes the browser, stops the servers and removes the temporary folder. */
	close: () => Promise<void>;
}

/**
 * What every browser test file sets up: the app built if stale, `makeDb`'s database (built with the CLI
 * in the temporary folder it is given), an empty and a missing database (the pages' two "no data" cases),
 * a server on each, and Chromium with one page. On failure it cleans up what it started, since the
 * caller gets nothing to close.
 */
export async function startBrowserApp(prefix: string, makeDb: (dir: string) => string): Promise<BrowserApp> {
	ensureBuild();
	const dir = tempDir(prefix);
	const servers: Server[] = [];
	let browser: Browser | undefined;
	const close = async () => {
		await browser?.close();
		await Promise.all(servers.map((s) => s.stop()));
		fs.rmSync(dir, { recursive: true, force: true });
	};
	try {
		const db = makeDb(dir);
		const emptyDb = path.join(dir, 'empty.duckdb');
		const status = adoption(['status', '--db', emptyDb]);
		if (status.code !== 0) throw new Error(`adoption status (making the empty database) failed:\n${status.stderr}`);
		// Settled one by one, so a server that started is stopped even when another fails.
		const started = await Promise.allSettled([db, emptyDb, path.join(dir, 'nope', 'missing.duckdb')].map(startServer));
		for (const r of started) if (r.status === 'fulfilled') servers.push(r.value);
		for (const r of started) if (r.status === 'rejected') throw r.reason;
		fs.mkdirSync(SHOTS, { recursive: true });
		browser = await chromium.launch({
			executablePath: CHROMIUM,
			args: [
				'--headless',
				'--no-sandbox',
				'--disable-gpu',
				'--disable-quic',
				'--no-first-run',
				'--disable-background-networking',
				'--disable-component-update',
				'--disable-sync'
			]
		});
		const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
		let pageErrors: string[] = [];
		page.on('pageerror', (err) => pageErrors.push(err.message));
		page.on('console', (msg) => {
			// The error pages' own 404/503 responses are logged by Chromium as failed resources: expected.
			if (msg.type() === 'error' && !/status of (404|503)/.test(msg.text())) pageErrors.push(msg.text());
		});
		const takePageErrors = () => {
			const taken = pageErrors;
			pageErrors = [];
			return taken;
		};
		const [data, empty, missing] = servers;
		return { page, data, empty, missing, takePageErrors, close };
	} catch (err) {
		await close();
		throw err;
	}
}
