/**
 * `adoption serve` owns its database: a second server on the file refuses; `adoption load|status` hand their
 * work to the running server and print the same JSON and exit codes as alone; pages answer while a load
 * runs as a job; a server killed mid-load restarts with the database as before the load and the job failed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../browser/server.js';
import { adoption as cli, fixture, ROOT, tempDir } from '../helpers.js';
import { killServers, logOf, serve, stop } from './serve.js';

const BIN = path.join(ROOT, 'bin', 'adoption.js');

const dir = tempDir('adoption-owner-');

/** GET as JSON; one retry when the connection drops (a kept-alive socket the server closed as it was reused). */
async function getJson(url: string, server?: ChildProcess): Promise<Record<string, unknown> & { jobs?: { state: string }[] }> {
	for (let attempt = 0; ; attempt++) {
		try {
			return await (await fetch(url)).json();
		} catch (err) {
			if (attempt > 0)
				throw new Error(`GET ${url} failed: ${(err as Error).message}; server output:\n${server ? logOf(server) : ''}`, {
					cause: err
				});
		}
	}
}
afterAll(() => {
	killServers();
	fs.rmSync(dir, { recursive: true, force: true });
});

/** The CLI's JSON with what differs between any two runs (ids, timings) blanked. */
const comparable = (json: string) => JSON.parse(json.replace(/"(load_id|seconds)": [\d.e-]+/g, '"$1": 0'));

/** An events file big enough that loading it takes a few seconds. */
function bigEvents(file: string, rows: number): void {
	const lines = ['event_id,user_id,account_id,event,timestamp,page'];
	for (let i = 0; i < rows; i++)
		lines.push(
			`big${i},u${i % 500},,Page Viewed,2024-03-${String(1 + (i % 28)).padStart(2, '0')}T10:${String(i % 60).padStart(2, '0')}:00Z,/p${i % 50}`
		);
	fs.writeFileSync(file, lines.join('\n') + '\n');
}

