import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/lib/server/db/connection.js';
import { LATEST_VERSION } from '../../src/lib/server/db/migrate.js';
import { tempDir } from '../helpers.js';

describe('migrations', () => {
	it('upgrades a database file made by an older version, keeping its data', async () => {
		const file = path.join(tempDir(), 'old.duckdb');
		const old = await openDatabase(file, { migrateTo: 1, threads: 1 });
		await old.query(`INSERT INTO accounts (account_id, created_at) VALUES ('A1', TIMESTAMP '2024-01-01 00:00:00')`);
		await old.query(`INSERT INTO tickets (ticket_id, account_id, created_at) VALUES ('T1', 'A1', TIMESTAMP '2024-02-01 00:00:00')`);
		const oldColumns = await old.query<{ column_name: string }>(`SELECT column_name FROM duckdb_columns() WHERE table_name = 'tickets'`);
		expect(oldColumns.map((c) => c.column_name)).not.toContain('deleted');
		old.close();

		const db = await openDatabase(file, { threads: 1 });
		expect(await db.query('SELECT version, name FROM schema_migrations ORDER BY version')).toEqual([
			{ version: 1, name: 'initial' },
			{ version: 2, name: 'zendesk-segment' },
			{ version: 3, name: 'truth' },
			{ version: 4, name: 'derived' },
			{ version: 5, name: 'scores' },
			{ version: 6, name: 'jobs' },
			{ version: 7, name: 'people' },
			{ version: 8, name: 'alerts' },
			{ version: 9, name: 'notify' },
			{ version: 10, name: 'sources' }
		]);
		expect(LATEST_VERSION).toBe(10);
		expect(await db.query('SELECT ticket_id, account_id, deleted, channel_raw FROM tickets')).toEqual([
			{ ticket_id: 'T1', account_id: 'A1', deleted: false, channel_raw: null }
		]);
		expect(await db.query('SELECT count(*) AS n FROM zendesk_users')).toEqual([{ n: 0 }]);
		db.close();

		// Opening a current database applies nothing again.
		const again = await openDatabase(file, { threads: 1 });
		expect(await again.query('SELECT count(*) AS n FROM schema_migrations')).toEqual([{ n: LATEST_VERSION }]);
		again.close();
	});

	it('refuses to open an outdated file read-only, since that cannot upgrade it', async () => {
		const file = path.join(tempDir(), 'old.duckdb');
		(await openDatabase(file, { migrateTo: 1, threads: 1 })).close();
		await expect(openDatabase(file, { readOnly: true })).rejects.toThrow(/needs upgrading/);
	});
});
