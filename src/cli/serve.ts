import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isLoopback } from '../lib/server/auth/guard.js';
import { hasPeople } from '../lib/server/auth/people.js';
import { openDatabase } from '../lib/server/db/connection.js';
import { findServer } from '../lib/server/jobs/channel.js';
import { CliError, type Output } from './output.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * `adoption serve [--port N] [--host H]`: the built web app on the database, which it owns for its lifetime
 * (see `db/owner.ts`: CLI writes go through it as jobs), on 127.0.0.1 unless `--host` says otherwise, which is
 * refused while the database has no people (local mode answers on this machine only, without sign-in). Builds the app first when there is no build; refuses
 * when another process already serves or writes the file.
 */
export async function serveCommand(opts: { db: string; port: string; host: string }, out: Output) {
	const port = Number(opts.port);
	if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be a port number, not '${opts.port}'`, 2);
	const running = findServer(opts.db);
	if (running)
		throw new CliError(`${path.resolve(opts.db)} is already served by process ${running.pid} at ${running.url}: one server per database`);
	// Bring the schema up to date (and see that no other process holds the file) before the server takes it.
	let peopled: boolean;
	try {
		const db = await openDatabase(opts.db);
		peopled = await hasPeople(db).finally(() => db.close());
	} catch (err) {
		const msg = (err as Error).message;
		const holder = /Conflicting lock is held in (.*?) \(PID (\d+)\)/.exec(msg);
		if (holder)
			throw new CliError(
				`${path.resolve(opts.db)} is in use by process ${holder[2]} (${holder[1]}): one process writes a database at a time`
			);
		throw err;
	}
	if (!peopled && !isLoopback(opts.host) && opts.host !== 'localhost') {
		throw new CliError(
			`--host ${opts.host} would open the app beyond this machine while nobody has been added to sign in: add a leader first (adoption user add EMAIL --role leader)`,
			2
		);
	}
	const entry = path.join(root, 'build', 'index.js');
	if (!fs.existsSync(entry)) {
		out.info('Building the web app (first run)…');
		const built = spawnSync('npx', ['vite', 'build'], { cwd: root, stdio: out.json ? 'ignore' : 'inherit' });
		if (built.status !== 0) throw new CliError('building the web app failed (npx vite build)');
	}
	const dbPath = path.resolve(opts.db);
	const origin = process.env.ORIGIN ?? `http://${opts.host}:${port}`;
	out.info(`Serving ${dbPath} on ${origin}`);
	if (!process.env.ORIGIN && !isLoopback(opts.host) && opts.host !== 'localhost') {
		out.info(`Set ORIGIN to the address people open (e.g. https://adoption.example.com): sign-in forms from any other are refused.`);
	}
	out.result({ url: `http://${opts.host}:${port}`, db: dbPath });
	const child = spawn(process.execPath, [entry], {
		// With --json, stdout holds the one JSON document; the server's own lines go to stderr.
		stdio: ['inherit', out.json ? 2 : 'inherit', 'inherit'],
		env: {
			...process.env,
			HOST: opts.host,
			PORT: String(port),
			ADOPTION_DB: dbPath,
			// The server owns the file: it holds it read-write and runs the CLI's writes as jobs.
			ADOPTION_OWN: '1',
			// Uploads stream to disk under the app's own cap (ADOPTION_UPLOAD_LIMIT), not adapter-node's 512 KB.
			BODY_SIZE_LIMIT: process.env.BODY_SIZE_LIMIT ?? 'Infinity',
			// The address people open: forms (sign-in) posted from any other origin are refused as cross-site.
			ORIGIN: origin
		}
	});
	for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.kill(sig));
	await new Promise<void>((resolve, reject) => {
		child.on('exit', (code) => (code === 0 || code === null ? resolve() : reject(new CliError(`the web server exited with code ${code}`))));
	});
}
