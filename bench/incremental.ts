/**
 * `npm run bench -- incremental <accounts>`: what a small load costs once the database is big. Generates
 * the sample (reused when present), loads it into a fresh file database with its fact tables built, then
 * times `adoption load` of 10 and of 100,000 new events (late ones among them, on existing users and
 * accounts), each a child process: the whole command, the load's own transaction, and the fact tables'
 * share of it (kept current in the load's transaction); and, for comparison, `adoption derive --rebuild`
 * (what every load cost before the facts were kept incrementally).
 *
 * Goals on a 2-core machine at 26,000 accounts (10 M events): 10 events ≤ 2 s, 100,000 events ≤ 5 s.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'bench', 'out');
const bin = path.join(root, 'bin', 'adoption.js');
const log = (line: string) => process.stderr.write(line + '\n');

function run(args: string[]): { doc: Record<string, unknown>; seconds: number } {
	const t0 = performance.now();
	const doc = JSON.parse(execFileSync(process.execPath, [bin, ...args, '--json'], { maxBuffer: 1 << 28 }).toString());
	return { doc, seconds: (performance.now() - t0) / 1000 };
}

interface FileDoc {
	accepted: number;
	facts: { name: string; seconds: number; inserted: number; deleted: number }[];
}

/** Writes `n` new events as CSV: existing users of existing accounts, at times spread over the last 90 days of the data. */
function eventsFile(file: string, n: number, users: { user_id: string; account_id: string }[], end: number): void {
	const names = [
		'Page Viewed',
		'Article Viewed',
		'Workflow Triggered',
		'Integration Connected',
		'Automation Run',
		'Bot Conversation Started'
	];
	const lines = ['event_id,user_id,account_id,event,timestamp,page'];
	for (let i = 0; i < n; i++) {
		const u = users[(i * 7919) % users.length];
		const at = new Date(end - ((i * 104_729) % (90 * 86_400)) * 1000).toISOString();
		lines.push(`bench-${n}-${i},${u.user_id},${u.account_id},${names[i % names.length]},${at},/settings`);
	}
	fs.writeFileSync(file, lines.join('\n') + '\n');
}

/** Runs the incremental-load benchmark at `accounts` accounts. */
export async function incrementalBench(accounts: number): Promise<void> {
	const dataDir = path.join(out, `sample-${accounts}`);
	const dbFile = path.join(out, 'db', `incremental-${accounts}.duckdb`);
	fs.mkdirSync(path.dirname(dbFile), { recursive: true });
	log(`incremental load benchmark, ${accounts.toLocaleString('en-US')} accounts`);
	if (!fs.existsSync(path.join(dataDir, 'truth.csv'))) {
		log('  generating the sample…');
		run(['generate', '--out', dataDir, '--accounts', String(accounts), '--formats', 'parquet']);
	}
	for (const f of [dbFile, `${dbFile}.wal`]) fs.rmSync(f, { force: true });
	const files = fs
		.readdirSync(dataDir)
		.filter((f) => f !== 'README.md')
		.map((f) => path.join(dataDir, f));
	const base = run(['load', ...files, '--db', dbFile]);
	log(`  base load with fact tables built: ${base.seconds.toFixed(1)} s`);

	// Users with an account, read through DuckDB's CLI-free path: a tiny script in a child keeps this process light.
	const users = JSON.parse(
		execFileSync(
			process.execPath,
			[
				'--input-type=module',
				'-e',
				`import { DuckDBInstance } from '@duckdb/node-api';
				 const i = await DuckDBInstance.create(${JSON.stringify(dbFile)}, { access_mode: 'READ_ONLY' }); const c = await i.connect();
				 const u = (await c.runAndReadAll("SELECT user_id, account_id FROM users WHERE account_id IS NOT NULL ORDER BY user_id LIMIT 5000")).getRowObjectsJson();
				 const e = (await c.runAndReadAll("SELECT epoch_ms(max(timestamp)) AS e FROM events")).getRowObjectsJson();
				 console.log(JSON.stringify({ u, end: Number(e[0].e) }));`
			],
			{ cwd: root }
		).toString()
	) as { u: { user_id: string; account_id: string }[]; end: number };

	const result: Record<string, unknown> = { bench: 'incremental', accounts, base_load_seconds: base.seconds };
	for (const n of [10, 100_000]) {
		const file = path.join(out, `events-incremental-${n}.csv`);
		eventsFile(file, n, users.u, users.end);
		const r = run(['load', file, '--db', dbFile]);
		const doc = (r.doc.files as FileDoc[])[0];
		const factSeconds = doc.facts.reduce((a, f) => a + f.seconds, 0);
		result[`load_${n}`] = {
			seconds: r.seconds,
			accepted: doc.accepted,
			facts_seconds: factSeconds,
			facts: doc.facts,
			rebuilt: r.doc.derived_tables
		};
		log(
			`  ${n.toLocaleString('en-US')} new events: adoption load ${r.seconds.toFixed(2)} s (facts kept current in the load: ${factSeconds.toFixed(2)} s; ${doc.facts.map((f) => `${f.name.replace('derived_', '')} ${f.seconds.toFixed(2)}`).join(', ')})`
		);
	}
	const rebuild = run(['derive', '--rebuild', '--db', dbFile]);
	result.full_rebuild_seconds = rebuild.seconds;
	log(`  adoption derive --rebuild (every fact table whole, what each load cost before): ${rebuild.seconds.toFixed(1)} s`);
	fs.writeFileSync(path.join(out, `incremental-${accounts}.json`), JSON.stringify(result, null, 2));
	process.stdout.write(JSON.stringify(result) + '\n');
}
