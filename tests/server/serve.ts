/**
 * `adoption serve` for the server tests: started on a database in its own process group, awaited until it
 * answers and has written its handoff file, stopped as Ctrl-C would (and killed for good after 10 s).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from '../browser/server.js';
import { ROOT } from '../helpers.js';

const BIN = path.join(ROOT, 'bin', 'adoption.js');
const servers: ChildProcess[] = [];
const logs = new Map<ChildProcess, () => string>();

/** What a server started by {@link serve} has printed so far. */
export function logOf(child: ChildProcess | undefined): string {
	return child ? (logs.get(child)?.() ?? '') : '';
}

/** Starts `adoption serve` on `db` and waits until it answers (any status: with people, unsigned requests get 401); returns its URL and process. */
export async function serve(db: string, env: Record<string, string> = {}): Promise<{ url: string; child: ChildProcess }> {
	const port = await freePort();
	const child = spawn(process.execPath, [BIN, 'serve', '--db', db, '--port', String(port)], {
		cwd: ROOT,
		detached: true,
		stdio: ['ignore', 'pipe', 'pipe'],
		env: { ...process.env, ...env }
	});
	let log = '';
	child.stdout?.on('data', (b) => (log += b));
	child.stderr?.on('data', (b) => (log += b));
	logs.set(child, () => log);
	servers.push(child);
	const url = `http://127.0.0.1:${port}`;
	for (let i = 0; i < 200; i++) {
		const answers = await fetch(`${url}/api/status`)
			.then((r) => r.status < 500)
			.catch(() => false);
		// Ready once it answers and has written the handoff file for the CLI.
		if (answers && fs.existsSync(`${db}.server.json`)) return { url, child };
		await new Promise((r) => setTimeout(r, 100));
	}
	throw new Error(`adoption serve on ${db} did not start within 20 s:\n${log}`);
}

/** Stops a server as Ctrl-C would, and for good after 10 s. */
export async function stop(child: ChildProcess): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) return;
	const exited = new Promise((r) => child.once('exit', r));
	process.kill(-child.pid!, 'SIGTERM');
	const kill = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 10_000);
	await exited;
	clearTimeout(kill);
}

/** Kills every server this worker started that is still running (for `afterAll`). */
export function killServers(): void {
	for (const s of servers) if (s.exitCode === null && s.signalCode === null) process.kill(-s.pid!, 'SIGKILL');
}
