/**
 * What several benchmarks share: the generated sample at a size (made once, reused), its files, the
 * `adoption` CLI as a child process, and new events on the sample's own users to load into it.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const out = path.join(root, 'bench', 'out');
export const bin = path.join(root, 'bin', 'adoption.js');
export const log = (line: string) => process.stderr.write(line + '\n');

/** Runs `adoption <args> --json` and returns its document and wall time. */
export function adoption(args: string[], env: Record<string, string> = {}): { doc: Record<string, unknown>; seconds: number } {
	const t0 = performance.now();
	const stdout = execFileSync(process.execPath, [bin, ...args, '--json'], {
		maxBuffer: 1 << 28,
		stdio: ['ignore', 'pipe', 'inherit'],
		env: { ...process.env, ...env }
	});
	return { doc: JSON.parse(stdout.toString()), seconds: (performance.now() - t0) / 1000 };
}

/** The sample's files at `accounts` accounts (Parquet events), generated when not there yet. */
export function sampleFiles(accounts: number): string[] {
	const dir = path.join(out, `sample-${accounts}`);
	if (!fs.existsSync(path.join(dir, 'truth.csv'))) {
		log('  generating the sample…');
		adoption(['generate', '--out', dir, '--accounts', String(accounts), '--formats', 'parquet']);
	}
	return fs
		.readdirSync(dir)
		.filter((f) => f !== 'README.md')
		.map((f) => path.join(dir, f));
}

/** Reads from a database file no other process holds, read-only, and lets go of it. */
export async function readDb<T>(dbFile: string, sql: string): Promise<T[]> {
	const instance = await DuckDBInstance.create(dbFile, { access_mode: 'READ_ONLY' });
	try {
		const conn = await instance.connect();
		return (await conn.runAndReadAll(sql)).getRowObjectsJson() as T[];
	} finally {
		instance.closeSync();
	}
}

/** Users with an account, and the time of the latest event, to write new events on. */
export async function sampleUsers(dbFile: string): Promise<{ users: { user_id: string; account_id: string }[]; end: number }> {
	const users = await readDb<{ user_id: string; account_id: string }>(
		dbFile,
		'SELECT user_id, account_id FROM users WHERE account_id IS NOT NULL ORDER BY user_id LIMIT 5000'
	);
	const [{ e }] = await readDb<{ e: string }>(dbFile, 'SELECT epoch_ms(max(timestamp)) AS e FROM events');
	return { users, end: Number(e) };
}

/**
 * Writes `n` new events as CSV, ids prefixed `prefix`: existing users of existing accounts, at times spread
 * over the last 90 days of the data (so many are late: older than events already stored).
 */
export function eventsFile(file: string, n: number, prefix: string, sample: Awaited<ReturnType<typeof sampleUsers>>): void {
	const names = [
		'Page Viewed',
		'Article Viewed',
		'Workflow Triggered',
		'Integration Connected',
		'Automation Run',
		'Bot Conversation Started'
	];
	const fd = fs.openSync(file, 'w');
	try {
		const lines = ['event_id,user_id,account_id,event,timestamp,page'];
		for (let i = 0; i < n; i++) {
			const u = sample.users[(i * 7919) % sample.users.length];
			const at = new Date(sample.end - ((i * 104_729) % (90 * 86_400)) * 1000).toISOString();
			lines.push(`${prefix}-${i},${u.user_id},${u.account_id},${names[i % names.length]},${at},/settings`);
			if (lines.length >= 100_000) fs.writeSync(fd, lines.splice(0).join('\n') + '\n');
		}
		if (lines.length) fs.writeSync(fd, lines.join('\n') + '\n');
	} finally {
		fs.closeSync(fd);
	}
}
