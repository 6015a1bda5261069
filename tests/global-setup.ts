import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { generate } from '../src/lib/server/generate/generate.js';

/** Accounts in the large sample the planted-effect tests measure (the 20,000). */
export const LARGE_ACCOUNTS = 20_000;

declare module 'vitest' {
	export interface ProvidedContext {
		/** Folder of the large generated sample (Parquet events only), made once per run. */
		largeSample: string;
	}
}

/**
 * Generates the large sample data set once per test run, before the workers start, so tests that
 * measure the planted effects share it instead of each generating 7 M events.
 */
export default async function setup(project: TestProject) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'adoption-sample-'));
	await generate({ out: dir, accounts: LARGE_ACCOUNTS, seed: 42, eventsJsonl: false, threads: 2 });
	project.provide('largeSample', dir);
	return () => fs.rmSync(dir, { recursive: true, force: true });
}
