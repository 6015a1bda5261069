/**
 * Helpers for the browser tests: build the app when needed, make databases with the real CLI, and run
 * the built server (`node build/index.js`) on a free port.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ROOT } from '../helpers.js';

const ENTRY = path.join(ROOT, 'build', 'index.js');

/** Newest modification time of any file under `dir` (0 when there is none). */
function newestMtime(dir: string): number {
	let newest = 0;
	for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
		const p = path.join(dir, entry.name);
		newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
	}
	return newest;
}

/**
 * Builds the app when `build/index.js` is missing or older than the sources, so the test never drives
 * a stale build of pages someone has just changed.
 */
export function ensureBuild(): void {
	const built = fs.existsSync(ENTRY) ? fs.statSync(ENTRY).mtimeMs : 0;
	if (built > newestMtime(path.join(ROOT, 'src'))) return;
	const r = spawnSync('npx', ['vite', 'build'], { cwd: ROOT, encoding: 'utf8' });
	if (r.status !== 0) throw new Error(`npx vite build failed:\n${r.stdout}\n${r.stderr}`);
}

/** Runs `adoption <args>` through the bin, as a user would; returns the exit code and output. */
export function adoption(args: string[]) {
	const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'adoption.js'), ...args], { cwd: ROOT, encoding: 'utf8' });
	return { code: r.status, stdout: r.stdout, stderr: r.stderr };
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
