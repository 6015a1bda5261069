/**
 * `npm run bench -- generate <accounts>`: times `adoption generate` (Parquet events; `--formats` as
 * default for the size) as a child process and prints wall time, peak RSS, events per second, and per file
 * its records, write time and size. Goal: 10 M events in ≤ 60 s on a 2-core machine, memory bounded.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure } from './ingest.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const log = (line: string) => process.stderr.write(line + '\n');

/** Runs the generator benchmark at `accounts` accounts. */
export async function generateBench(accounts: number): Promise<void> {
	const dir = path.join(root, 'bench', 'out', `generate-${accounts}`);
	fs.rmSync(dir, { recursive: true, force: true });
	const m = await measure(process.execPath, [
		path.join(root, 'bin', 'adoption.js'),
		'generate',
		'--out',
		dir,
		'--accounts',
		String(accounts),
		'--json'
	]);
	const doc = JSON.parse(m.stdout) as { files: { file: string; rows: number; seconds: number }[]; seconds: number };
	const events = doc.files.filter((f) => /events\.parquet$|segment\.jsonl$/.test(f.file)).reduce((a, f) => a + f.rows, 0);
	const files = doc.files.map((f) => ({
		file: path.basename(f.file),
		rows: f.rows,
		write_seconds: f.seconds,
		mb: fs.statSync(f.file).size / 1e6
	}));
	const result = {
		bench: 'generate',
		accounts,
		events,
		seconds: m.seconds,
		events_per_second: events / m.seconds,
		peak_rss_mb: m.peakRssMB,
		files
	};
	fs.writeFileSync(path.join(root, 'bench', 'out', `generate-${accounts}.json`), JSON.stringify(result, null, 2));
	log(
		`generate ${accounts.toLocaleString('en-US')} accounts: ${events.toLocaleString('en-US')} events (Parquet + Segment) in ${m.seconds.toFixed(1)} s ` +
			`= ${Math.round(events / m.seconds).toLocaleString('en-US')} events/s, peak RSS ${m.peakRssMB} MB${(m.othersCpuSeconds ?? 0) > 0.2 * m.seconds ? ' (other processes competed)' : ''}`
	);
	log('file                                rows   write s      rows/s       MB');
	for (const f of files) {
		log(
			`${f.file.padEnd(30)} ${f.rows.toLocaleString('en-US').padStart(11)} ${f.write_seconds.toFixed(2).padStart(9)} ${Math.round(
				f.rows / Math.max(f.write_seconds, 0.001)
			)
				.toLocaleString('en-US')
				.padStart(11)} ${f.mb.toFixed(1).padStart(8)}`
		);
	}
	process.stdout.write(JSON.stringify(result) + '\n');
}
