import { DuckDBInstance } from '@duckdb/node-api';
const inst = await DuckDBInstance.create(process.argv[2], { access_mode: 'READ_ONLY' });
const con = await inst.connect();
const qs = process.argv.slice(3);
for (const q of qs) {
  let best = 1e9, n = 0;
  for (let i = 0; i < 4; i++) { const t = performance.now(); const r = await con.runAndReadAll(q); n = r.getRows().length; best = Math.min(best, performance.now() - t); }
  console.log(best.toFixed(1), 'ms', n, 'rows :', q.slice(0, 150));
}
