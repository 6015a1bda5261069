import { parseConfig } from '../src/lib/server/config/config.js';
import { openDatabase } from '../src/lib/server/db/connection.js';
import { computeMetrics } from '../src/lib/server/metrics/registry.js';
const db = await openDatabase(process.argv[2], { readOnly: true });
const config = parseConfig({});
for (let i = 0; i < 3; i++) {
  const t = performance.now();
  const r = await computeMetrics(db.kysely, config, {}, undefined, { trend: "week" }, (await import("../src/routes/metrics/dashboard.js")).TRENDED_IDS);
  console.log((performance.now()-t).toFixed(0), JSON.stringify(r.timings_ms));
}
db.close();
