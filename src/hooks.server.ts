import type { ServerInit } from '@sveltejs/kit';
import { claimOwnership, ownedDatabase } from '$lib/server/db/owner.js';
import { warmViews, warmWhenListening } from '$lib/server/cache/warm.js';
import { jobQueue } from '$lib/server/jobs/queue.js';

/**
 * The built server (`node build/index.js`, what `adoption serve` runs) owns its database from the start:
 * it takes the file's lock, writes the handoff file for the CLI, and marks jobs a killed predecessor left
 * running as failed, and warms the first views (see `cache/warm.ts`). Under `vite dev` nothing is claimed.
 */
export const init: ServerInit = async () => {
	if (process.env.ADOPTION_OWN !== '1') return;
	const host = process.env.HOST && process.env.HOST !== '0.0.0.0' && process.env.HOST !== '::' ? process.env.HOST : '127.0.0.1';
	const url = `http://${host.includes(':') ? `[${host}]` : host}:${process.env.PORT ?? 3000}`;
	await claimOwnership(url);
	// The queue recovers as soon as the database can be opened (now, or when the file first appears).
	// The first views are computed once the server listens, and again after every job.
	await ownedDatabase()
		.then(jobQueue)
		.then((queue) => {
			queue.afterEach(() => void warmViews(url));
			void warmWhenListening(url);
		})
		.catch(() => {});
};
