import cliProgress from 'cli-progress';
import fs from 'node:fs';
import path from 'node:path';
import type { RefreshTiming } from '../lib/server/derive/refresh.js';
import { FORMATS, type Format } from '../lib/server/ingest/detect.js';
import type { FileResult } from '../lib/server/ingest/load.js';
import { perform } from '../lib/server/jobs/channel.js';
import type { JobOutcome } from '../lib/server/jobs/kinds.js';
import { CliError, type Output } from './output.js';

const LISTED = 10;
const DOCUMENTATION = /\.(md|txt|pdf|html?)$/i;

/**
 * The files to load: a folder stands for the files in it; documentation (a data set's README.md) is
 * left out, so `adoption load DIR/*` and `adoption load DIR` load a whole generated set.
 */
function expand(paths: string[], out: Output): string[] {
	const files = paths.flatMap((p) =>
		fs.existsSync(p) && fs.statSync(p).isDirectory()
			? fs
					.readdirSync(p)
					.sort()
					.map((f) => path.join(p, f))
					.filter((f) => fs.statSync(f).isFile())
			: [p]
	);
	for (const f of files.filter((f) => DOCUMENTATION.test(f))) out.info(`· ${f}: documentation, not loaded`);
	return files.filter((f) => !DOCUMENTATION.test(f));
}

/**
 * `adoption load PATH… [--table NAME] [--format F]`: through the server when one owns the database (as a
 * job, its progress shown here), else on the file directly; the same document and exit code either way.
 */
export async function loadCommand(
	paths: string[],
	opts: { db: string; table?: string; format?: string; skipDerived?: boolean },
	out: Output
) {
	if (opts.format && !FORMATS.includes(opts.format as Format)) {
		throw new CliError(`unknown --format '${opts.format}': use one of ${FORMATS.join(', ')}`, 2);
	}
	paths = expand(paths, out);
	if (!paths.length) throw new CliError('no data files to load', 2);
	const bar =
		!out.json && process.stdout.isTTY
			? new cliProgress.SingleBar(
					{ format: '{bar} {percentage}% | file {index}/{files} {name}', hideCursor: true, clearOnComplete: true },
					cliProgress.Presets.shades_classic
				)
			: undefined;
	bar?.start(100, 0, { index: 1, files: paths.length, name: '' });
	let outcome: JobOutcome;
	try {
		outcome = await perform(
			opts.db,
			{
				kind: 'load',
				// Absolute: a server resolves paths from its own working folder.
				params: {
					paths: paths.map((p) => path.resolve(p)),
					table: opts.table,
					format: opts.format as Format | undefined,
					skipDerived: opts.skipDerived
				}
			},
			(p) => {
				if (p.load && bar)
					bar.update(Math.max(0, Math.round(p.load.percent)), {
						index: p.load.index + 1,
						files: p.load.files,
						name: path.basename(p.load.file)
					});
				if (p.message) {
					bar?.stop();
					out.info(p.message);
				}
			}
		);
	} finally {
		bar?.stop();
	}
	const doc = outcome.doc as { files: FileResult[]; derived_tables: RefreshTiming[] };
	for (const r of doc.files) out.info(summary(r));
	if (doc.derived_tables.length)
		out.info(
			`Fact tables rebuilt in ${doc.derived_tables.reduce((a, d) => a + d.seconds, 0).toFixed(1)} s (${doc.derived_tables.map((d) => `${d.name} ${d.seconds.toFixed(1)} s`).join(', ')})`
		);
	out.result(doc);
	if (outcome.failure) throw new CliError(outcome.failure);
}

function summary(r: FileResult): string {
	if (!r.ok) return `✗ ${r.error}`;
	const lines = [
		`✓ ${r.file} → ${r.table} (${r.format}): ${r.accepted} new, ${r.updated} updated, ${r.skipped} skipped, ${r.rejected} rejected`
	];
	for (const [table, c] of Object.entries(r.derived)) {
		lines.push(`  also ${table}: ${c.accepted} new, ${c.updated} updated, ${c.skipped} skipped, ${c.rejected} rejected`);
	}
	if (r.ignored_columns.length) lines.push(`  ignored columns not in the contract: ${r.ignored_columns.join(', ')}`);
	for (const x of r.rejects.slice(0, LISTED)) lines.push(`  line ${x.line ?? '?'}${x.field ? `, ${x.field}` : ''}: ${x.reason}`);
	if (r.rejected > LISTED)
		lines.push(`  … and ${r.rejected - LISTED} more (adoption serve → Rejected rows, or the rejected_rows table, load ${r.load_id})`);
	return lines.join('\n');
}
