/**
 * `npm run bench -- serve <accounts>`: the app as a team uses it. The sample is loaded once, with the
 * churn, CSAT and CES models trained and the accounts scored (kept as a base file and copied per run);
 * then the production build is served by `adoption serve` and driven over HTTP from this process:
 *
 * 1. **Open loop**: 50 users, each opening a page at random (exponential gaps, 5 s on average) for 60 s,
 *    from a cold cache, over a mix of the overview, worklist pages, the metrics page under varied
 *    filters (plan, segment, region, CSM, date ranges), list pages, the models and jobs pages and the
 *    JSON APIs. Goal: p99 ≤ 500 ms, no errors. Then the same users for another minute, on what the first
 *    cached (a team between two loads).
 * 2. **Closed loop**: 1, 4 and 16 clients asking back to back for 15 s each: the most requests a second.
 * 3. **Small loads** through the CLI, run by the server as jobs: 10 and 100,000 new events (job time;
 *    goals ≤ 2 s and ≤ 5 s), then a 2 M-row events file with the app idle.
 * 4. **Under a load**: on a fresh copy with the same small loads, the 2 M-row file loads through the CLI
 *    while the 50 users go on (until it ends, at least 60 s). Goals: no 5xx, p99 ≤ 3 s, the load at most
 *    1.5× slower than idle. Twice: from a cold cache, and after the users have worked for a minute.
 *
 * The server's resident memory is sampled throughout (goal: peak ≤ 3 GB). Figures go to stdout and to
 * `bench/out/serve-<accounts>.json`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { LISTS } from '../src/lib/server/metrics/lists.js';
import { mulberry32 } from '../src/lib/server/models/core/random.js';
import { METRICS } from '../src/lib/server/metrics/registry.js';
import { freePort } from '../tests/browser/server.js';
import { adoption, bin, eventsFile, log, out, readDb, root, sampleFiles, sampleUsers } from './sample.js';

const USERS = 50;
const MEAN_GAP_MS = 5000;
const OPEN_SECONDS = 60;

/** What the mix draws filter values from: the sample's own attribute values and dates. */
interface Choices {
	plans: string[];
	segments: string[];
	regions: string[];
	csms: string[];
	accounts: string[];
	end: string;
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The request mix: a kind (how results are grouped) with its weight and a URL maker. */
function requestMix(c: Choices): { kind: string; weight: number; url: (r: () => number) => string }[] {
	const pick = <T>(r: () => number, xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
	const endMs = Date.parse(c.end);
	const ranges = [30, 90, 180, 365].map((d) => `from=${day(endMs - d * 86_400_000)}&to=${c.end}`);
	const filter = (r: () => number) => {
		const f = [
			() => `plan=${encodeURIComponent(pick(r, c.plans))}`,
			() => `segment=${encodeURIComponent(pick(r, c.segments))}`,
			() => `region=${encodeURIComponent(pick(r, c.regions))}`,
			() => `csm=${encodeURIComponent(pick(r, c.csms))}`,
			() => pick(r, ranges),
			() => `plan=${encodeURIComponent(pick(r, c.plans))}&${pick(r, ranges)}`
		];
		return pick(r, f)();
	};
	return [
		{ kind: 'overview', weight: 15, url: () => '/' },
		{ kind: 'worklist', weight: 12, url: () => '/accounts' },
		{
			kind: 'worklist filtered',
			weight: 12,
			url: (r) =>
				pick(r, [
					() => '/accounts?band=high',
					() => `/accounts?csm=${encodeURIComponent(pick(r, c.csms))}`,
					() => `/accounts?page=${2 + Math.floor(r() * 4)}`,
					() => `/accounts?q=${encodeURIComponent(pick(r, c.accounts).slice(0, 5))}`,
					() => `/accounts?band=medium&plan=${encodeURIComponent(pick(r, c.plans))}`
				])()
		},
		{ kind: 'metrics', weight: 10, url: () => '/metrics' },
		{ kind: 'metrics filtered', weight: 20, url: (r) => `/metrics?${filter(r)}` },
		{ kind: 'list page', weight: 6, url: (r) => `/metrics/lists/${pick(r, LISTS).id}${r() < 0.5 ? '' : `?${filter(r)}`}` },
		{ kind: 'models', weight: 3, url: () => '/models' },
		{ kind: 'jobs', weight: 2, url: () => '/jobs' },
		{ kind: 'api metrics', weight: 8, url: (r) => (r() < 0.5 ? '/api/metrics' : `/api/metrics/${pick(r, METRICS).id}?${filter(r)}`) },
		{
			kind: 'api accounts',
			weight: 6,
			url: (r) => pick(r, ['/api/accounts?band=high', `/api/accounts?csm=${encodeURIComponent(pick(r, c.csms))}`])
		},
		{ kind: 'api lists', weight: 4, url: (r) => `/api/lists/${pick(r, LISTS).id}` },
		{ kind: 'api status', weight: 2, url: () => '/api/status' }
	];
}

interface Sample {
	kind: string;
	url: string;
	status: number;
	ms: number;
	at: number;
}

/** One request, its body read to the end; a connection that fails counts as status 0. */
async function request(base: string, kind: string, url: string): Promise<Sample> {
	const t0 = performance.now();
	let status: number;
	try {
		const res = await fetch(base + url);
		await res.arrayBuffer();
		status = res.status;
	} catch {
		status = 0;
	}
	return { kind, url, status, ms: performance.now() - t0, at: t0 };
}

function drawer(mix: ReturnType<typeof requestMix>, r: () => number) {
	const total = mix.reduce((a, m) => a + m.weight, 0);
	return () => {
		let x = r() * total;
		for (const m of mix) if ((x -= m.weight) < 0) return { kind: m.kind, url: m.url(r) };
		const last = mix.at(-1)!;
		return { kind: last.kind, url: last.url(r) };
	};
}

/** `USERS` users arriving at random until `seconds` have passed and `until` (if any) has settled. */
async function openLoop(base: string, mix: ReturnType<typeof requestMix>, seed: number, seconds: number, until?: Promise<unknown>) {
	let settled = !until;
	void until?.finally(() => (settled = true));
	const start = performance.now();
	const pending: Promise<Sample>[] = [];
	await Promise.all(
		Array.from({ length: USERS }, async (_, u) => {
			const r = mulberry32(seed * 1000 + u);
			const draw = drawer(mix, r);
			for (;;) {
				await new Promise((res) => setTimeout(res, -Math.log(1 - r()) * MEAN_GAP_MS));
				if (performance.now() - start > seconds * 1000 && settled) return;
				const { kind, url } = draw();
				pending.push(request(base, kind, url));
			}
		})
	);
	return Promise.all(pending);
}

/** `clients` clients asking back to back for `seconds`. */
async function closedLoop(base: string, mix: ReturnType<typeof requestMix>, clients: number, seconds: number) {
	const end = performance.now() + seconds * 1000;
	const samples: Sample[] = [];
	await Promise.all(
		Array.from({ length: clients }, async (_, c) => {
			const draw = drawer(mix, mulberry32(7000 + c));
			while (performance.now() < end) {
				const { kind, url } = draw();
				samples.push(await request(base, kind, url));
			}
		})
	);
	return { clients, seconds, requests: samples.length, per_second: samples.length / seconds, ...latency(samples) };
}

function percentile(sorted: number[], p: number): number {
	if (sorted.length === 0) return NaN;
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function latency(samples: Sample[]) {
	const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
	const round = (x: number) => Math.round(x);
	return {
		p50_ms: round(percentile(ms, 50)),
		p90_ms: round(percentile(ms, 90)),
		p99_ms: round(percentile(ms, 99)),
		max_ms: round(ms.at(-1) ?? NaN),
		errors: samples.filter((s) => s.status === 0 || s.status >= 500).length,
		statuses: Object.fromEntries(
			[...new Set(samples.map((s) => s.status))].sort().map((st) => [st, samples.filter((s) => s.status === st).length])
		)
	};
}

function summary(samples: Sample[]) {
	const kinds = [...new Set(samples.map((s) => s.kind))].sort();
	return {
		requests: samples.length,
		distinct_urls: new Set(samples.map((s) => s.url)).size,
		...latency(samples),
		by_kind: Object.fromEntries(
			kinds.map((k) => [k, { n: samples.filter((s) => s.kind === k).length, ...latency(samples.filter((s) => s.kind === k)) }])
		),
		slowest: [...samples]
			.sort((a, b) => b.ms - a.ms)
			.slice(0, 8)
			.map((s) => ({ url: s.url, ms: Math.round(s.ms), status: s.status }))
	};
}

/** A running `adoption serve` with its server's memory sampled. */
interface Served {
	url: string;
	child: ChildProcess;
	pid: number;
	peakRssMb: () => number;
	stop: () => Promise<void>;
}

async function serve(dbFile: string, models: string): Promise<Served> {
	const port = await freePort();
	const child = spawn(process.execPath, [bin, 'serve', '--db', dbFile, '--port', String(port)], {
		cwd: root,
		detached: true,
		stdio: ['ignore', 'ignore', 'inherit'],
		env: { ...process.env, ADOPTION_MODELS: models }
	});
	const url = `http://127.0.0.1:${port}`;
	const handoff = `${dbFile}.server.json`;
	for (let i = 0; ; i++) {
		const ok = await fetch(`${url}/api/status`)
			.then((r) => r.ok)
			.catch(() => false);
		if (ok && fs.existsSync(handoff)) break;
		if (i > 600) throw new Error('adoption serve did not start within 60 s');
		await new Promise((r) => setTimeout(r, 100));
	}
	const pid = JSON.parse(fs.readFileSync(handoff, 'utf8')).pid as number;
	let peak = 0;
	const rss = () => {
		try {
			const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
			if (m) peak = Math.max(peak, Number(m[1]) / 1024);
		} catch {
			// The server has ended: its last reading stands.
		}
	};
	const timer = setInterval(rss, 500);
	return {
		url,
		child,
		pid,
		peakRssMb: () => (rss(), Math.round(peak)),
		stop: async () => {
			rss();
			clearInterval(timer);
			const exited = new Promise((r) => child.once('exit', r));
			process.kill(-child.pid!, 'SIGTERM');
			await exited;
		}
	};
}

/** `adoption load <file>` through the running server, without blocking this process: the CLI's wall time and the job's own. */
async function loadThroughServer(served: Served, dbFile: string, file: string) {
	const t0 = performance.now();
	const child = spawn(process.execPath, [bin, 'load', file, '--db', dbFile, '--json'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
	let stdout = '';
	child.stdout.on('data', (b) => (stdout += b));
	const code = await new Promise<number | null>((r) => child.once('exit', r));
	const seconds = (performance.now() - t0) / 1000;
	if (code !== 0) throw new Error(`adoption load ${file} exited ${code}`);
	const doc = JSON.parse(stdout) as { files: { accepted: number }[] };
	const { jobs } = (await (await fetch(`${served.url}/api/jobs`)).json()) as { jobs: { started_at: string; finished_at: string }[] };
	const job = (Date.parse(jobs[0].finished_at) - Date.parse(jobs[0].started_at)) / 1000;
	return { accepted: doc.files[0].accepted, cli_seconds: seconds, job_seconds: job };
}

/** The base file: the sample loaded, models trained, accounts scored. Made once per size. */
async function baseDatabase(accounts: number): Promise<{ base: string; models: string }> {
	const base = path.join(out, 'db', `serve-${accounts}.base.duckdb`);
	const models = path.join(out, `serve-models-${accounts}`);
	if (fs.existsSync(`${base}.ready`)) return { base, models };
	fs.mkdirSync(path.dirname(base), { recursive: true });
	for (const f of [base, `${base}.wal`]) fs.rmSync(f, { force: true });
	fs.rmSync(models, { recursive: true, force: true });
	const files = sampleFiles(accounts);
	log('  loading the sample…');
	adoption(['load', ...files, '--db', base]);
	for (const model of ['churn', 'csat', 'ces']) {
		log(`  training ${model}…`);
		adoption(['train', '--model', model, '--db', base], { ADOPTION_MODELS: models });
	}
	log('  scoring…');
	adoption(['score', '--db', base], { ADOPTION_MODELS: models });
	fs.writeFileSync(`${base}.ready`, '');
	return { base, models };
}

function copyOf(base: string, name: string): string {
	const file = path.join(out, 'db', name);
	for (const f of [file, `${file}.wal`, `${file}.server.json`]) fs.rmSync(f, { force: true });
	fs.copyFileSync(base, file);
	return file;
}

const line = (label: string, s: ReturnType<typeof latency> & { requests?: number }) =>
	`  ${label}: ${s.requests ?? ''} requests, p50 ${s.p50_ms} ms, p90 ${s.p90_ms} ms, p99 ${s.p99_ms} ms, max ${s.max_ms} ms, errors ${s.errors}`;

/** Runs the serving benchmark at `accounts` accounts. */
export async function serveBench(accounts: number): Promise<void> {
	log(`serve benchmark, ${accounts.toLocaleString('en-US')} accounts`);
	const { base, models } = await baseDatabase(accounts);
	log('  building the web app…');
	const built = spawnSync('npx', ['vite', 'build'], { cwd: root, stdio: 'ignore' });
	if (built.status !== 0) throw new Error('npx vite build failed');

	const [attrs] = await readDb<{ plans: string[]; segments: string[]; regions: string[]; csms: string[]; accounts: string[] }>(
		base,
		`SELECT list(DISTINCT plan) FILTER (plan IS NOT NULL) AS plans, list(DISTINCT segment) FILTER (segment IS NOT NULL) AS segments,
		        list(DISTINCT region) FILTER (region IS NOT NULL) AS regions, list(DISTINCT csm) FILTER (csm IS NOT NULL) AS csms,
		        (list(name ORDER BY account_id) FILTER (name IS NOT NULL))[1:200] AS accounts
		 FROM accounts`
	);
	const [{ end }] = await readDb<{ end: string }>(base, `SELECT strftime(max(timestamp), '%Y-%m-%d') AS end FROM events`);
	const mix = requestMix({ ...attrs, end });
	const sample = await sampleUsers(base);
	const small = [10, 100_000].map((n) => {
		const file = path.join(out, `events-serve-${n}.csv`);
		eventsFile(file, n, `serve-${n}`, sample);
		return { n, file };
	});
	const bigFile = path.join(out, 'events-serve-2m.csv');
	if (!fs.existsSync(bigFile)) {
		log('  writing the 2 M-row events file…');
		eventsFile(bigFile, 2_000_000, 'serve-2m', sample);
	}
	const result: Record<string, unknown> = { bench: 'serve', accounts, users: USERS, mean_gap_s: MEAN_GAP_MS / 1000 };

	// 1–3 on one copy.
	const first = copyOf(base, `serve-${accounts}.duckdb`);
	let served = await serve(first, models);
	log(`  open loop: ${USERS} users, a page every ${MEAN_GAP_MS / 1000} s on average, ${OPEN_SECONDS} s, cold cache…`);
	const open = summary(await openLoop(served.url, mix, 1, OPEN_SECONDS));
	log(`${line('open loop', open)}; ${open.distinct_urls} distinct URLs`);
	result.open_loop = open;
	// The same users for another minute on what the first one cached: a team's steady state between loads.
	const warm = summary(await openLoop(served.url, mix, 3, OPEN_SECONDS));
	log(`${line('open loop, the minute after', warm)}; ${warm.distinct_urls} distinct URLs`);
	result.open_loop_warm = warm;
	const closed = [];
	for (const clients of [1, 4, 16]) {
		const c = await closedLoop(served.url, mix, clients, 15);
		log(`${line(`closed loop, ${clients} client(s)`, c)}; ${c.per_second.toFixed(1)} requests/s`);
		closed.push(c);
	}
	result.closed_loop = closed;
	const loads: Record<string, unknown> = {};
	for (const { n, file } of small) {
		const l = await loadThroughServer(served, first, file);
		log(
			`  load of ${n.toLocaleString('en-US')} new events through the server: job ${l.job_seconds.toFixed(2)} s (CLI ${l.cli_seconds.toFixed(2)} s)`
		);
		loads[`events_${n}`] = l;
	}
	const idle = await loadThroughServer(served, first, bigFile);
	log(`  2 M-row load, app idle: job ${idle.job_seconds.toFixed(1)} s (CLI ${idle.cli_seconds.toFixed(1)} s)`);
	loads.events_2m_idle = idle;
	result.loads = loads;
	const peakFirst = served.peakRssMb();
	await served.stop();

	// 4 on fresh copies in the same state: from a cold cache, and after the users have worked for a minute.
	let peakSecond = 0;
	for (const warmFirst of [false, true]) {
		const copy = copyOf(base, `serve-${accounts}.duckdb`);
		served = await serve(copy, models);
		for (const { file } of small) await loadThroughServer(served, copy, file);
		if (warmFirst) {
			log('  a minute of the 50 users, then the 2 M-row load under them…');
			await openLoop(served.url, mix, 4, OPEN_SECONDS);
		} else log('  open loop while the 2 M-row file loads, cold cache…');
		const loading = loadThroughServer(served, copy, bigFile);
		const during = summary(await openLoop(served.url, mix, warmFirst ? 5 : 2, OPEN_SECONDS, loading));
		const busy = await loading;
		const label = warmFirst ? 'during the load, after a minute of use' : 'during the load, cold cache';
		log(line(label, during));
		log(`  2 M-row load under traffic: job ${busy.job_seconds.toFixed(1)} s (${(busy.job_seconds / idle.job_seconds).toFixed(2)}× idle)`);
		result[warmFirst ? 'during_load_warm' : 'during_load'] = { ...during, load: busy, slowdown: busy.job_seconds / idle.job_seconds };
		peakSecond = Math.max(peakSecond, served.peakRssMb());
		await served.stop();
	}
	result.server_peak_rss_mb = Math.max(peakFirst, peakSecond);
	log(`  server peak RSS: ${result.server_peak_rss_mb} MB`);

	fs.writeFileSync(path.join(out, `serve-${accounts}.json`), JSON.stringify(result, null, 2));
	process.stdout.write(JSON.stringify(result) + '\n');
}
