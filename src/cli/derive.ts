import type { RefreshTiming } from '../lib/server/derive/refresh.js';
import { perform } from '../lib/server/jobs/channel.js';
import type { Output } from './output.js';

/**
 * `adoption derive [--rebuild]`: rebuilds the stale fact tables (after a config change, or a load run with
 * `--skip-derived`), or every one with `--rebuild`. Loads keep fresh tables current on their own.
 */
export async function deriveCommand(opts: { db: string; rebuild?: boolean }, out: Output) {
	// Through the server when one owns the database, else on the file directly: the same document either way.
	const { doc } = await perform(opts.db, { kind: 'derive', params: { rebuild: opts.rebuild } }, (p) => {
		if (p.message) out.info(p.message);
	});
	const { rebuilt } = doc as { rebuilt: RefreshTiming[] };
	out.result({ rebuilt });
	if (!rebuilt.length) out.info('Every fact table is fresh: nothing to rebuild (--rebuild rebuilds them all).');
	for (const t of rebuilt)
		out.info(`  ${t.name.padEnd(28)} ${t.rows.toLocaleString('en-US').padStart(12)} rows  ${t.seconds.toFixed(1)} s`);
}
