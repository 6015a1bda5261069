import { performRead } from '../lib/server/jobs/channel.js';
import { DIMENSIONS, GRAINS, type Dimension, type Grain } from '../lib/server/metrics/engine.js';
import { parseFilters } from '../lib/server/metrics/filters.js';
import { listById, LISTS } from '../lib/server/metrics/lists.js';
import { METRICS } from '../lib/server/metrics/registry.js';
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
	metric?: string;
	trend?: string;
	by?: string;
	list?: string;
}

/** `adoption metrics [--from D] [--to D] [--plan P] [--segment S] [--region R] [--csm C] [--cohort YYYY-MM] [--as-of D]`. */
export async function metricsCommand(opts: MetricsOpts, out: Output) {
	const { db: dbPath, metric, trend, by, list, ...raw } = opts;
	const listDef = list === undefined ? undefined : listById(list);
	if (list !== undefined && !listDef) throw new CliError(`unknown list '${list}': use one of ${LISTS.map((l) => l.id).join(', ')}`, 2);
	if (trend && !(GRAINS as readonly string[]).includes(trend))
		throw new CliError(`--trend must be one of ${GRAINS.join(', ')}, not '${trend}'`, 2);
	if (by && !(DIMENSIONS as readonly string[]).includes(by))
		throw new CliError(`--by must be one of ${DIMENSIONS.join(', ')}, not '${by}'`, 2);
	if (trend && by) throw new CliError('use --trend or --by, not both', 2);
	const ids = metric?.split(',').filter(Boolean);
	const unknown = ids?.find((id) => !METRICS.some((m) => m.id === id));
	if (unknown) throw new CliError(`unknown metric '${unknown}': use one of ${METRICS.map((m) => m.id).join(', ')}`, 2);
	const parsed = parseFilters(raw);
	if (!parsed.ok) throw new CliError(`--${parsed.key.replace('asOf', 'as-of')}: ${parsed.message}`, 2);
	if (listDef) {
		const result = await performRead(dbPath, { kind: 'list', params: { filters: parsed.filters, list: listDef.id } });
		out.result(result);
		out.info(`${listDef.label}: ${listDef.description}`);
		// With --json stdout is the one document: the table is for a person only.
		if (!result.rows.length) out.info('  (none)');
		else if (!out.json) console.table(result.rows.slice(0, 25));
		return;
	}
	const report = await performRead(dbPath, {
		kind: 'metrics',
		params: { filters: parsed.filters, ids, trend: trend as Grain | undefined, by: by as Dimension | undefined }
	});
	out.result(report);
	out.info(`Range ${report.range.from ?? 'start'} → ${report.range.to} (end of data ${report.range.end_of_data ?? '—'})`);
	for (const m of METRICS.filter((m) => m.id in report)) {
		out.info(`  ${m.label.padEnd(36)} ${show(report[m.id], m.unit)}`);
		for (const g of report.groups?.[m.id] ?? []) out.info(`      ${String(g.group ?? '(none)').padEnd(32)} ${show(g.value, m.unit)}`);
	}
}

function show(v: unknown, unit: string): string {
	if (v === null || v === undefined) return '—';
	if (typeof v !== 'number') return String(v);
	if (unit === 'rate') return `${(v * 100).toFixed(1)} %`;
	if (unit === 'days') return `${v.toFixed(1)} days`;
	if (unit === 'hours') return `${v.toFixed(1)} h`;
	if (unit === 'count') return v.toLocaleString('en-US');
	return v.toFixed(2);
}
