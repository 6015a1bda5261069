import { loadConfig } from '../lib/server/config/config.js';
import { openDatabase } from '../lib/server/db/connection.js';
import { refreshDerived } from '../lib/server/derive/refresh.js';
import type { Output } from './output.js';

/**
 * `adoption derive [--rebuild]`: rebuilds the stale fact tables (after a config change, or a load run with
 * `--skip-derived`), or every one with `--rebuild`. Loads keep fresh tables current on their own.
 */
export async function deriveCommand(opts: { db: string; rebuild?: boolean }, out: Output) {
	const db = await openDatabase(opts.db);
	try {
		const rebuilt = await refreshDerived(db, loadConfig(), { all: opts.rebuild });
		out.result({ rebuilt });
		if (!rebuilt.length) out.info('Every fact table is fresh: nothing to rebuild (--rebuild rebuilds them all).');
		for (const t of rebuilt)
			out.info(`  ${t.name.padEnd(28)} ${t.rows.toLocaleString('en-US').padStart(12)} rows  ${t.seconds.toFixed(1)} s`);
	} finally {
		db.close();
	}
}
