/**
 * Benchmarks: `npm run bench -- <what> [size] [repeats]`.
 *
 *   ingest [rows] [repeats]   `adoption load` vs DuckDB's bare reader, per format (see ingest.ts);
 *                             default 1,000,000 rows, 1 run (with more, the fastest run counts).
 *   generate [accounts]       `adoption generate`: wall time, peak RSS, records and size per file (generate.ts)
 *   metrics [accounts]        the overview and each metric, cold and warm, after load and derived tables
 *                             (see metrics.ts); default 26,000 accounts (about 10 M events).
 *   train [accounts]          `adoption train` and `adoption score`: features, training, scoring (train.ts);
 *                             default 100,000 accounts.
 *   incremental [accounts]    `adoption load` of 10 and 100,000 new events into a loaded database: the fact
 *                             tables kept current in the load, against a full rebuild (incremental.ts).
 *   alerts [accounts]         every alert rule evaluated (first, and again with no change), the SLA clock
 *                             tick, the outbox delivered to a loopback webhook (alerts.ts).
 *   serve [accounts]          the production app under 50 simulated users, alone and during a 2 M-row load;
 *                             closed-loop throughput; small loads as server jobs; peak RSS (serve.ts).
 *
 *   ingest-api [accounts]     the Segment-compatible tracking API: 10,000 events/s for 60 s (ack latency,
 *                             time until queryable), then its ceiling with 8 clients (ingest-api.ts).
 *
 * Sizes accept `1000000`, `1_000_000`, `1,000,000`, `1e6`, `10M`, `500k`. Output goes to `bench/out/` (gitignored).
 */
import { alertsBench } from './alerts.js';
import { incrementalBench } from './incremental.js';
import { ingestApiBench } from './ingest-api.js';
import { ingestBench } from './ingest.js';
import { generateBench } from './generate.js';
import { metricsBench } from './metrics.js';
import { serveBench } from './serve.js';
import { trainBench } from './train.js';

const BENCHES: Record<string, { run: (size: number, repeats?: number) => Promise<void>; defaultSize: number }> = {
	ingest: { run: ingestBench, defaultSize: 1_000_000 },
	metrics: { run: (size) => metricsBench(size), defaultSize: 26_000 },
	generate: { run: (size) => generateBench(size), defaultSize: 26_000 },
	train: { run: (size) => trainBench(size), defaultSize: 100_000 },
	incremental: { run: (size) => incrementalBench(size), defaultSize: 26_000 },
	serve: { run: (size) => serveBench(size), defaultSize: 26_000 },
	alerts: { run: (size) => alertsBench(size), defaultSize: 26_000 },
	'ingest-api': { run: (size) => ingestApiBench(size), defaultSize: 26_000 }
};

/** Parses a size argument; throws on nonsense. */
export function parseSize(arg: string): number {
	const m = /^(\d+(?:\.\d+)?(?:e\d+)?)([km]?)$/i.exec(arg.replace(/[_,]/g, ''));
	if (!m) throw new Error(`not a size: '${arg}'`);
	const n = Number(m[1]) * ({ '': 1, k: 1e3, m: 1e6 } as Record<string, number>)[m[2].toLowerCase()];
	if (!Number.isInteger(n) || n < 1) throw new Error(`not a positive whole number of rows: '${arg}'`);
	return n;
}

const [what, sizeArg, repeatsArg] = process.argv.slice(2);
const bench = what ? BENCHES[what] : undefined;
if (!bench) {
	process.stderr.write(`usage: npm run bench -- <${Object.keys(BENCHES).join('|')}> [size] [repeats]\n`);
	process.exit(2);
}
await bench.run(sizeArg ? parseSize(sizeArg) : bench.defaultSize, repeatsArg ? parseSize(repeatsArg) : undefined);
