/**
 * Where a load's time goes: runs the loader in-process (src/lib/server/ingest, unchanged) on a fresh file
 * database, after loading bench/out/accounts.csv, and times every SQL statement it sends to DuckDB (by
 * wrapping `DuckDBConnection.prototype.run`, which `run`, `runAndReadAll` and the loader's `runQuery` all go
 * through). Prints the statements that took ≥ 10 ms and writes them all, with their full SQL, to
 * `bench/out/profile-<file name>.json`, so a statement can be replayed or varied (see experiments.ts).
 *
 *   npx tsx bench/profile-ingest.ts bench/out/events-1000000.csv [--no-sha]
 *
 * `--no-sha` makes the loader's sha256 of the file read /dev/null instead (by wrapping fs.createReadStream),
 * to measure what hashing the file alongside DuckDB costs.
 */
import { DuckDBConnection } from '@duckdb/node-api';
import fs from 'node:fs';
import path from 'node:path';
import { openDatabase } from '../src/lib/server/db/connection.js';
import { loadFiles } from '../src/lib/server/ingest/load.js';

const file = process.argv[2];
if (!file) throw new Error('usage: tsx bench/profile-ingest.ts FILE [--no-sha]');
if (process.argv.includes('--no-sha')) {
	const create = fs.createReadStream;
	fs.createReadStream = ((p: fs.PathLike, o?: unknown) => create(p === file ? '/dev/null' : p, o as never)) as typeof fs.createReadStream;
}
const db = path.join('bench/out/db', `profile-${path.basename(file)}.duckdb`);
fs.mkdirSync(path.dirname(db), { recursive: true });
for (const f of [db, `${db}.wal`]) fs.rmSync(f, { force: true });

const t0 = performance.now();
const database = await openDatabase(db);
const opened = performance.now();
await loadFiles(database, ['bench/out/accounts.csv']);

const log: { ms: number; sql: string }[] = [];
const run = DuckDBConnection.prototype.run;
DuckDBConnection.prototype.run = async function (this: DuckDBConnection, ...args: Parameters<typeof run>) {
	const s = performance.now();
	try {
		return await run.apply(this, args);
	} finally {
		log.push({ ms: Math.round(performance.now() - s), sql: args[0].replace(/\s+/g, ' ').trim() });
	}
} as typeof run;

const l0 = performance.now();
const [result] = await loadFiles(database, [file]);
const loadMs = performance.now() - l0;
DuckDBConnection.prototype.run = run;
database.close();

const total = log.reduce((a, x) => a + x.ms, 0);
console.log(`${file}: ok=${result.ok} accepted=${result.accepted} rejected=${result.rejected}${result.error ? ' ' + result.error : ''}`);
console.log(
	`open+migrate ${(opened - t0).toFixed(0)} ms; loadFiles ${loadMs.toFixed(0)} ms, of which SQL ${total} ms in ${log.length} statements`
);
for (const x of log.filter((x) => x.ms >= 10)) console.log(`${String(x.ms).padStart(7)} ms  ${x.sql.slice(0, 150)}…`);
const out = path.join('bench/out', `profile-${path.basename(file)}.json`);
fs.writeFileSync(out, JSON.stringify({ file, loadMs, statements: log }, null, 2));
for (const f of [db, `${db}.wal`]) fs.rmSync(f, { force: true });
console.log(`written ${out}`);
