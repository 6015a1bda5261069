/**
 * Scratch timings behind the ingest bench's proposals: replays the loader's big statements (from
 * `bench/out/profile-<file>.json`, written by profile-ingest.ts) and variants of them on a fresh file database
 * with the schema and bench/out/accounts.csv loaded, timing each (wall, process CPU, and the CPU other
 * processes took meanwhile). Each variant runs in a transaction that is rolled back, so each starts from the
 * same empty events table.
 *
 *   npx tsx bench/experiments.ts bench/out/events-10000000.csv [variant-name-regexp] [--repeat=2] [--explain]
 *
 * Each variant runs until it has `--repeat` (default 2) runs during which other processes used under 0.2 CPU
 * seconds per second (at most 3 × repeat tries); the fastest run is printed. `--explain` prints EXPLAIN ANALYZE.
 */
import fs from 'node:fs';
import path from 'node:path';
import { openDatabase, runQuery } from '../src/lib/server/db/connection.js';
import { loadFiles } from '../src/lib/server/ingest/load.js';

const args = process.argv.slice(2);
const explain = args.includes('--explain');
const repeat = Number(args.find((a) => a.startsWith('--repeat='))?.slice(9) ?? 2);
const [file, filter] = args.filter((a) => !a.startsWith('--'));
const format = path.extname(file).slice(1);
const lit = (s: string) => `'${s.replaceAll("'", "''")}'`;

const profile = JSON.parse(fs.readFileSync(path.join('bench/out', `profile-${path.basename(file)}.json`), 'utf8')) as {
	statements: { ms: number; sql: string }[];
};
const find = (re: RegExp) => profile.statements.find((s) => re.test(s.sql))?.sql;
/** Pass 1: the fast path's probe (count + repeated id hashes), or the exact path's duplicate pass. */
const probe = (find(/^SELECT coalesce\(sum\(c\), 0\) AS total/) ?? find(/^CREATE OR REPLACE TEMP TABLE __dups/))!;
const insert = find(/^INSERT INTO "events"/)!;
const bareReader = `read_${format === 'jsonl' ? 'json' : format}(${lit(file)})`;
const cols = '"event_id", "user_id", "account_id", "event", "timestamp", "page", "properties"';

/** The insert without the checks: parsed columns straight from the reader (what validation costs). */
const unchecked = `INSERT INTO "events" (${cols}) SELECT ${cols} FROM ${insert.slice(insert.indexOf('(SELECT s.__ord,'), insert.lastIndexOf(' ) p) WHERE __err IS NULL)'))})`;
/** The insert without the account reference rule. */
const noReference = insert.replace(
	/ WHEN p\."account_id" IS NOT NULL AND p\."account_id" NOT IN \(SELECT account_id FROM accounts\) THEN .*?\(not in accounts\)'/,
	''
);
/** The insert failing on the first bad record instead of leaving it out (an optimistic single pass). */
const guarded = insert.replace(/ WHERE __err IS NULL\)$/, ` WHERE CASE WHEN __err IS NULL THEN true ELSE error('bad record') END)`);
/** The probe over the table's rows instead of the file (for a load that inserts first and checks after). */
const tableProbe = `SELECT count(*) AS total, count(*) FILTER (WHERE c > 1) AS repeated FROM (SELECT hash(event_id) AS h, count(*) AS c FROM events GROUP BY h)`;
/** Parquet through the fast path: the probe over the reader without file_row_number. */
const parquetProbe = `SELECT coalesce(sum(c), 0) AS total, count(*) FILTER (WHERE c > 1 AND NOT missing) AS repeated
	FROM (SELECT hash(NULLIF("event_id", '')) AS h, NULLIF("event_id", '') IS NULL AS missing, count(*) AS c FROM read_parquet(${lit(file)}) GROUP BY h, missing)`;

const VARIANTS: Record<string, string> = {
	'bare reader (default options)': `CREATE TABLE __x AS SELECT * FROM ${bareReader}`,
	'pass 1 (loader)': probe,
	...(format === 'parquet' ? { 'pass 1: fast-path probe over read_parquet, no file_row_number': parquetProbe } : {}),
	'pass 2: insert (loader)': insert,
	'pass 2: insert without the account reference rule': noReference,
	'pass 2: insert without any check': unchecked,
	'pass 2: insert failing on a bad record (error() guard)': guarded,
	'one pass: guarded insert, then the probe over the table': `${guarded};\n${tableProbe}`,
	'probe over the loaded table alone': tableProbe
};

/** Busy CPU ticks (1/100 s) of the whole machine. */
function busyTicks(): number {
	const v = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
	return v.reduce((a, b) => a + b, 0) - v[3] - v[4];
}

const db = path.join('bench/out/db', `experiments-${format}.duckdb`);
fs.mkdirSync(path.dirname(db), { recursive: true });
for (const f of [db, `${db}.wal`]) fs.rmSync(f, { force: true });
const database = await openDatabase(db);
await loadFiles(database, ['bench/out/accounts.csv']);
const conn = await database.connect();
// A warm-up, so the first variant does not pay for the first writes to the new file.
await conn.run(`CREATE TABLE __warm AS SELECT * FROM ${bareReader}`);
await conn.run('DROP TABLE __warm');
for (const [name, sql] of Object.entries(VARIANTS)) {
	if (filter && !new RegExp(filter).test(name)) continue;
	const statements = sql.split(';\n').map((s) => s.trim());
	let best: { wall: number; cpu: number; others: number; rows: number } | undefined;
	let clean = 0;
	for (let i = 0; i < (explain ? 1 : 3 * repeat) && clean < repeat; i++) {
		await conn.run('BEGIN TRANSACTION');
		if (name === 'probe over the loaded table alone') await conn.run(insert);
		const [w0, c0, b0] = [performance.now(), process.cpuUsage(), busyTicks()];
		try {
			for (const s of statements) {
				if (!explain) await conn.run(s);
				else console.log(`=== ${name}\n${Object.values((await runQuery<Record<string, string>>(conn, `EXPLAIN ANALYZE ${s}`))[0]).pop()}`);
			}
			const wall = (performance.now() - w0) / 1000;
			const c = process.cpuUsage(c0);
			const cpu = (c.user + c.system) / 1e6;
			const others = Math.max(0, (busyTicks() - b0) / 100 - cpu);
			const [{ n }] = await runQuery<{ n: number }>(conn, `SELECT count(*) AS n FROM ${name.startsWith('bare') ? '__x' : 'events'}`);
			if (others < 0.2 * wall) clean++;
			if (!best || wall < best.wall) best = { wall, cpu, others, rows: n };
		} catch (err) {
			console.log(`failed: ${name}: ${(err as Error).message.split('\n')[0]}`);
		}
		await conn.run('ROLLBACK');
	}
	if (best && !explain) {
		const f = (x: number) => x.toFixed(2).padStart(6);
		console.log(`${f(best.wall)} s wall ${f(best.cpu)} s CPU ${f(best.others)} s others  ${name} (${best.rows} rows)`);
	}
}
conn.closeSync();
database.close();
for (const f of [db, `${db}.wal`]) fs.rmSync(f, { force: true });
