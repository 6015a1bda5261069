/**
 * Ingest benchmark: `npm run bench -- ingest [rows] [repeats]` (with repeats, the fastest run counts).
 *
 * 1. Writes a synthetic events file of `rows` rows in each format (`bench/out/events-<rows>.{parquet,csv,jsonl}`)
 *    and 2,000 accounts (`bench/out/accounts.csv`) with DuckDB `COPY (SELECT … FROM range(n)) TO …`.
 *    The generation is deterministic, so existing files are reused; delete `bench/out/` to regenerate.
 *    Events: UUID-like event_id, user_id (50,000 users), account_id (NULL for ~10 %, else one of the 2,000
 *    accounts, so the reference check does real work), event (12 names), timestamp (ISO text with `Z` in
 *    CSV/JSON Lines, TIMESTAMP in Parquet) spread over 2024, page, properties (a small JSON object).
 * 2. Per format, each step a child process timed as a whole (wall clock) with its peak RSS:
 *    a. load: a fresh file database, `adoption load accounts.csv` (not timed), then the timed
 *       `adoption load events-<rows>.<ext> --db DB --json`;
 *    b. bare: a fresh file database, `CREATE TABLE t AS SELECT * FROM read_<fmt>(file)` with DuckDB's
 *       default reader options (bench/bare.ts).
 * 3. Prints a table and writes `bench/out/ingest-<rows>.json`.
 *
 * `adoption load` also rebuilds the derived tables (sessions, key events, …) after loading; it reports how long
 * that took in its JSON (`derived_tables`). The load figures compared with the bare reader leave that rebuild
 * out (the time of the whole command minus the rebuild); the whole command's time is shown too.
 *
 * Goals at 10 M events: load ≥ 70 % of the bare reader's speed for every format; load peak RSS ≤ 2 GB.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const OUT = 'bench/out';
const ACCOUNTS = 2_000;
const USERS = 50_000;
const GOAL_RATIO = 70;
const GOAL_RSS_MB = 2048;

const FORMATS = [
	{ name: 'parquet', ext: 'parquet', copy: '(FORMAT parquet)', reader: 'read_parquet' },
	{ name: 'csv', ext: 'csv', copy: '(FORMAT csv, HEADER true)', reader: 'read_csv' },
	{ name: 'jsonl', ext: 'jsonl', copy: '(FORMAT json)', reader: 'read_json' }
] as const;

const EVENTS = [
	'page_view',
	'click',
	'feature_used',
	'search',
	'export',
	'login',
	'logout',
	'invite_sent',
	'report_created',
	'dashboard_viewed',
	'settings_changed',
	'file_uploaded'
];
const PAGES = ['/dashboard', '/reports', '/reports/new', '/settings', '/settings/billing', '/team', '/integrations', '/help'];
const list = (xs: string[]) => `[${xs.map((x) => `'${x}'`).join(', ')}]`;

/** The events relation: `rows` rows, `textTime` makes the timestamp ISO text with Z (CSV, JSON Lines). */
function eventsSql(rows: number, textTime: boolean): string {
	const stepUs = Math.floor((366 * 86_400e6) / rows); // spread over 2024
	const ts = `make_timestamp((1704067200000000 + i * ${stepUs} + (h1 // ${USERS}) % 1000000)::BIGINT)`;
	return `SELECT
		substr(m, 1, 8) || '-' || substr(m, 9, 4) || '-' || substr(m, 13, 4) || '-' || substr(m, 17, 4) || '-' || substr(m, 21, 12) AS event_id,
		'usr_' || (h1 % ${USERS}) AS user_id,
		CASE WHEN h2 % 10 = 0 THEN NULL ELSE 'acc_' || lpad(((h1 % ${USERS}) % ${ACCOUNTS})::VARCHAR, 5, '0') END AS account_id,
		${list(EVENTS)}[1 + ((h2 // 10) % 12)::BIGINT] AS event,
		${textTime ? `strftime(${ts}, '%Y-%m-%dT%H:%M:%S.%gZ')` : ts} AS timestamp,
		${list(PAGES)}[1 + ((h2 // 1000) % 8)::BIGINT] AS page,
		json_object('plan', ['free', 'team', 'business', 'enterprise'][1 + ((h1 // 7) % 4)::BIGINT],
			'duration_ms', (h2 // 100000) % 5000, 'source', ['web', 'ios', 'android'][1 + ((h2 // 13) % 3)::BIGINT]) AS properties
	FROM (SELECT i, hash(i) AS h1, hash(i + 1000000000000) AS h2, md5(i::VARCHAR) AS m FROM range(${rows}) r(i))`;
}

