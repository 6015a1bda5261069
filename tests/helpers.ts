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
