/**
 * The CLI's side of the handoff: when a server owns the database (its handoff file is there and its process
 * alive), the CLI's commands send their work to it over loopback HTTP with the file's token: writes
 * (`load|train|score|derive`) as jobs whose progress they hear, reads (`metrics|cohorts|status`) and
 * changes to the team's people (`user …`) and live sources (`sources …`) answered at once. When none does, they open the file themselves. The same `kinds.ts` and `reads.ts` code runs
 * either way, so the output is the same.
 */
import fs from 'node:fs';
import { openDatabase, type Database } from '../db/connection.js';
import { handoffFile, type ServerHandoff } from '../db/owner.js';
import { localActor } from '../auth/audit.js';
import { parsePeopleRequest, runPeople, type PeopleDocs, type PeopleRequest } from '../auth/people.js';
import { parseSourcesRequest, runSources, type SourcesDocs, type SourcesRequest } from '../sources/registry.js';
import { getStatus } from '../status.js';
import { followUp, runJob, type JobOutcome, type JobProgress, type JobRequest } from './kinds.js';
import { runRead, type ReadDocs, type ReadRequest } from './reads.js';
import type { Job, JobEvent } from './queue.js';

/** The server that owns `dbPath`, or null when none does (no handoff file, or its process is gone). */
export function findServer(dbPath: string): ServerHandoff | null {
	let handoff: ServerHandoff;
	try {
		handoff = JSON.parse(fs.readFileSync(handoffFile(dbPath), 'utf8'));
	} catch {
		return null;
	}
	try {
		process.kill(handoff.pid, 0);
	} catch (err) {
		// EPERM: alive, but another user's; then the file was not ours to read anyway.
		if ((err as NodeJS.ErrnoException).code !== 'EPERM') return null;
	}
	return handoff;
}

/** The handoff file's token, which makes the CLI a leader to the server (people signed in or not). */
const bearer = (server: ServerHandoff) => ({ authorization: `Bearer ${server.token}` });

/** POSTs `body` as JSON to the server with the handoff file's token. */
async function post(server: ServerHandoff, path: string, body: unknown): Promise<Response> {
	try {
		return await fetch(server.url + path, {
			method: 'POST',
			headers: { ...bearer(server), 'content-type': 'application/json' },
			body: JSON.stringify(body)
		});
	} catch (err) {
		throw new Error(`the server holding ${server.db} (pid ${server.pid}) does not answer at ${server.url}: ${(err as Error).message}`, {
			cause: err
		});
	}
}

/** Runs a job through the server, hearing its progress; resolves with the job as it ended. */
async function throughServer(server: ServerHandoff, request: JobRequest, progress: (p: JobProgress) => void): Promise<Job> {
	const res = await post(server, '/api/jobs?watch', request);
	if (!res.ok || !res.body) {
		const body = (await res.json().catch(() => null)) as { message?: string } | null;
		throw new Error(`the server holding ${server.db} refused the job: ${body?.message ?? res.statusText}`);
	}
	const decoder = new TextDecoder();
	let buffered = '';
	let jobId: number | null = null;
	try {
		const reader = res.body.getReader();
		for (;;) {
			const { done, value } = await reader.read();
			if (done) break;
			buffered += decoder.decode(value, { stream: true });
			let nl: number;
			while ((nl = buffered.indexOf('\n')) >= 0) {
				const event = JSON.parse(buffered.slice(0, nl)) as JobEvent;
				buffered = buffered.slice(nl + 1);
				if (event.type === 'queued') jobId = event.job.job_id;
				else if (event.type === 'progress') progress(event.progress);
				else return event.job;
			}
		}
	} catch (err) {
		if (jobId === null) throw err;
	}
	// The stream broke (or ended early) after the job was queued: the job runs on regardless, so ask how it ends.
	if (jobId === null) throw new Error(`the server holding ${server.db} closed the connection before queueing the job`);
	return pollJob(server, jobId);
}

/** Asks the server about job `id` until it has ended. */
async function pollJob(server: ServerHandoff, id: number): Promise<Job> {
	for (;;) {
		const res = await fetch(`${server.url}/api/jobs/${id}`, { headers: bearer(server) });
		if (!res.ok) throw new Error(`the server holding ${server.db} lost job ${id}: ${res.statusText}`);
		const job = (await res.json()) as Job;
		if (job.state !== 'queued' && job.state !== 'running') return job;
		await new Promise((r) => setTimeout(r, 200));
	}
}

