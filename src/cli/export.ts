import path from 'node:path';
import { writeParquet } from '../lib/server/export/parquet.js';
import { performRead } from '../lib/server/jobs/channel.js';
import { EXPORTS } from '../lib/server/jobs/reads.js';
import { CliError, type Output } from './output.js';

/**
 * `adoption export scores|features --out FILE.parquet`: the latest scoring run's worklist (every account,
 * in rank order) or the feature snapshot it was scored from, as Parquet for an analyst's notebook. Read
 * through the server when one owns the database, written here.
 */
export async function exportCommand(what: string, opts: { db: string; out?: string }, out: Output) {
	if (!(EXPORTS as readonly string[]).includes(what)) throw new CliError(`unknown export '${what}': use ${EXPORTS.join(' or ')}`, 2);
	if (!opts.out) throw new CliError('--out FILE.parquet is required', 2);
	if (path.extname(opts.out).toLowerCase() !== '.parquet') throw new CliError(`--out must name a .parquet file, not '${opts.out}'`, 2);
	const doc = await performRead(opts.db, { kind: 'export', params: { what: what as (typeof EXPORTS)[number] } });
	await writeParquet(opts.out, doc.columns, doc.rows);
	out.result({
		file: opts.out,
		what,
		as_of: doc.as_of,
		version: doc.version,
		rows: doc.rows.length,
		columns: doc.columns.map((c) => c.name)
	});
	out.info(
		`Wrote ${doc.rows.length.toLocaleString('en-US')} ${what === 'scores' ? 'scored accounts' : 'feature rows'} as of ${doc.as_of.slice(0, 10)} (model ${doc.version}) to ${opts.out}, ${doc.columns.length} columns`
	);
}