const ACCOUNTS_SQL = `SELECT 'acc_' || lpad(i::VARCHAR, 5, '0') AS account_id, 'Account ' || i AS name,
	'account' || i || '.example.com' AS domain, ['free', 'team', 'business', 'enterprise'][1 + i % 4] AS plan,
	['smb', 'mid', 'enterprise'][1 + i % 3] AS segment, ['emea', 'amer', 'apac'][1 + i % 3] AS region,
	round(1000 + (hash(i) % 200000), 2) AS arr,
	strftime(TIMESTAMP '2022-01-01' + INTERVAL (i * 7) HOUR, '%Y-%m-%dT%H:%M:%SZ') AS created_at,
	strftime(DATE '2025-01-01' + INTERVAL (i % 365) DAY, '%Y-%m-%d') AS renewal_date, 'csm' || (i % 12) AS csm
	FROM range(${ACCOUNTS}) r(i)`;

/** Writes the files that do not exist yet (via a temporary name, so an interrupted run leaves none). */
async function generate(rows: number): Promise<void> {
	const todo = [
		{ file: path.join(OUT, 'accounts.csv'), sql: ACCOUNTS_SQL, copy: '(FORMAT csv, HEADER true)' },
		...FORMATS.map((f) => ({ file: eventsFile(rows, f.ext), sql: eventsSql(rows, f.name !== 'parquet'), copy: f.copy }))
	].filter((t) => !fs.existsSync(t.file));
	if (!todo.length) return;
	const instance = await DuckDBInstance.create(':memory:');
	const conn = await instance.connect();
	await conn.run("SET TimeZone = 'UTC'");
	for (const t of todo) {
		const t0 = performance.now();
		const tmp = `${t.file}.tmp`;
		await conn.run(`COPY (${t.sql}) TO '${tmp}' ${t.copy}`);
		fs.renameSync(tmp, t.file);
		log(`generated ${t.file} (${mb(fs.statSync(t.file).size)} MB) in ${secs(performance.now() - t0)} s`);
	}
	conn.closeSync();
	instance.closeSync();
}

const eventsFile = (rows: number, ext: string) => path.join(OUT, `events-${rows}.${ext}`);
const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
const secs = (ms: number) => (ms / 1000).toFixed(2);
const log = (line: string) => process.stderr.write(line + '\n');

/**
 * A finished child: wall seconds of the whole process, its CPU seconds (user + system), peak RSS in MB, stdout,
 * and the CPU seconds the rest of the machine used meanwhile (other processes competing for the cores).
 */
export interface Measured {
	seconds: number;
	cpuSeconds: number | null;
	othersCpuSeconds: number | null;
	peakRssMB: number;
	stdout: string;
}

const HAS_TIME = fs.existsSync('/usr/bin/time');

/** Busy CPU ticks (1/100 s) of the whole machine so far, from /proc/stat. */
function machineBusyTicks(): number {
	const v = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
	return v.reduce((a, b) => a + b, 0) - v[3] - v[4];
}

/**
 * Runs a command to completion, timing it and taking its peak RSS: from GNU time (`%M`, and CPU time from
 * `%U %S`) when `/usr/bin/time` exists, else by polling the child's `VmHWM` in /proc (no CPU time then).
 */
