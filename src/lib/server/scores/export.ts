import type { ScoreRun, WorklistRow } from './repository.js';

const COLUMNS = [
	'rank',
	'account_id',
	'name',
	'plan',
	'segment',
	'region',
	'arr',
	'csm',
	'renewal_date',
	'days_to_renewal',
	'risk_band',
	'churn_probability',
	'risk_percentile',
	'health',
	'sentiment',
	'drivers',
	'as_of',
	'model_version'
] as const;

const cell = (v: unknown) => {
	if (v === null || v === undefined) return '';
	const s = String(v);
	return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

/**
 * The worklist as CSV, one account per row in rank order, with a header even when no account matches.
 * Drivers are their sentences joined by `; `; the as-of date and model version on every row say what the
 * file is once it has left the app.
 */
export function worklistCsv(rows: WorklistRow[], run: ScoreRun | null): string {
	const lines = rows.map((r) => {
		const record: Record<(typeof COLUMNS)[number], unknown> = {
			...r,
			drivers: r.drivers.map((d) => d.text).join('; '),
			as_of: run?.as_of.slice(0, 10),
			model_version: run?.version
		};
		return COLUMNS.map((c) => cell(record[c])).join(',');
	});
	return [COLUMNS.join(','), ...lines].join('\n') + '\n';
}
