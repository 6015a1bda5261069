import { parquetBytes, type ParquetColumn } from '../export/parquet.js';
import type { ScoreRun, WorklistRow } from './repository.js';

/** The export's columns and their types in Parquet. */
const COLUMNS = [
	{ name: 'rank', type: 'BIGINT' },
	{ name: 'account_id', type: 'VARCHAR' },
	{ name: 'name', type: 'VARCHAR' },
	{ name: 'plan', type: 'VARCHAR' },
	{ name: 'segment', type: 'VARCHAR' },
	{ name: 'region', type: 'VARCHAR' },
	{ name: 'arr', type: 'DOUBLE' },
	{ name: 'arr_at_risk', type: 'DOUBLE' },
	{ name: 'csm', type: 'VARCHAR' },
	{ name: 'renewal_date', type: 'DATE' },
	{ name: 'days_to_renewal', type: 'BIGINT' },
	{ name: 'risk_band', type: 'VARCHAR' },
	{ name: 'churn_probability', type: 'DOUBLE' },
	{ name: 'risk_percentile', type: 'DOUBLE' },
	{ name: 'health', type: 'DOUBLE' },
	{ name: 'sentiment', type: 'DOUBLE' },
	{ name: 'drivers', type: 'VARCHAR' },
	{ name: 'as_of', type: 'DATE' },
	{ name: 'model_version', type: 'VARCHAR' }
] as const satisfies readonly ParquetColumn[];

const cell = (v: unknown) => {
	if (v === null || v === undefined) return '';
	const s = String(v);
	return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

/** A worklist row's values in {@link COLUMNS} order: drivers as their sentences joined by `; `, the run's as-of date and version. */
function values(r: WorklistRow, run: ScoreRun | null): unknown[] {
	const record: Record<(typeof COLUMNS)[number]['name'], unknown> = {
		...r,
		drivers: r.drivers.map((d) => d.text).join('; '),
		as_of: run?.as_of.slice(0, 10),
		model_version: run?.version
	};
	return COLUMNS.map((c) => record[c.name]);
}

/**
 * The worklist as CSV, one account per row in rank order, with a header even when no account matches.
 * Drivers are their sentences joined by `; `; the as-of date and model version on every row say what the
 * file is once it has left the app.
 */
export function worklistCsv(rows: WorklistRow[], run: ScoreRun | null): string {
	const lines = rows.map((r) => values(r, run).map(cell).join(','));
	return [COLUMNS.map((c) => c.name).join(','), ...lines].join('\n') + '\n';
}

/** The worklist's columns with their types and its rows' values, for Parquet (`worklistParquet`, `adoption export scores`). */
export function worklistTable(rows: WorklistRow[], run: ScoreRun | null): { columns: ParquetColumn[]; rows: unknown[][] } {
	return { columns: [...COLUMNS], rows: rows.map((r) => values(r, run)) };
}

/** The same table as {@link worklistCsv}, as Parquet with typed columns (dates as dates, ranks as integers). */
export function worklistParquet(rows: WorklistRow[], run: ScoreRun | null): Promise<Buffer> {
	const table = worklistTable(rows, run);
	return parquetBytes(table.columns, table.rows);
}
