import { loadConfig } from '../lib/server/config/config.js';
import { openDatabase } from '../lib/server/db/connection.js';
import { filtersSchema } from '../lib/server/metrics/filters.js';
import { computeMetrics, METRICS } from '../lib/server/metrics/registry.js';
import { CliError, type Output } from './output.js';

/** Options of `adoption metrics`. */
export interface MetricsOpts {
	db: string;
	from?: string;
	to?: string;
	plan?: string;
	segment?: string;
	region?: string;
	csm?: string;
	cohort?: string;
	asOf?: string;
}

/** `adoption metrics [--from D] [--to D] [--plan P] [--segment S] [--region R] [--csm C] [--cohort YYYY-MM] [--as-of D]`. */
export async function metricsCommand(opts: MetricsOpts, out: Output) {
	const { db: dbPath, ...raw } = opts;
	const parsed = filtersSchema.safeParse(Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)));
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		throw new CliError(`--${String(issue.path[0] ?? '').replace('asOf', 'as-of')}: ${issue.message}`, 2);
	}
	const config = loadConfig();
	const db = await openDatabase(dbPath);
	try {
		const report = await computeMetrics(db.kysely, config, parsed.data);
		out.result(report);
		out.info(`Range ${report.range.from ?? 'start'} → ${report.range.to} (end of data ${report.range.end_of_data ?? '—'})`);
		for (const m of METRICS) out.info(`  ${m.label.padEnd(36)} ${show(report[m.id], m.unit)}`);
	} finally {
		db.close();
	}
}

function show(v: unknown, unit: string): string {
	if (v === null || v === undefined) return '—';
	if (typeof v !== 'number') return String(v);
	if (unit === 'rate') return `${(v * 100).toFixed(1)} %`;
	if (unit === 'days') return `${v.toFixed(1)} days`;
	return v.toFixed(2);
}
