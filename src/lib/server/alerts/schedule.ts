/**
 * The server's alert timetable: the rules evaluated after every successful load and scoring job (queued
 * behind it) and every `alerts.evaluateEveryMinutes`; the SLA clocks moved every minute. Evaluations are
 * jobs like any other write, so they take their turn; at most one waits in the queue at a time.
 */
import { loadConfig } from '../config/config.js';
import type { Database } from '../db/connection.js';
import { followUp } from '../jobs/kinds.js';
import type { JobQueue } from '../jobs/queue.js';
import { tickAlerts } from './clocks.js';

const TICK_MS = 60_000;

/** Starts the timetable on the owned database; returns a function that stops it. */
export function scheduleAlerts(db: Database, queue: JobQueue): () => void {
	let waiting = false;
	const evaluate = (trigger: 'schedule' | 'load' | 'score') => {
		if (waiting) return;
		waiting = true;
		queue.submit('evaluate', { trigger }).catch(() => (waiting = false));
	};
	queue.afterEach((job) => {
		if (job.kind === 'evaluate') waiting = false;
		const next = job.state === 'succeeded' ? followUp(job.kind, { doc: job.result }) : null;
		if (next?.kind === 'evaluate') evaluate(next.params.trigger === 'score' ? 'score' : 'load');
	});
	const everyMs = () => loadConfig().alerts.evaluateEveryMinutes * 60_000;
	let evaluator: NodeJS.Timeout;
	const plan = () => {
		evaluator = setTimeout(() => {
			evaluate('schedule');
			plan();
		}, everyMs());
		evaluator.unref();
	};
	plan();
	const clocks = setInterval(() => {
		// A config error or a busy row now is tried again in a minute; the clocks only ever move forward.
		tickAlerts(db, loadConfig()).catch(() => {});
	}, TICK_MS);
	clocks.unref();
	return () => {
		clearTimeout(evaluator);
		clearInterval(clocks);
	};
}
