import { parseConfig } from '../src/lib/server/config/config.js';
import { openDatabase } from '../src/lib/server/db/connection.js';
import { metricContext } from '../src/lib/server/metrics/context.js';
import { milestoneLevelsSql } from '../src/lib/server/metrics/milestones.js';
import { sql } from 'kysely';
const db = await openDatabase(process.argv[2], { readOnly: true });
const ctx = await metricContext(db.kysely, parseConfig({}), {});
const q = sql`EXPLAIN ANALYZE SELECT count(*), avg(level) FROM (${milestoneLevelsSql(ctx)})`;
for (let i=0;i<3;i++){ const t=performance.now(); const r = await q.execute(db.kysely); console.log(performance.now()-t); if(i==2) console.log((r.rows[0] as any).explain_value);}
db.close();
