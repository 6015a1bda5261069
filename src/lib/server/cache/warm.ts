/**
 * The views nearly everyone opens first (the overview, the metrics dashboard, the cohorts, knowledge and
 * support pages unfiltered, the worklist's first page, the metrics API, the first account's page), fetched
 * by the server from itself when it starts and after every job,
 * so the first person after a load does not wait for them. Each route computes and caches as for any
 * request (same keys, same code); the filtered views are still computed when someone first asks.
 */
export const WARM_PATHS = ['/', '/metrics', '/accounts', '/api/metrics', '/cohorts', '/knowledge', '/support'] as const;

/** Fetches `path`, or undefined when the server is stopping or the view fails: nothing to warm. */
async function get(base: string, path: string): Promise<ArrayBuffer | undefined> {
	try {
		const res = await fetch(base + path);
		const body = await res.arrayBuffer();
		return res.ok ? body : undefined;
	} catch {
		return undefined;
	}
}

/**
 * Requests the views one after another (so people's own requests are not crowded out), then the page of
 * the worklist's first account: the account a CSM opens first, and it reads what the data learned about
 * milestones (`learnedSteps`, a scan of every article read) for every account page after it. Failures
 * are ignored: a person's request will show them.
 */
export async function warmViews(base: string): Promise<void> {
	for (const p of WARM_PATHS) await get(base, p);
	const list = await get(base, '/api/accounts?limit=1');
	let first: string | undefined;
	try {
		first = list && (JSON.parse(new TextDecoder().decode(list)) as { rows?: { account_id?: string }[] }).rows?.[0]?.account_id;
	} catch {
		first = undefined;
	}
	if (first) await get(base, `/accounts/${encodeURIComponent(first)}`);
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
