/**
 * What the ingest proposals would give end to end, before anyone changes src/: a stand-in for
 * `adoption load FILE` that runs the loader's own statements (from profile-ingest.ts) rewritten as proposed,
 * for a clean file (no bad records, no duplicate ids; it stops if the file has any):
 *   - pass 1 without WITH ORDINALITY: record count + 64-bit key hashes seen twice (a parallel scan);
 *   - pass 2 without WITH ORDINALITY, with the faster exact timestamp parse and single-parse JSON check;
 *   - the file's sha256 read in 1 MiB chunks instead of 64 KiB.
 * Startup (tsx, Kysely, DuckDB open) is as the CLI's. Compared, alternately and each as a timed child on a
 * fresh database with bench/out/accounts.csv loaded, with the real `adoption load` and the bare reader.
 *
 *   npx tsx bench/proposal.ts bench/out/events-10000000.csv [repeats]
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { openDatabase, runQuery } from '../src/lib/server/db/connection.js';
import { contended, freshDb, measure, sample, waitQuiet, type Measured } from './ingest.js';
import { fastJson, fastTs, hashDups, loaderSql, noOrd } from './variants.js';

async function child(file: string, dbPath: string): Promise<void> {
	const sql = loaderSql(file);
	const db = await openDatabase(dbPath);
	const conn = await db.connect();
	await conn.run('BEGIN TRANSACTION');
	const hash = new Promise<string>((resolve, reject) => {
		const h = createHash('sha256');
		fs.createReadStream(file, { highWaterMark: 1 << 20 })
			.on('data', (c) => h.update(c))
			.on('error', reject)
			.on('end', () => resolve(h.digest('hex')));
	});
	if (sql.describeSql) await conn.run(sql.describeSql);
	const [{ total, dups }] = await runQuery<{ total: number; dups: number }>(conn, hashDups(sql.reader, sql.key));
	if (dups > 0) throw new Error('file has duplicate ids: not simulated');
	const rows = await runQuery<{ Count: number }>(conn, noOrd(fastJson(fastTs(sql.insertSql))));
	const accepted = Number(Object.values(rows[0])[0]);
	if (accepted !== total) throw new Error(`file has bad records (${accepted} of ${total}): not simulated`);
	await conn.run(
		`INSERT INTO loads (load_id, file, sha256, table_name, format, accepted, started_at, finished_at, outcome)
		 VALUES (nextval('load_id_seq'), $1, $2, 'events', $3, $4, now(), now(), 'ok')`,
		[file, await hash, sql.format, accepted]
	);
	await conn.run('COMMIT');
	conn.closeSync();
	db.close();
	process.stdout.write(JSON.stringify({ accepted }) + '\n');
}

async function compare(file: string, repeats: number): Promise<void> {
	const node = process.execPath;
	const withAccounts = async (name: string) => {
		const db = freshDb(name);
		await measure(node, ['bin/adoption.js', 'load', 'bench/out/accounts.csv', '--db', db, '--json']);
		return db;
	};
	const runs: Record<'current' | 'proposal' | 'bare', Measured[]> = { current: [], proposal: [], bare: [] };
	const { bareReader } = loaderSql(file);
	for (let i = 1; i <= repeats; i++) {
		await waitQuiet();
		runs.current.push(await measure(node, ['bin/adoption.js', 'load', file, '--db', await withAccounts('proposal-current'), '--json']));
		await waitQuiet();
		runs.proposal.push(await measure(node, ['--import', 'tsx', 'bench/proposal.ts', '--child', file, await withAccounts('proposal-new')]));
		await waitQuiet();
		runs.bare.push(await measure(node, ['--import', 'tsx', 'bench/bare.ts', freshDb('proposal-bare'), bareReader]));
		const show = (m: Measured) => `${m.seconds.toFixed(2)} s${contended(sample(m)) ? '*' : ''}`;
		console.error(`${i}/${repeats}: current ${show(runs.current[i - 1])}, proposal ${show(runs.proposal[i - 1])}, bare ${show(runs.bare[i - 1])}`);
	}
	const best = (ms: Measured[]) => ms.reduce((a, b) => (b.seconds < a.seconds ? b : a));
	const [cur, prop, bare] = [best(runs.current), best(runs.proposal), best(runs.bare)];
	const rss = (ms: Measured[]) => Math.max(...ms.map((m) => m.peakRssMB));
	const pct = (m: Measured) => `${((bare.seconds / m.seconds) * 100).toFixed(1)} %`;
	console.log(`${path.basename(file)}, best of ${repeats} (* = other processes competed):`);
	console.log(`  current  ${cur.seconds.toFixed(2)} s${contended(sample(cur)) ? '*' : ''}  ${pct(cur)} of bare  peak RSS ${rss(runs.current)} MB`);
	console.log(`  proposal ${prop.seconds.toFixed(2)} s${contended(sample(prop)) ? '*' : ''}  ${pct(prop)} of bare  peak RSS ${rss(runs.proposal)} MB`);
	console.log(`  bare     ${bare.seconds.toFixed(2)} s${contended(sample(bare)) ? '*' : ''}  peak RSS ${rss(runs.bare)} MB`);
	for (const n of ['proposal-current', 'proposal-new', 'proposal-bare']) {
		const db = path.join('bench/out/db', `${n}.duckdb`);
		for (const f of [db, `${db}.wal`]) fs.rmSync(f, { force: true });
	}
}

const args = process.argv.slice(2);
if (args[0] === '--child') await child(args[1], args[2]);
else await compare(args[0], Number(args[1] ?? 1));
