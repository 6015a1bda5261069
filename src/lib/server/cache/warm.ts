/**
 * The views nearly everyone opens first (the overview, the metrics dashboard unfiltered, the worklist's
 * first page, the metrics API), fetched by the server from itself when it starts and after every job,
 * so the first person after a load does not wait for them. Each route computes and caches as for any
 * request (same keys, same code); the filtered views are still computed when someone first asks.
 */
export const WARM_PATHS = ['/', '/metrics', '/accounts', '/api/metrics'] as const;

/** Requests the views one after another (so people's own requests are not crowded out); failures are ignored: a person's request will show them. */
export async function warmViews(base: string): Promise<void> {
	for (const p of WARM_PATHS) {
		try {
			await (await fetch(base + p)).arrayBuffer();
		} catch {
			// The server is stopping, or the page fails: nothing to warm.
		}
	}
}

/** {@link warmViews} once the server answers (it starts listening after its init, which calls this). */
export async function warmWhenListening(base: string): Promise<void> {
	for (let i = 0; i < 100; i++) {
		const up = await fetch(`${base}/api/status`)
			.then((r) => r.arrayBuffer())
			.then(() => true)
			.catch(() => false);
		if (up) return warmViews(base);
		await new Promise((r) => setTimeout(r, 100));
	}
}
