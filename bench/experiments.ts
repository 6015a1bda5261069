/**
 * Scratch timings behind the ingest bench's proposals: replays the loader's two big statements (taken from
 * `bench/out/profile-<file>.json`, written by profile-ingest.ts) and variants of them on a fresh file
 * database that has the schema and bench/out/accounts.csv loaded, timing each (wall and process CPU).
 * Every variant runs in a transaction that is rolled back, so each starts from the same empty events table.
 *
 *   npx tsx bench/experiments.ts bench/out/events-1000000.csv [variant-name-regexp] [--repeat=3] [--explain]
 *
 * Each variant runs until it has `--repeat` (default 3) runs during which other processes used under 0.2 CPU
 * seconds per second (at most 3 × repeat tries); the fastest run is printed, with the CPU other processes took. `--explain` prints
 * EXPLAIN ANALYZE of the variants instead of timing them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { openDatabase, runQuery } from '../src/lib/server/db/connection.js';
import { loadFiles } from '../src/lib/server/ingest/load.js';
import { fastJson, fastTs, hashDups, joinRef, loaderSql, machineTicks, noOrd, noRejects } from './variants.js';

const args = process.argv.slice(2);
const explain = args.includes('--explain');
const repeat = Number(args.find((a) => a.startsWith('--repeat='))?.slice(9) ?? 3);
const [file, filter] = args.filter((a) => !a.startsWith('--'));
const { format, dupsSql, insertSql, reader, bareReader, key } = loaderSql(file);

const VARIANTS: Record<string, string> = {
	'bare reader (default options)': `CREATE TABLE __x AS SELECT * FROM ${bareReader}`,
	'loader reader, no ordinality': `CREATE TABLE __x AS SELECT * FROM ${reader}`,
	'loader reader + ordinality': `CREATE TABLE __x AS SELECT *, ordinality FROM ${reader} WITH ORDINALITY`,
	'loader reader, no store_rejects': `CREATE TABLE __x AS SELECT * FROM ${noRejects(reader)}`,
	'pass 1: dups (loader)': dupsSql,
	'pass 1: count + distinct keys, no __ord': `CREATE OR REPLACE TEMP TABLE __dups AS SELECT count(*) AS n, count(*) - count(DISTINCT ${key}) AS d FROM ${reader}`,
	'pass 1: count + 64-bit key hashes seen twice, no __ord': `CREATE OR REPLACE TEMP TABLE __dups AS ${hashDups(reader, key)}`,
	'pass 2: insert (loader)': insertSql,
	'pass 2: insert, no ordinality': noOrd(insertSql),
	'pass 2: insert, fast timestamp': fastTs(insertSql),
	'pass 2: insert, fast json': fastJson(insertSql),
	'pass 2: insert, ref as LEFT JOIN': joinRef(insertSql),
	'pass 2: insert, no ordinality, fast timestamp + json': noOrd(fastJson(fastTs(insertSql))),
	'pass 2: insert, no ordinality, fast timestamp + json, no store_rejects': noRejects(noOrd(fastJson(fastTs(insertSql)))),
	'dup check on the loaded table (strings)': `CREATE OR REPLACE TEMP TABLE __dups AS SELECT event_id AS k, count(*) AS n FROM events GROUP BY event_id HAVING count(*) > 1`,
	'dup check on the loaded table (64-bit hashes)': `CREATE OR REPLACE TEMP TABLE __dups AS SELECT hash(event_id) AS h, count(*) AS n FROM events GROUP BY h HAVING count(*) > 1`
};

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
	const needsRows = name.startsWith('dup check on the loaded table');
	let best: { wall: number; cpu: number; others: number; rows: number } | undefined;
	let clean = 0;
	for (let i = 0; i < (explain ? 1 : 3 * repeat) && clean < repeat; i++) {
		await conn.run('BEGIN TRANSACTION');
		if (needsRows) await conn.run(insertSql);
		const [w0, c0, m0] = [performance.now(), process.cpuUsage(), machineTicks()];
		try {
			for (const s of statements) {
				if (explain) {
					const rows = await runQuery<Record<string, string>>(conn, `EXPLAIN ANALYZE ${s}`);
					console.log(`=== ${name}\n${Object.values(rows[0]).pop()}`);
				} else await conn.run(s);
			}
			const c = process.cpuUsage(c0);
			const wall = (performance.now() - w0) / 1000;
			const n = await runQuery<{ n: number }>(conn, `SELECT count(*) AS n FROM ${name.includes('reader') ? '__x' : 'events'}`);
			const m = machineTicks();
			const cpu = (c.user + c.system) / 1e6;
			// CPU seconds other processes used meanwhile (ticks are 1/100 s).
			const others = Math.max(0, (m.busy - m0.busy) / 100 - cpu);
			if (others < 0.2 * wall) clean++;
			if (!best || wall < best.wall) best = { wall, cpu, others, rows: n[0].n };
		} catch (err) {
			console.log(`failed: ${name}: ${(err as Error).message.split('\n')[0]}`);
		}
		await conn.run('ROLLBACK');
	}
	if (best && !explain) {
		console.log(`${best.wall.toFixed(2).padStart(7)} s wall ${best.cpu.toFixed(2).padStart(7)} s CPU ${best.others.toFixed(1).padStart(5)} s others  ${name} (${best.rows} rows)`);
	}
}
conn.closeSync();
database.close();
for (const f of [db, `${db}.wal`]) fs.rmSync(f, { force: true });
