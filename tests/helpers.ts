import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase, type Database } from '../src/lib/server/db/connection.js';

/** The project's root folder. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Path of a fixture file under tests/fixtures/. */
export function fixture(...parts: string[]): string {
	return path.join(ROOT, 'tests', 'fixtures', ...parts);
}

/** A fresh in-memory database, capped so parallel test workers fit a 2-core machine. */
export function memoryDb(): Promise<Database> {
	return openDatabase(':memory:', { threads: 1, memoryLimit: '1GB' });
}

/** A fresh temporary folder, removed by the caller (or left in the OS temp dir). */
export function tempDir(prefix = 'adoption-test-'): string {
	return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * Runs `adoption <args>` through the bin, as a user would (`npx adoption …` runs this same bin), with
 * `input` on stdin when given; returns the exit code and output. A command still running after 90 s is killed and fails the test: a synchronous
 * spawn blocks the worker, so Vitest's own timeout could never end it.
 */
export function adoption(args: string[], env: Record<string, string> = {}, input?: string) {
	const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'adoption.js'), ...args], {
		cwd: ROOT,
		encoding: 'utf8',
		input,
		env: { ...process.env, ...env },
		timeout: 90_000,
		killSignal: 'SIGKILL'
	});
	if (r.error) throw new Error(`adoption ${args.join(' ')}: ${r.error.message}\n${r.stdout}\n${r.stderr}`, { cause: r.error });
	return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