/**
 * Runs a writing job on `dbPath`: through the server that owns it, else on the file directly. Resolves
 * with the document and the failure the command prints and exits with; a job that could not run at all
 * (a crash, not a bad file) rejects with its one-line error.
 */
export async function perform(dbPath: string, request: JobRequest, progress: (p: JobProgress) => void): Promise<JobOutcome> {
	const server = findServer(dbPath);
	if (server) {
		const job = await throughServer(server, request, progress);
		if (job.result === null) throw new Error(job.error ?? `job ${job.job_id} ended without a result`);
		return { doc: job.result, failure: job.error ?? undefined };
	}
	const db = await openDatabase(dbPath);
	try {
		const outcome = await runJob(db, request.kind, request.params as never, progress);
		const next = followUp(request.kind, outcome);
		// The work itself is done and kept: a follow-up that fails is reported, not made the command's failure.
		if (next)
			await runJob(db, next.kind, next.params as never, () => {}).catch((err: Error) =>
				progress({ message: `Alerts not evaluated: ${err.message.split('\n')[0]}` })
			);
		return outcome;
	} finally {
		db.close();
	}
}

/**
 * A request answered at once (not a job): POSTed to the server that owns `dbPath` at `endpoint`, else
 * `direct` on the file. A refusal from the server rejects with its message, as `direct` would throw.
 */
async function answered<T>(dbPath: string, endpoint: string, request: unknown, direct: (db: Database) => Promise<T>): Promise<T> {
	const server = findServer(dbPath);
	if (server) {
		const res = await post(server, endpoint, request);
		const body = (await res.json().catch(() => null)) as (T & { message?: string }) | null;
		if (!res.ok || body === null)
			throw new Error(body?.message ?? `the server holding ${server.db} answered ${res.status} ${res.statusText}`);
		return body;
	}
	const db = await openDatabase(dbPath);
	try {
		return await direct(db);
	} finally {
		db.close();
	}
}

/** Runs a read (`adoption metrics|cohorts`) on `dbPath`: by the server that owns it, else on the file directly. */
export function performRead<R extends ReadRequest>(dbPath: string, request: R): Promise<ReadDocs[R['kind']]> {
	return answered(dbPath, '/api/reads', request, (db) => runRead(db, request));
}

/** Does a request about people (`adoption user …`) on `dbPath`: by the server that owns it, else on the file directly. */
export async function performPeople<R extends PeopleRequest>(dbPath: string, request: R): Promise<PeopleDocs[R['kind']]> {
	// Checked here first, so a mistake reads the same whether or not a server holds the file.
	const checked = parsePeopleRequest(request);
	return answered(dbPath, '/api/people', checked, (db) => runPeople(db, checked, localActor()));
}

/** Does a request about live sources (`adoption sources …`) on `dbPath`: by the server that owns it, else on the file directly. */
export async function performSources<R extends SourcesRequest>(dbPath: string, request: R): Promise<SourcesDocs[R['kind']]> {
	const checked = parseSourcesRequest(request);
	return answered(dbPath, '/api/sources', checked, (db) => runSources(db, checked, localActor()));
}

/** `adoption status`'s document: from the server that owns the file, else read directly. */
export async function readStatus(dbPath: string): Promise<{ doc: Awaited<ReturnType<typeof statusDoc>>; path: string }> {
	const server = findServer(dbPath);
	if (server) {
		const res = await fetch(`${server.url}/api/status`, { headers: bearer(server) });
		if (!res.ok) throw new Error(`the server holding ${server.db} could not tell its status: ${res.statusText}`);
		return { doc: await res.json(), path: server.db };
	}
	const db = await openDatabase(dbPath);
	try {
		return { doc: await statusDoc(db), path: db.path };
	} finally {
		db.close();
	}
}

/** What `adoption status --json` and `GET /api/status` print. */
export async function statusDoc(db: Awaited<ReturnType<typeof openDatabase>>) {
	const s = await getStatus(db);
	return { tables: s.tables, range: s.range, loads: s.loads, rejected_total: s.rejected_total };
}
