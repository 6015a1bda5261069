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
import fs from 'node:fs';
import path from 'node:path';
import { adoption as run, eventsFile, log, out, sampleFiles, sampleUsers } from './sample.js';

interface FileDoc {
	accepted: number;
	facts: { name: string; seconds: number; inserted: number; deleted: number }[];
}

/** Runs the incremental-load benchmark at `accounts` accounts. */
export async function incrementalBench(accounts: number): Promise<void> {
	const dbFile = path.join(out, 'db', `incremental-${accounts}.duckdb`);
	fs.mkdirSync(path.dirname(dbFile), { recursive: true });
	log(`incremental load benchmark, ${accounts.toLocaleString('en-US')} accounts`);
	const files = sampleFiles(accounts);
	for (const f of [dbFile, `${dbFile}.wal`]) fs.rmSync(f, { force: true });
	const base = run(['load', ...files, '--db', dbFile]);
	log(`  base load with fact tables built: ${base.seconds.toFixed(1)} s`);

	const users = await sampleUsers(dbFile);

	const result: Record<string, unknown> = { bench: 'incremental', accounts, base_load_seconds: base.seconds };
	for (const n of [10, 100_000]) {
		const file = path.join(out, `events-incremental-${n}.csv`);
		eventsFile(file, n, `bench-${n}`, users);
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
