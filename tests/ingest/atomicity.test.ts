import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/lib/server/db/connection.js';
import { adoption, fixture, ROOT, tempDir } from '../helpers.js';

const ROWS = 3_000_000;

describe('a load whose process is killed halfway', () => {
	it('leaves the database as it was', async () => {
		const dir = tempDir();
		const dbFile = path.join(dir, 'kill.duckdb');
		const events = path.join(dir, 'events.csv');
		const bin = path.join(ROOT, 'bin', 'adoption.js');
		expect(adoption(['load', fixture('ingest', 'accounts.csv'), '--db', dbFile]).code).toBe(0);
		const scratch = await openDatabase(':memory:', { threads: 1 });
		await scratch.query(`COPY (SELECT 'e' || i AS event_id, 'u' || (i % 500) AS user_id, 'A1' AS account_id,
			'Page Viewed' AS event, '2024-03-01T00:00:00Z' AS timestamp, '/p/' || (i % 40) AS page
			FROM range(${ROWS}) t(i)) TO '${events}' (HEADER)`);
		scratch.close();

		const before = fs.statSync(dbFile).size;
		const child = spawn(process.execPath, [bin, 'load', events, '--db', dbFile], { stdio: 'ignore' });
		const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
		// DuckDB writes a large insert into the file before it commits: growth shows the load is under way.
		let grew = false;
		for (let i = 0; i < 600 && child.exitCode === null; i++) {
			const size = fs.statSync(dbFile).size + (fs.existsSync(dbFile + '.wal') ? fs.statSync(dbFile + '.wal').size : 0);
			if (size > before + 8 * 1024 * 1024) {
				grew = true;
				break;
			}
			await new Promise((r) => setTimeout(r, 50));
		}
		child.kill('SIGKILL');
		expect(await exited).toBe('SIGKILL');
		expect(grew).toBe(true);

		const db = await openDatabase(dbFile, { threads: 1 });
		expect(await db.query('SELECT count(*) AS n FROM events')).toEqual([{ n: 0 }]);
		expect(await db.query('SELECT count(*) AS n FROM accounts')).toEqual([{ n: 3 }]);
		expect(await db.query('SELECT table_name, outcome FROM loads')).toEqual([{ table_name: 'accounts', outcome: 'ok' }]);
		db.close();
	});
});
