/**
 * `npm run bench -- ingest-api <accounts>`: the Segment-compatible tracking API under a steady stream. The
 * sample at `accounts` accounts is loaded once (kept as `db/ingest-api-<n>.base.duckdb`, copied per run), a
 * Segment source is added, and `adoption serve` takes calls from this process:
 *
 * 1. **Steady**: 60 s at 10,000 events/s (20 `/v1/batch` requests a second of 500 track calls each, on the
 *    sample's own users, sent on a fixed timetable whatever the answers' pace: an open loop). Reported: the
 *    rate acknowledged, acknowledgement latency p50/p99/max, and the time from a request's acknowledgement
 *    until its events are in the tables (the source's loaded row count, polled every 100 ms, reaching the
 *    count acknowledged up to it), p50/p99/max. Goals: ≥ 10,000 events/s, ack p99 ≤ 200 ms, queryable ≤ 10 s.
 * 2. **Ceiling**: 20 s of 8 clients sending back to back: the most the API acknowledges, and how far the
 *    loader falls behind meanwhile (what waits in the spool at the end, and how long it takes to drain).
 *
 * Figures go to stdout and `bench/out/ingest-api-<accounts>.json`.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from '../tests/browser/server.js';
import { adoption, bin, log, out, root, sampleFiles, sampleUsers } from './sample.js';

const BATCH = 500;
const RATE = 10_000;
const STEADY_S = 60;
const CEILING_S = 20;
const CLIENTS = 8;

const pct = (xs: number[], p: number) => {
	if (!xs.length) return NaN;
	const s = [...xs].sort((a, b) => a - b);
	return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]);
};

async function baseDatabase(accounts: number): Promise<string> {
	const base = path.join(out, 'db', `ingest-api-${accounts}.base.duckdb`);
	if (fs.existsSync(`${base}.ready`)) return base;
	fs.mkdirSync(path.dirname(base), { recursive: true });
	for (const f of [base, `${base}.wal`]) fs.rmSync(f, { force: true });
	log('  loading the sample…');
	adoption(['load', ...sampleFiles(accounts), '--db', base]);
	fs.writeFileSync(`${base}.ready`, '');
	return base;
}

/** Runs the tracking API benchmark on the sample at `accounts` accounts. */
export async function ingestApiBench(accounts: number): Promise<void> {
	log(`ingest-api benchmark, ${accounts.toLocaleString('en-US')} accounts`);
	const base = await baseDatabase(accounts);
	const dbFile = path.join(out, 'db', `ingest-api-${accounts}.duckdb`);
	for (const f of [dbFile, `${dbFile}.wal`, `${dbFile}.server.json`, `${dbFile}.key`]) fs.rmSync(f, { force: true });
	fs.rmSync(`${dbFile}.spool`, { recursive: true, force: true });
	fs.copyFileSync(base, dbFile);
	const sample = await sampleUsers(base);
	const key = String(adoption(['sources', 'add', 'segment', '--name', 'bench', '--db', dbFile]).doc.write_key);

	const port = await freePort();
	const child = spawn(process.execPath, [bin, 'serve', '--db', dbFile, '--port', String(port)], {
		cwd: root,
		detached: true,
		stdio: ['ignore', 'ignore', 'inherit']
	});
	const url = `http://127.0.0.1:${port}`;
	for (let i = 0; ; i++) {
		if (
			await fetch(`${url}/api/status`).then(
				(r) => r.ok,
				() => false
			)
		)
			break;
		if (i > 600) throw new Error('adoption serve did not start within 60 s');
		await new Promise((r) => setTimeout(r, 100));
	}
	const auth = `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
	const names = ['Report Run', 'Workflow Triggered', 'Automation Run', 'Article Viewed', 'Dashboard Viewed'];
	let seq = 0;
	const body = () => {
		const at = new Date(sample.end - 3_600_000).toISOString();
		const batch = Array.from({ length: BATCH }, () => {
			const i = seq++;
			const u = sample.users[(i * 7919) % sample.users.length];
			return {
				type: 'track',
				messageId: `bench-${i}`,
				userId: u.user_id,
				event: names[i % names.length],
				timestamp: at,
				properties: { account_id: u.account_id, plan: 'pro', step: i % 7, source: 'bench' },
				context: { library: { name: 'bench', version: '1' } }
			};
		});
		return JSON.stringify({ batch, sentAt: new Date().toISOString() });
	};
	const send = async () => {
		const text = body();
		const t0 = performance.now();
		const res = await fetch(`${url}/v1/batch`, {
			method: 'POST',
			headers: { authorization: auth, 'content-type': 'application/json' },
			body: text
		});
		await res.arrayBuffer();
		return { ok: res.status === 200, ms: performance.now() - t0, at: performance.now() };
	};
	const loaded = async () => {
		const { sources } = (await (await fetch(`${url}/api/sources`)).json()) as { sources: { rows_in: number; waiting: number | null }[] };
		return { rows: sources[0].rows_in, waiting: sources[0].waiting ?? 0 };
	};

	// Phase 1: the steady stream, with the loaded count polled.
	log(`  steady: ${RATE.toLocaleString('en-US')} events/s for ${STEADY_S} s…`);
	const polls: { at: number; rows: number }[] = [];
	let polling = true;
	const poller = (async () => {
		while (polling) {
			polls.push({ at: performance.now(), ...(await loaded()) });
			await new Promise((r) => setTimeout(r, 100));
		}
	})();
	const start = performance.now();
	const perSecond = RATE / BATCH;
	const acks: { ok: boolean; ms: number; at: number }[] = [];
	const inflight: Promise<void>[] = [];
	for (let k = 0; k < perSecond * STEADY_S; k++) {
		const due = start + (k * 1000) / perSecond;
		const wait = due - performance.now();
		if (wait > 0) await new Promise((r) => setTimeout(r, wait));
		inflight.push(send().then((a) => void acks.push(a)));
	}
	await Promise.all(inflight);
	const sentS = (performance.now() - start) / 1000;
	const okAcks = acks.filter((a) => a.ok).sort((a, b) => a.at - b.at);
	// Wait until everything acknowledged is loaded (at most 60 s more).
	for (let i = 0; i < 600 && (polls.at(-1)?.rows ?? 0) < okAcks.length * BATCH; i++) await new Promise((r) => setTimeout(r, 100));
	polling = false;
	await poller;
	const queryable = okAcks.map((a, i) => {
		const need = (i + 1) * BATCH;
		const seen = polls.find((p) => p.at >= a.at && p.rows >= need);
		return seen ? seen.at - a.at : Infinity;
	});
	const steady = {
		requests: acks.length,
		errors: acks.length - okAcks.length,
		events_per_s: Math.round((okAcks.length * BATCH) / sentS),
		ack_p50_ms: pct(
			acks.map((a) => a.ms),
			50
		),
		ack_p99_ms: pct(
			acks.map((a) => a.ms),
			99
		),
		ack_max_ms: Math.round(Math.max(...acks.map((a) => a.ms))),
		queryable_p50_ms: pct(queryable, 50),
		queryable_p99_ms: pct(queryable, 99),
		queryable_max_ms: Math.round(Math.max(...queryable))
	};
	log(
		`  steady: ${steady.events_per_s.toLocaleString('en-US')} events/s acknowledged (${steady.errors} errors); ack p50 ${steady.ack_p50_ms} ms, p99 ${steady.ack_p99_ms} ms, max ${steady.ack_max_ms} ms; queryable p50 ${steady.queryable_p50_ms} ms, p99 ${steady.queryable_p99_ms} ms, max ${steady.queryable_max_ms} ms`
	);

	// Phase 2: the ceiling.
	log(`  ceiling: ${CLIENTS} clients back to back for ${CEILING_S} s…`);
	const before = (await loaded()).rows;
	const t0 = performance.now();
	const lat: number[] = [];
	let events = 0;
	await Promise.all(
		Array.from({ length: CLIENTS }, async () => {
			while (performance.now() - t0 < CEILING_S * 1000) {
				const a = await send();
				lat.push(a.ms);
				if (a.ok) events += BATCH;
			}
		})
	);
	const seconds = (performance.now() - t0) / 1000;
	const atEnd = await loaded();
	const d0 = performance.now();
	let drained = atEnd;
	while (drained.rows - before < events && performance.now() - d0 < 120_000) {
		await new Promise((r) => setTimeout(r, 100));
		drained = await loaded();
	}
	const ceiling = {
		events_per_s: Math.round(events / seconds),
		ack_p50_ms: pct(lat, 50),
		ack_p99_ms: pct(lat, 99),
		loaded_per_s: Math.round((atEnd.rows - before) / seconds),
		waiting_at_end: atEnd.waiting,
		drain_s: Number(((performance.now() - d0) / 1000).toFixed(1))
	};
	log(
		`  ceiling: ${ceiling.events_per_s.toLocaleString('en-US')} events/s acknowledged (ack p50 ${ceiling.ack_p50_ms} ms, p99 ${ceiling.ack_p99_ms} ms); loaded meanwhile ${ceiling.loaded_per_s.toLocaleString('en-US')} events/s; ${ceiling.waiting_at_end.toLocaleString('en-US')} waiting at the end, drained in ${ceiling.drain_s} s`
	);
	const exited = new Promise((r) => child.once('exit', r));
	process.kill(-child.pid!, 'SIGTERM');
	await exited;
	const result = { accounts, batch: BATCH, steady, ceiling };
	fs.writeFileSync(path.join(out, `ingest-api-${accounts}.json`), JSON.stringify(result, null, 2));
	process.stdout.write(JSON.stringify(result, null, 2) + '\n');
}
