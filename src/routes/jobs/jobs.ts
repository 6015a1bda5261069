/** How the Jobs page words a job (plain functions, tested without a browser). */
import type { Job } from '$lib/server/jobs/queue.js';
import type { JobProgress } from '$lib/server/jobs/kinds.js';

const base = (p: string) => p.split('/').pop() ?? p;

/** What the job is about: the files of a load, the model trained, the as-of date of a scoring run, which fact tables. */
export function jobSummary(job: Pick<Job, 'kind' | 'params'>): string {
	const p = job.params as { paths?: string[]; model?: string; asOf?: string; rebuild?: boolean };
	if (job.kind === 'derive') return p.rebuild ? 'every fact table' : 'stale fact tables';
	if (job.kind === 'load' && p.paths) return p.paths.length === 1 ? base(p.paths[0]) : `${p.paths.length} files (${base(p.paths[0])}, …)`;
	if (job.kind === 'train') return `${p.model ?? 'churn'} model${p.asOf ? ` as of ${p.asOf}` : ''}`;
	return p.asOf ? `as of ${p.asOf}` : 'every live account';
}

/** A running job's progress in words: the file and how far, or the latest message. */
export function progressText(p: JobProgress): string {
	if (p.load) {
		const pct = p.load.percent >= 0 ? ` ${Math.round(p.load.percent)} %` : '';
		return `file ${p.load.index + 1} of ${p.load.files}: ${base(p.load.file)}${pct}`;
	}
	return p.message ?? '';
}

/** How long the job ran (or has been running), e.g. `2.4 s`; empty while queued. */
export function seconds(job: Pick<Job, 'started_at' | 'finished_at'>, now = Date.now()): string {
	if (!job.started_at) return '';
	const end = job.finished_at ? Date.parse(job.finished_at) : now;
	const s = (end - Date.parse(job.started_at)) / 1000;
	return s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/** What a finished job did, in a few words: rows a load took, the model a training run saved, the accounts scored, the tables rebuilt. */
export function outcomeText(job: Pick<Job, 'kind' | 'result'>): string {
	const r = job.result as Record<string, unknown> | null;
	if (!r) return 'done';
	if (job.kind === 'load' && Array.isArray(r.files)) {
		const files = r.files as { accepted: number; updated: number; rejected: number }[];
		const sum = (k: 'accepted' | 'updated' | 'rejected') => files.reduce((a, f) => a + f[k], 0).toLocaleString('en-US');
		return `${sum('accepted')} new, ${sum('updated')} updated, ${sum('rejected')} rejected`;
	}
	if (job.kind === 'train' && typeof r.version === 'string') {
		const auc =
			typeof r.auc === 'number'
				? `, held-out AUC ${r.auc.toFixed(3)}`
				: typeof r.mae === 'number'
					? `, held-out MAE ${r.mae.toFixed(3)}`
					: '';
		return `saved version ${r.version}${auc}`;
	}
	if (job.kind === 'score' && typeof r.scored === 'number') return `${r.scored.toLocaleString('en-US')} accounts scored`;
	if (job.kind === 'derive' && Array.isArray(r.rebuilt))
		return r.rebuilt.length === 0 ? 'every fact table was fresh' : `${r.rebuilt.length} fact tables rebuilt`;
	return 'done';
}
