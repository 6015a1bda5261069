/**
 * Child process of the metrics benchmark: opens the database, runs the overview (every metric, plus the
 * weekly trend of the dashboard KPIs) `runs` times, and prints one JSON line with the timings and its own
 * peak RSS. A fresh process makes the first run cold (DuckDB's buffers empty; OS page cache as it is).
 */
import fs from 'node:fs';
import { parseConfig } from '../src/lib/server/config/config.js';
import { openDatabase } from '../src/lib/server/db/connection.js';
import { computeMetrics } from '../src/lib/server/metrics/registry.js';

/** The KPIs whose weekly trends the overview draws. */
export const TRENDED = ['deflection_rate', 'self_service_score', 'kb_search_success', 'zero_result_rate', 'portal_adoption_rate', 'self_service_csat', 'ces', 'nps', 'ttfv_median_days'];

const [dbFile, runsArg] = process.argv.slice(2);
const db = await openDatabase(dbFile, { readOnly: true });
const config = parseConfig({});
const runs: { overview_ms: number; trends_ms: number; metrics_ms: Record<string, number> }[] = [];
for (let i = 0; i < Number(runsArg ?? 3); i++) {
	const t0 = performance.now();
	const all = await computeMetrics(db.kysely, config, {});
	const t1 = performance.now();
	await computeMetrics(db.kysely, config, {}, TRENDED, { trend: 'week' });
	const t2 = performance.now();
	runs.push({ overview_ms: t2 - t0, trends_ms: t2 - t1, metrics_ms: all.timings_ms });
}
db.close();
const hwm = /VmHWM:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
process.stdout.write(JSON.stringify({ runs, peakRssMB: hwm ? Math.round(Number(hwm[1]) / 1024) : null }) + '\n');