describe('adoption serve owns its database', () => {
	it('refuses a second server on the same file with a one-line reason', async () => {
		const db = path.join(dir, 'twice.duckdb');
		const first = await serve(db);
		try {
			const second = cli(['serve', '--db', db, '--port', String(await freePort())]);
			expect(second.code).not.toBe(0);
			expect(second.stderr.trim().split('\n')).toHaveLength(1);
			expect(second.stderr).toMatch(/is already served by process \d+ at http:\/\/127\.0\.0\.1:\d+: one server per database/);
		} finally {
			await stop(first.child);
		}
	});

	// About twenty CLI runs, a few seconds each while the CI machine is busy with the other test worker.
	it('takes the CLI’s writes and reads through the server, printing the same JSON and exit codes as alone', async () => {
		const files = [fixture('ingest', 'accounts.csv'), fixture('ingest', 'tickets.csv')];
		const aloneDb = path.join(dir, 'alone.duckdb');
		const servedDb = path.join(dir, 'served.duckdb');
		const alone = cli(['load', ...files, '--db', aloneDb, '--json']);
		const aloneBad = cli(['load', fixture('ingest', 'binary.csv'), '--db', aloneDb, '--json']);
		const aloneStatus = cli(['status', '--db', aloneDb, '--json']);
		const server = await serve(servedDb);
		try {
			const via = cli(['load', ...files, '--db', servedDb, '--json']);
			expect(via.code, `${via.stderr}\n${logOf(server.child)}`).toBe(alone.code);
			expect(comparable(via.stdout)).toEqual(comparable(alone.stdout));
			const viaBad = cli(['load', fixture('ingest', 'binary.csv'), '--db', servedDb, '--json']);
			expect([viaBad.code, viaBad.stderr], logOf(server.child)).toEqual([aloneBad.code, aloneBad.stderr]);
			expect(viaBad.code).toBe(1);
			const viaStatus = cli(['status', '--db', servedDb, '--json']);
			const strip = (s: string) =>
				JSON.parse(s).loads.map(({ file, outcome, accepted }: Record<string, unknown>) => ({ file, outcome, accepted }));
			expect(strip(viaStatus.stdout)).toEqual(strip(aloneStatus.stdout));
			// Reads are answered by the server, with the same document.
			for (const args of [
				['metrics', '--plan', 'pro'],
				['metrics', '--metric', 'ticket_volume', '--trend', 'month'],
				['metrics', '--list', 'topics_trending'],
				['cohorts', 'activation', '--weeks', '4']
			]) {
				const [a, v] = [aloneDb, servedDb].map((db) => cli([...args, '--db', db, '--json']));
				expect([v.code, v.stderr], args.join(' ')).toEqual([0, '']);
				// Each metric's compute time is the one field that differs between any two runs.
				const doc = (json: string) => ({ ...JSON.parse(json), timings_ms: undefined });
				expect(doc(v.stdout), args.join(' ')).toEqual(doc(a.stdout));
			}
			const tables = (json: string) => JSON.parse(json).rebuilt.map((t: { name: string; rows: number }) => [t.name, t.rows]);
			const [aloneDerive, viaDerive] = [aloneDb, servedDb].map((db) => cli(['derive', '--rebuild', '--db', db, '--json']));
			expect(viaDerive.code, viaDerive.stderr).toBe(0);
			expect(tables(viaDerive.stdout)).toEqual(tables(aloneDerive.stdout));
			// The writes ran as jobs of the server; the load that succeeded was followed by an evaluation of the alert rules.
			const { jobs } = await (await fetch(`${server.url}/api/jobs`)).json();
			expect(jobs.map((j: { kind: string; state: string; params: unknown }) => [j.kind, j.state, j.params])).toEqual([
				['derive', 'succeeded', { rebuild: true }],
				['load', 'failed', expect.anything()],
				['evaluate', 'succeeded', { trigger: 'load' }],
				['load', 'succeeded', expect.anything()]
			]);
		} finally {
			await stop(server.child);
		}
		expect(fs.existsSync(`${servedDb}.server.json`)).toBe(false);
	}, 180_000);

	it('changes the team’s people through the server as alone: the same JSON, the same refusals', async () => {
		const aloneDb = path.join(dir, 'people-alone.duckdb');
		const servedDb = path.join(dir, 'people-served.duckdb');
		const steps: [string[], string?][] = [
			[['user', 'add', 'bo@example.com', '--role', 'csm', '--csm', 'Dana', '--password-stdin'], 'correct horse battery\n'],
			[['user', 'add', 'BO@example.com', '--role', 'analyst']]
		];
		// What differs between any two runs: ids, times, a generated password.
		const comparablePeople = (json: string) =>
			JSON.parse(json.replace(/"(person_id|created_at|updated_at|password)": ("[^"]*"|\d+)/g, '"$1": 0'));
		const alone = steps.map(([args, input]) => cli([...args, '--db', aloneDb, '--json'], {}, input));
		const server = await serve(servedDb);
		try {
			for (const [i, [args, input]] of steps.entries()) {
				const via = cli([...args, '--db', servedDb, '--json'], {}, input);
				expect([via.code, via.stderr], args.join(' ')).toEqual([alone[i].code, alone[i].stderr]);
				if (via.code === 0) expect(comparablePeople(via.stdout), args.join(' ')).toEqual(comparablePeople(alone[i].stdout));
			}
		} finally {
			await stop(server.child);
		}
		expect(alone.map((r) => r.code)).toEqual([0, 1]);
		expect(alone[1].stderr).toBe('adoption: bo@example.com is already a person here (adoption user list)\n');
		expect(JSON.parse(alone[0].stdout)).toMatchObject({ person: { email: 'bo@example.com', csm: 'Dana' }, book_accounts: 0 });
	}, 120_000);

	it('answers pages during a load, and after being killed mid-load keeps the database as before it, the job failed', async () => {
		const db = path.join(dir, 'killed.duckdb');
		const big = path.join(dir, 'events-big.csv');
		bigEvents(big, 600_000);
		expect(cli(['load', fixture('ingest', 'accounts.csv'), '--db', db]).code).toBe(0);
		const server = await serve(db);
		const before = (await getJson(`${server.url}/api/status`, server.child)).tables;

		// A load through the server, watched until it runs; pages answer meanwhile.
		const loading = spawn(process.execPath, [BIN, 'load', big, '--db', db, '--json'], { cwd: ROOT, stdio: 'ignore' });
		const loaded = new Promise<number | null>((r) => loading.once('exit', r));
		let running = false;
		for (let i = 0; i < 300 && !running; i++) {
			const { jobs } = await getJson(`${server.url}/api/jobs`, server.child);
			running = jobs?.[0]?.state === 'running';
			if (!running) await new Promise((r) => setTimeout(r, 50));
		}
		expect(running).toBe(true);
		const statuses = await Promise.all(['/', '/metrics', '/jobs', '/api/status'].map(async (p) => (await fetch(server.url + p)).status));
		expect(statuses).toEqual([200, 200, 200, 200]);

		// Killed without warning while the load's transaction is open.
		const { pid } = JSON.parse(fs.readFileSync(`${db}.server.json`, 'utf8'));
		expect((await getJson(`${server.url}/api/jobs`, server.child)).jobs?.[0].state).toBe('running');
		process.kill(pid, 'SIGKILL');
		expect(await loaded).not.toBe(0);
		// `adoption serve` ends when its server does (it may have already).
		if (server.child.exitCode === null && server.child.signalCode === null) await new Promise((r) => server.child.once('exit', r));

		const again = await serve(db);
		try {
			expect((await (await fetch(`${again.url}/api/status`)).json()).tables).toEqual(before);
			const { jobs } = await (await fetch(`${again.url}/api/jobs`)).json();
			expect(jobs[0]).toMatchObject({
				kind: 'load',
				state: 'failed',
				error: expect.stringMatching(/server stopped before the job finished/)
			});
		} finally {
			await stop(again.child);
		}
	}, 120_000);

	it('loads files uploaded on the Load page as a job, and refuses one over the size cap with 413, changing nothing', async () => {
		const db = path.join(dir, 'uploads.duckdb');
		const server = await serve(db, { ADOPTION_UPLOAD_LIMIT: '4KB' });
		try {
			const put = (batch: string, name: string, body: Buffer) =>
				fetch(`${server.url}/api/uploads/${batch}/${name}`, {
					method: 'PUT',
					body: new Uint8Array(body),
					headers: { 'content-type': 'application/octet-stream' }
				});
			const { batch } = await (await fetch(`${server.url}/api/uploads`, { method: 'POST' })).json();
			const big = await put(batch, 'events.csv', Buffer.alloc(5000, 'x'));
			expect(big.status).toBe(413);
			expect((await big.json()).message).toMatch(/over the upload limit/);
			expect(fs.existsSync(path.join(dir, 'uploads', batch, 'events.csv'))).toBe(false);
			expect((await fetch(`${server.url}/api/uploads/${batch}`, { method: 'POST' })).status).toBe(400);
			expect((await (await fetch(`${server.url}/api/jobs`)).json()).jobs).toEqual([]);

			for (const f of ['accounts.csv', 'tickets.csv']) {
				expect((await put(batch, f, fs.readFileSync(fixture('ingest', f)))).status).toBe(201);
			}
			expect((await put(batch, '..%2Fescape.csv', Buffer.from('a'))).status).toBe(400);
			const job = await (await fetch(`${server.url}/api/uploads/${batch}`, { method: 'POST' })).json();
			let done = job;
			for (let i = 0; i < 100 && (done.state === 'queued' || done.state === 'running'); i++) {
				await new Promise((r) => setTimeout(r, 100));
				done = await (await fetch(`${server.url}/api/jobs/${job.job_id}`)).json();
			}
			expect(done.state).toBe('succeeded');
			expect(done.result.files.map((f: { table: string; accepted: number }) => [f.table, f.accepted])).toEqual([
				['accounts', 3],
				['tickets', 2]
			]);
			expect((await (await fetch(`${server.url}/api/status`)).json()).tables).toMatchObject({ accounts: 3, tickets: 2 });
		} finally {
			await stop(server.child);
		}
	}, 60_000);
});
