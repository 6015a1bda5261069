import cliProgress from 'cli-progress';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../lib/server/config/config.js';
import { openDatabase } from '../lib/server/db/connection.js';
import { freshDerived } from '../lib/server/derive/derived.js';
import { refreshDerived, type RefreshTiming } from '../lib/server/derive/refresh.js';
import { FACTS } from '../lib/server/facts/registry.js';
import { FORMATS, type Format } from '../lib/server/ingest/detect.js';
import { loadFiles, type FileResult } from '../lib/server/ingest/load.js';
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

/** `adoption load PATH… [--table NAME] [--format F]`. */
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
	const db = await openDatabase(opts.db);
	const bar =
		!out.json && process.stdout.isTTY
			? new cliProgress.SingleBar(
					{ format: '{bar} {percentage}% | file {index}/{files} {name}', hideCursor: true, clearOnComplete: true },
					cliProgress.Presets.shades_classic
				)
			: undefined;
	bar?.start(100, 0, { index: 1, files: paths.length, name: '' });
	let results: FileResult[];
	let derived: RefreshTiming[] = [];
	const config = loadConfig();
	try {
		results = await loadFiles(db, paths, {
			config,
			table: opts.table,
			format: opts.format as Format | undefined,
			onProgress: bar
				? (p) => bar.update(Math.max(0, Math.round(p.percent)), { index: p.index + 1, files: p.files, name: path.basename(p.file) })
				: undefined
		});
		bar?.stop();
		// Each load kept the fresh fact tables current; what it could not (a table's first data, a changed config) is rebuilt whole.
		if (!opts.skipDerived && results.some((r) => r.ok) && (await freshDerived(db.kysely, config)).size < FACTS.length) {
			out.info('Rebuilding stale fact tables…');
			derived = await refreshDerived(db, config);
		}
	} finally {
		bar?.stop();
		db.close();
	}
	for (const r of results) out.info(summary(r));
	if (derived.length)
		out.info(
			`Fact tables rebuilt in ${derived.reduce((a, d) => a + d.seconds, 0).toFixed(1)} s (${derived.map((d) => `${d.name} ${d.seconds.toFixed(1)} s`).join(', ')})`
		);
	out.result({
		files: results.map((r) => ({
			file: r.file,
			table: r.table,
			format: r.format,
			accepted: r.accepted,
			updated: r.updated,
			skipped: r.skipped,
			rejected: r.rejected,
			rejects: r.rejects,
			derived: r.derived,
			ignored_columns: r.ignored_columns,
			load_id: r.load_id,
			ok: r.ok,
			facts: r.facts,
			...(r.error ? { error: r.error } : {})
		})),
		derived_tables: derived
	});
	const failed = results.filter((r) => !r.ok);
	if (failed.length) {
		throw new CliError(failed.length === 1 ? failed[0].error! : `${failed.length} files failed to load; first: ${failed[0].error}`);
	}
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
