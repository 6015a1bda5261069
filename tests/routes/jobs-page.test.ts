/** How the Jobs page words a job: what it is about, its progress, its outcome and how long it took. */
import { describe, expect, it } from 'vitest';
import { jobSummary, outcomeText, progressText, seconds } from '../../src/routes/jobs/jobs.js';

describe('the Jobs page’s words', () => {
	it('says what a job is about', () => {
		expect(jobSummary({ kind: 'load', params: { paths: ['/data/events.parquet'] } })).toBe('events.parquet');
		expect(jobSummary({ kind: 'load', params: { paths: ['/d/accounts.csv', '/d/events.csv', '/d/tickets.csv'] } })).toBe(
			'3 files (accounts.csv, …)'
		);
		expect(jobSummary({ kind: 'train', params: { model: 'csat', asOf: '2026-10-01' } })).toBe('csat model as of 2026-10-01');
		expect(jobSummary({ kind: 'score', params: {} })).toBe('every live account');
		expect(jobSummary({ kind: 'derive', params: { rebuild: true } })).toBe('every fact table');
	});

	it('says how far a running job has got and what a finished one did', () => {
		expect(progressText({ load: { file: '/d/events.csv', index: 1, files: 3, percent: 42.4 } })).toBe('file 2 of 3: events.csv 42 %');
		expect(progressText({ load: { file: '/d/events.csv', index: 0, files: 1, percent: -1 } })).toBe('file 1 of 1: events.csv');
		expect(progressText({ message: 'training logistic on 900 rows' })).toBe('training logistic on 900 rows');
		const files = [
			{ accepted: 1200, updated: 3, rejected: 9 },
			{ accepted: 5, updated: 0, rejected: 0 }
		];
		expect(outcomeText({ kind: 'load', result: { files } })).toBe('1,205 new, 3 updated, 9 rejected');
		expect(outcomeText({ kind: 'train', result: { version: '20261201-101500', auc: 0.8123 } })).toBe(
			'saved version 20261201-101500, held-out AUC 0.812'
		);
		expect(outcomeText({ kind: 'score', result: { scored: 1999 } })).toBe('1,999 accounts scored');
		expect(outcomeText({ kind: 'score', result: null })).toBe('done');
		expect(outcomeText({ kind: 'derive', result: { rebuilt: [{ name: 'derived_sessions' }, { name: 'derived_topics' }] } })).toBe(
			'2 fact tables rebuilt'
		);
		expect(outcomeText({ kind: 'derive', result: { rebuilt: [] } })).toBe('every fact table was fresh');
	});

	it('says how long a job took, or has been running', () => {
		expect(seconds({ started_at: '2026-12-01T10:00:00.000Z', finished_at: '2026-12-01T10:00:02.400Z' })).toBe('2.4 s');
		expect(seconds({ started_at: '2026-12-01T10:00:00.000Z', finished_at: null }, Date.parse('2026-12-01T10:02:05.000Z'))).toBe(
			'2 min 5 s'
		);
		expect(seconds({ started_at: null, finished_at: null })).toBe('');
	});
});