export function measure(cmd: string, args: string[]): Promise<Measured> {
	const rssFile = path.join(os.tmpdir(), `bench-rss-${process.pid}-${Date.now()}`);
	const [bin, argv] = HAS_TIME ? ['/usr/bin/time', ['-f', '%U %S %M', '-o', rssFile, cmd, ...args]] : [cmd, args];
	return new Promise((resolve, reject) => {
		const t0 = performance.now();
		const busy0 = machineBusyTicks();
		const child = spawn(bin, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
		let stdout = '';
		let stderr = '';
		let hwmKB = 0;
		let cpuSeconds: number | null = null;
		child.stdout.on('data', (d) => (stdout += d));
		child.stderr.on('data', (d) => (stderr += d));
		const poll = HAS_TIME
			? undefined
			: setInterval(() => {
					const m = /VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, { encoding: 'utf8', flag: 'r' }));
					if (m) hwmKB = Math.max(hwmKB, Number(m[1]));
				}, 50);
		child.on('error', reject);
		child.on('close', (code) => {
			const seconds = (performance.now() - t0) / 1000;
			if (poll) clearInterval(poll);
			if (HAS_TIME) {
				const [user, sys, kb] = fs.readFileSync(rssFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
				[cpuSeconds, hwmKB] = [Math.round((user + sys) * 100) / 100, kb];
				fs.rmSync(rssFile, { force: true });
			}
			const othersCpuSeconds =
				cpuSeconds === null ? null : Math.max(0, Math.round((machineBusyTicks() - busy0) / 10 - cpuSeconds * 10) / 10);
			if (code !== 0) return reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${stderr}${stdout}`));
			resolve({ seconds, cpuSeconds, othersCpuSeconds, peakRssMB: Math.round(hwmKB / 1024), stdout });
		});
	});
}

/**
 * Waits (up to two minutes) for a second in which the machine's CPUs are at least 85 % idle, so a timed run
 * does not start while other processes are busy; returns at once on a quiet machine.
 */
async function waitQuiet(): Promise<void> {
	const cpus = os.cpus().length;
	for (let i = 0; i < 120; i++) {
		const b0 = machineBusyTicks();
		await new Promise((r) => setTimeout(r, 1000));
		if (machineBusyTicks() - b0 <= 15 * cpus) return;
	}
}

/** A fresh database file path (any earlier file and WAL removed). */
function freshDb(name: string): string {
	const db = path.join(OUT, 'db', `${name}.duckdb`);
	fs.mkdirSync(path.dirname(db), { recursive: true });
	for (const f of [db, `${db}.wal`]) fs.rmSync(f, { force: true });
	return db;
}

const adoption = (args: string[]) => measure(process.execPath, ['bin/adoption.js', 'load', ...args, '--json']);

/** One timed child: wall and CPU seconds, peak RSS; for a load, the seconds of its derived-table rebuild. */
type Sample = { seconds: number; cpuSeconds: number | null; othersCpuSeconds: number | null; peakRssMB: number; rebuildSeconds?: number };

/**
 * Figures of one side (load or bare) over the repeats: the fastest run's times, the highest peak RSS.
 * For the load, `seconds` leaves out the derived-table rebuild (`wholeSeconds` includes it).
 */
interface Side {
	seconds: number;
	wholeSeconds: number;
	rebuildSeconds: number;
	cpuSeconds: number | null;
	/** The fastest run had other processes competing for the CPUs. */
	contended: boolean;
	rowsPerSec: number;
	peakRssMB: number;
	dbMB: number;
	samples: Sample[];
}

/** One format's figures. */
interface FormatResult {
	format: string;
	file: string;
	fileMB: number;
	rows: number;
	load: Side & { accepted: number; rejected: number };
	/** `statementSeconds`: the CREATE TABLE alone, in the fastest run. */
	bare: Side & { statementSeconds: number };
	/** Load speed as a percentage of the bare reader's (= bare seconds / load seconds without the rebuild). */
	ratioPct: number;
	/** The same for the whole command, derived-table rebuild included. */
	wholeRatioPct: number;
	meetsGoals: boolean;
}

const sample = (m: Measured): Sample => ({
	seconds: Math.round(m.seconds * 1000) / 1000,
	cpuSeconds: m.cpuSeconds,
	othersCpuSeconds: m.othersCpuSeconds,
	peakRssMB: m.peakRssMB
});
/** Whether other processes took more than 0.2 CPU seconds per second of the run (the figure is then pessimistic). */
const contended = (s: Sample) => (s.othersCpuSeconds ?? 0) > 0.2 * s.seconds;

function side(rows: number, samples: Sample[], dbMB: number): Side {
	const net = (s: Sample) => s.seconds - (s.rebuildSeconds ?? 0);
	const best = samples.reduce((a, b) => (net(b) < net(a) ? b : a));
	return {
		seconds: Math.round(net(best) * 1000) / 1000,
		wholeSeconds: best.seconds,
		rebuildSeconds: best.rebuildSeconds ?? 0,
		cpuSeconds: best.cpuSeconds,
		contended: contended(best),
		rowsPerSec: Math.round(rows / net(best)),
		peakRssMB: Math.max(...samples.map((s) => s.peakRssMB)),
		dbMB,
		samples
	};
}

/** `repeats` rounds of (load, bare), alternating so a busy spell of the machine hits both alike. */
async function benchFormat(rows: number, f: (typeof FORMATS)[number], repeats: number): Promise<FormatResult> {
	const file = eventsFile(rows, f.ext);
	const loads: Sample[] = [];
	const bares: (Sample & { statementSeconds: number })[] = [];
	let res: { accepted: number; rejected: number } = { accepted: 0, rejected: 0 };
	let dbMB = { load: 0, bare: 0 };
	for (let i = 1; i <= repeats; i++) {
		const loadDb = freshDb(`load-${f.name}`);
		const acc = JSON.parse((await adoption([path.join(OUT, 'accounts.csv'), '--db', loadDb])).stdout).files[0];
		if (!acc.ok || acc.accepted !== ACCOUNTS) throw new Error(`accounts load failed: ${JSON.stringify(acc)}`);
		await waitQuiet();
		const load = await adoption([file, '--db', loadDb]);
		const doc = JSON.parse(load.stdout) as {
			files: { ok: boolean; accepted: number; rejected: number }[];
			derived_tables?: { seconds: number }[];
		};
		res = doc.files[0];
		if (!doc.files[0].ok || res.accepted !== rows)
			throw new Error(`${f.name} load: expected ${rows} accepted, got ${JSON.stringify(res).slice(0, 2000)}`);
		const rebuildSeconds = Math.round((doc.derived_tables ?? []).reduce((a, d) => a + d.seconds, 0) * 1000) / 1000;
		loads.push({ ...sample(load), rebuildSeconds });

		const bareDb = freshDb(`bare-${f.name}`);
		await waitQuiet();
		const bare = await measure(process.execPath, ['--import', 'tsx', 'bench/bare.ts', bareDb, `${f.reader}('${file}')`]);
		const b = JSON.parse(bare.stdout) as { rows: number; seconds: number };
		if (b.rows !== rows) throw new Error(`${f.name} bare: expected ${rows} rows, got ${b.rows}`);
		bares.push({ ...sample(bare), statementSeconds: Math.round(b.seconds * 1000) / 1000 });

		dbMB = { load: mb(fs.statSync(loadDb).size), bare: mb(fs.statSync(bareDb).size) };
		for (const db of [loadDb, bareDb]) for (const x of [db, `${db}.wal`]) fs.rmSync(x, { force: true });
		const busy = (m: Measured) => (contended(sample(m)) ? ` (others used ${m.othersCpuSeconds} CPU s)` : '');
		log(
			`${f.name} ${i}/${repeats}: load ${load.seconds.toFixed(2)} s (rebuild ${rebuildSeconds.toFixed(2)} s)${busy(load)}, bare ${bare.seconds.toFixed(2)} s${busy(bare)}`
		);
	}
	const load = side(rows, loads, dbMB.load);
	const bare = side(rows, bares, dbMB.bare);
	const pct = (a: number, b: number) => Math.round((a / b) * 1000) / 10;
	const ratioPct = pct(bare.seconds, load.seconds);
	const bestBare = bares.reduce((a, b) => (b.seconds < a.seconds ? b : a));
	return {
		format: f.name,
		file,
		fileMB: mb(fs.statSync(file).size),
		rows,
		load: { ...load, accepted: res.accepted, rejected: res.rejected },
		bare: { ...bare, statementSeconds: bestBare.statementSeconds },
		ratioPct,
		wholeRatioPct: pct(bare.seconds, load.wholeSeconds),
		meetsGoals: ratioPct >= GOAL_RATIO && load.peakRssMB <= GOAL_RSS_MB
	};
}

function table(results: FormatResult[]): string {
	const head = [
		'format',
		'rows',
		'load s',
		'(+rebuild s)',
		'load rows/s',
		'bare s',
		'bare rows/s',
		'load/bare',
		'(whole)',
		'load RSS MB',
		'bare RSS MB',
		'goals'
	];
	const body = results.map((r) => [
		r.format,
		r.rows.toLocaleString('en-US'),
		r.load.seconds.toFixed(2) + (r.load.contended ? '*' : ''),
		r.load.rebuildSeconds.toFixed(2),
		r.load.rowsPerSec.toLocaleString('en-US'),
		r.bare.seconds.toFixed(2) + (r.bare.contended ? '*' : ''),
		r.bare.rowsPerSec.toLocaleString('en-US'),
		`${r.ratioPct.toFixed(1)} %`,
		`${r.wholeRatioPct.toFixed(1)} %`,
		String(r.load.peakRssMB),
		String(r.bare.peakRssMB),
		r.meetsGoals ? 'met' : 'MISSED'
	]);
	const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
	const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
	return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

export async function ingestBench(rows: number, repeats = 1): Promise<void> {
	fs.mkdirSync(OUT, { recursive: true });
	await generate(rows);
	const results: FormatResult[] = [];
	for (const f of FORMATS) results.push(await benchFormat(rows, f, repeats));
	const doc = {
		bench: 'ingest',
		rows,
		repeats,
		at: new Date().toISOString(),
		machine: { cpus: os.cpus().length, memoryGB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
		goals: { minRatioPct: GOAL_RATIO, maxPeakRssMB: GOAL_RSS_MB },
		notes:
			'bare.seconds, load.wholeSeconds: wall clock of the whole child process (node start, open, work, close), fastest of the repeats; ' +
			'load.seconds: wholeSeconds minus rebuildSeconds (the derived-table rebuild that adoption load runs after loading, from its JSON); ' +
			'cpuSeconds: user + system time of that child; peakRssMB: highest of the repeats (for the load, rebuild included); bare.statementSeconds: the CREATE TABLE alone',
		results
	};
	const out = path.join(OUT, `ingest-${rows}.json`);
	fs.writeFileSync(out, JSON.stringify(doc, null, 2) + '\n');
	process.stdout.write(
		`\ningest benchmark, ${rows.toLocaleString('en-US')} events, best of ${repeats} ` +
			`(goals: load ≥ ${GOAL_RATIO} % of bare speed, load peak RSS ≤ ${GOAL_RSS_MB} MB)\n\n`
	);
	const note =
		'\nload s: the whole `adoption load` command without the derived-table rebuild it runs afterwards (shown apart);' +
		'\nload/bare: bare s / load s; (whole): the same with the rebuild; load RSS: the whole command.' +
		(results.some((r) => r.load.contended || r.bare.contended)
			? '\n* other processes competed for the CPUs during this run: the time is pessimistic; run again, or with more repeats'
			: '');
	process.stdout.write(table(results) + `${note}\n\nwritten ${out}\n`);
}
