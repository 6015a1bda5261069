/**
 * Child process of the ingest bench: the "bare reader" baseline. Opens a fresh DuckDB file database
 * with default settings and runs `CREATE TABLE t AS SELECT * FROM <reader>`, e.g. `read_csv('x.csv')`,
 * with DuckDB's default reader options; prints `{ rows, seconds }` (seconds of the statement alone).
 *
 *   node --import tsx bench/bare.ts DB_FILE "read_csv('bench/out/events-1000000.csv')"
 */
import { DuckDBInstance } from '@duckdb/node-api';

const [dbPath, reader] = process.argv.slice(2);
const instance = await DuckDBInstance.create(dbPath);
const conn = await instance.connect();
const t0 = performance.now();
await conn.run(`CREATE TABLE t AS SELECT * FROM ${reader}`);
const seconds = (performance.now() - t0) / 1000;
const rows = Number((await conn.runAndReadAll('SELECT count(*) FROM t')).getRows()[0][0]);
conn.closeSync();
instance.closeSync();
process.stdout.write(JSON.stringify({ rows, seconds }) + '\n');
