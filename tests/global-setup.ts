import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { parseConfig } from '../src/lib/server/config/config.js';
import { openDatabase } from '../src/lib/server/db/connection.js';
import { refreshDerived } from '../src/lib/server/derive/refresh.js';
import { generate } from '../src/lib/server/generate/generate.js';
import { loadFiles } from '../src/lib/server/ingest/load.js';
import { ensureBuildAsync } from './browser/server.js';

/** Accounts in the large sample the planted-effect tests measure (the 20,000). */
export const LARGE_ACCOUNTS = 20_000;

declare module 'vitest' {
	export interface ProvidedContext {
		/** Folder of the large generated sample (Parquet events only), made once per run. */
		largeSample: string;
		/** A DuckDB file with the large sample loaded and its derived tables built. */
		largeSampleDb: string;
	}
}

/**
 * Generates the large sample data set once per test run, before the workers start, and loads it into a
 * DuckDB file, so tests that measure the planted effects share it instead of each making 7 M events.
 */
export default async function setup(project: TestProject) {
	// Build the web app once, before the workers (browser test files building in parallel clobber each other),
	// while the sample is generated: the build is mostly one core's work.
	const built = ensureBuildAsync();
	built.catch(() => {}); // reported by the await below, not as an unhandled rejection meanwhile
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'adoption-sample-'));
	await generate({ out: dir, accounts: LARGE_ACCOUNTS, seed: 42, eventsJsonl: false, threads: 2 });
	await built;
	project.provide('largeSample', dir);
	const dbDir = fs.mkdtempSync(path.join(os.tmpdir(), 'adoption-sample-db-'));
	const dbFile = path.join(dbDir, 'sample.duckdb');
	const db = await openDatabase(dbFile, { threads: 2, memoryLimit: '4GB' });
	const files = fs
		.readdirSync(dir)
		.filter((f) => f !== 'README.md')
		.map((f) => path.join(dir, f));
	const failed = (await loadFiles(db, files)).filter((r) => !r.ok);
	if (failed.length) throw new Error(`global setup: loading the sample failed: ${failed[0].error}`);
	await refreshDerived(db, parseConfig({}));
	db.close();
	project.provide('largeSampleDb', dbFile);
	return () => {
		fs.rmSync(dir, { recursive: true, force: true });
		fs.rmSync(dbDir, { recursive: true, force: true });
	};
}
