import type { Job, JobEvent, JobQueue } from './queue.js';

/**
 * A job's events as newline-delimited JSON, from now until it ends (the first line is `{"type": "queued",
 * "job": …}`, the last `{"type": "done", "job": …}`): what the CLI reads to print progress and then exactly the document it prints alone.
 */
export function jobEventStream(queue: JobQueue, job: Job): ReadableStream<Uint8Array> {
	const encoder = new TextEncoder();
	let stop = () => {};
	let closed = false;
	return new ReadableStream({
		start(controller) {
			const send = (e: JobEvent) => {
				if (closed) return;
				controller.enqueue(encoder.encode(JSON.stringify(e) + '\n'));
				if (e.type === 'done') {
					closed = true;
					stop();
					controller.close();
				}
			};
			// First the job itself, so a watcher whose stream breaks can still ask how it ended.
			send({ type: 'queued', job });
			stop = queue.watch(job.job_id, send);
			// It may have ended between submitting and watching.
			void queue.get(job.job_id).then((now) => {
				if (now && (now.state === 'succeeded' || now.state === 'failed' || now.state === 'cancelled')) send({ type: 'done', job: now });
			});
		},
		cancel() {
			closed = true;
			stop();
		}
	});
}
