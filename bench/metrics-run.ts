/**
 * Child process of the metrics benchmark: opens the database and runs the overview exactly as the
 * `/metrics` dashboard does (every metric, with the weekly trends of the KPIs from the same pass)
 * `runs` times, then each metric alone, and prints one JSON line with the timings and its own peak RSS.
 * A fresh process makes the first run cold (DuckDB's buffers empty; OS page cache as it is).
 */
import fs from 'node:fs';
import { parseConfig } from '../src/lib/server/config/config.js';
import { openDatabase } from '../src/lib/server/db/connection.js';
import { computeMetrics, METRICS } from '../src/lib/server/metrics/registry.js';
import { TRENDED_IDS } from '../src/routes/metrics/dashboard.js';

const [dbFile, runsArg] = process.argv.slice(2);
const db = await openDatabase(dbFile, { readOnly: true });
const config = parseConfig({});
const runs: { overview_ms: number; metrics_ms: Record<string, number> }[] = [];
for (let i = 0; i < Number(runsArg ?? 3); i++) {
	const t0 = performance.now();
	await computeMetrics(db.kysely, config, {}, undefined, { trend: 'week' }, TRENDED_IDS);
	const overview = performance.now() - t0;
	// Each metric on its own (no other query competing), with its trend when the dashboard draws one.
	const metrics: Record<string, number> = {};
	for (const m of METRICS) {
		const t = performance.now();
		await computeMetrics(db.kysely, config, {}, [m.id], TRENDED_IDS.includes(m.id) ? { trend: 'week' } : undefined);
		metrics[m.id] = Math.round((performance.now() - t) * 10) / 10;
	}
	runs.push({ overview_ms: overview, metrics_ms: metrics });
}
db.close();
const hwm = /VmHWM:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
process.stdout.write(JSON.stringify({ runs, peakRssMB: hwm ? Math.round(Number(hwm[1]) / 1024) : null }) + '\n');
