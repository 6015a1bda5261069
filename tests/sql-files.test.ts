/**
 * The committed SQL files are what the code compiles (run `npm run sql` after changing SQL), and each is
 * SQL DuckDB runs: the derived tables build and every metric's queries run on an empty database.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runQuery, type Database } from '../src/lib/server/db/connection.js';
import { startTouches } from '../src/lib/server/facts/touched.js';
import { SQL_DIRS, sqlFiles } from '../src/lib/server/sql-files.js';
import { memoryDb, ROOT } from './helpers.js';

let db: Database;
let files: Map<string, string>;
beforeAll(async () => {
	db = await memoryDb();
	files = sqlFiles(db.kysely);
});
afterAll(() => db.close());

const committed = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');
/** The statements of a file: its text without comment lines, split at the `;` ending each. */
const statements = (text: string) =>
	text
		.split('\n')
		.filter((l) => !l.startsWith('--'))
		.join('\n')
		.split(/;\n/)
		.map((s) => s.trim())
		.filter(Boolean);

describe('committed SQL', () => {
	it('matches what the code compiles, file for file (else run `npm run sql`)', () => {
		const onDisk = Object.values(SQL_DIRS).flatMap((dir) => fs.readdirSync(path.join(ROOT, dir)).map((f) => `${dir}/${f}`));
		expect(onDisk.sort()).toEqual([...files.keys()].sort());
		for (const [file, text] of files) expect(committed(file), `${file} differs from the compiled SQL: run npm run sql`).toBe(text);
	});

	it('covers every metric with an unfiltered and a filtered query, and every derived table', () => {
		const metricFiles = [...files.keys()].filter((f) => f.startsWith(SQL_DIRS.metrics));
		expect(metricFiles).toHaveLength(24);
		for (const f of metricFiles) expect(statements(files.get(f)!)).toHaveLength(2);
		const factFiles = [...files.keys()].filter((f) => f.startsWith(SQL_DIRS.facts));
		expect(factFiles).toHaveLength(9);
		// The whole build, then the delete and insert a load runs for the keys it touched.
		for (const f of factFiles) expect(statements(files.get(f)!)).toHaveLength(3);
	});

	it('runs in DuckDB as written: the fact tables build in order and update for a load, then every metric query runs', async () => {
		// One connection: a load's touched keys live in its connection's temporary tables.
		const conn = await db.connect();
		try {
			await startTouches(conn);
			for (const [file, text] of files) {
				if (!file.startsWith(SQL_DIRS.facts)) continue;
				for (const s of statements(text)) await runQuery(conn, s);
			}
			for (const [file, text] of files) {
				if (!file.startsWith(SQL_DIRS.metrics)) continue;
				for (const s of statements(text)) expect(await runQuery(conn, s), file).toHaveLength(1);
			}
		} finally {
			conn.closeSync();
		}
	});
});
