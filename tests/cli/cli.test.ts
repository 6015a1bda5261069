import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../browser/server.js';
import { adoption, fixture, ROOT, tempDir } from '../helpers.js';

describe('adoption CLI', () => {
	it('load --json prints one JSON document with the contract’s keys and exits 0 despite rejected rows', () => {
		const db = path.join(tempDir(), 'cli.duckdb');
		const r = adoption(['load', fixture('ingest', 'tickets.csv'), fixture('ingest', 'accounts.csv'), '--db', db, '--json']);
		expect(r.code).toBe(0);
		const doc = JSON.parse(r.stdout);
		expect(doc.files.map((f: { table: string }) => f.table)).toEqual(['accounts', 'tickets']);
		const tickets = doc.files[1];
		for (const key of ['file', 'table', 'format', 'accepted', 'updated', 'skipped', 'rejected', 'rejects', 'derived']) {
			expect(tickets).toHaveProperty(key);
		}
		expect(tickets).toMatchObject({ accepted: 2, updated: 0, skipped: 0, rejected: 9, format: 'csv' });
		expect(tickets.rejects[0]).toEqual({ line: 4, field: 'created_at', reason: "type: 'not-a-date' is not a valid ISO 8601 timestamp" });
	});

	it('status --json reports row counts per table and the loads, using ADOPTION_DB', () => {
		const db = path.join(tempDir(), 'cli.duckdb');
		adoption(['load', fixture('ingest', 'accounts.csv'), '--json'], { ADOPTION_DB: db });
		const r = adoption(['status', '--json'], { ADOPTION_DB: db });
		expect(r.code).toBe(0);
		const doc = JSON.parse(r.stdout);
		expect(doc.tables).toMatchObject({ accounts: 3, users: 0, events: 0, tickets: 0 });
		expect(doc.loads).toHaveLength(1);
		expect(doc.loads[0]).toMatchObject({ table_name: 'accounts', outcome: 'ok', accepted: 3 });
	});

	it('exits non-zero with a one-line reason on stderr when a file cannot be read', () => {
		const db = path.join(tempDir(), 'cli.duckdb');
		const r = adoption(['load', fixture('ingest', 'binary.csv'), '--db', db]);
		expect(r.code).not.toBe(0);
		expect(r.stderr.trim().split('\n')).toHaveLength(1);
		expect(r.stderr).toMatch(/^adoption: .*binary\.csv: not a CSV, JSON Lines or Parquet file \(binary content\)\n$/);
	});

	it('rejects an unknown --format as a usage error', () => {
		const r = adoption(['load', fixture('ingest', 'accounts.csv'), '--format', 'xml', '--db', path.join(tempDir(), 'x.duckdb')]);
		expect(r.code).toBe(2);
		expect(r.stderr).toMatch(/unknown --format 'xml'/);
	});
});

describe('adoption serve', () => {
	/** Starts `adoption serve` with `env`, waits until it answers at `url`, and stops it; returns its JSON line. */
	async function serveAt(args: string[], env: Record<string, string>, url: string): Promise<{ url: string; status: number }> {
		const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'adoption.js'), 'serve', '--json', ...args], {
			cwd: ROOT,
			env: { ...process.env, ...env },
			detached: true
		});
		let stdout = '';
		child.stdout.on('data', (d) => (stdout += d));
		try {
			for (let i = 0; i < 150; i++) {
				const res = await fetch(url).catch(() => null);
				if (res) return { url: JSON.parse(stdout).url, status: res.status };
				await new Promise((r) => setTimeout(r, 100));
			}
			throw new Error(`nothing answered at ${url} within 15 s`);
		} finally {
			process.kill(-child.pid!, 'SIGTERM');
		}
	}

	it('listens where PORT and HOST say, as adapter-node does, and --port wins over PORT', async () => {
		const db = path.join(tempDir(), 'serve.duckdb');
		const [fromEnv, fromFlag] = [await freePort(), await freePort()];
		const viaEnv = await serveAt(['--db', db], { PORT: String(fromEnv), HOST: '127.0.0.1' }, `http://127.0.0.1:${fromEnv}/api/status`);
		expect(viaEnv).toEqual({ url: `http://127.0.0.1:${fromEnv}`, status: 200 });
		const viaFlag = await serveAt(
			['--db', db, '--port', String(fromFlag)],
			{ PORT: String(fromEnv) },
			`http://127.0.0.1:${fromFlag}/api/status`
		);
		expect(viaFlag).toEqual({ url: `http://127.0.0.1:${fromFlag}`, status: 200 });
	}, 60_000);
});

describe('adoption train --features', () => {
	it('reaches a 5-fold ROC AUC of at least 0.84 on the IBM Telco churn file (published logistic regression: 0.836–0.858)', () => {
		const r = adoption(['train', '--features', fixture('telco', 'telco-customer-churn.csv'), '--label', 'Churn', '--json'], {
			ADOPTION_MODELS: tempDir()
		});
		expect(r.stderr).not.toMatch(/error/i);
		expect(r.code).toBe(0);
		const doc = JSON.parse(r.stdout);
		expect(doc.auc).toBeGreaterThanOrEqual(0.84);
		expect(doc.folds).toHaveLength(5);
		expect(doc.rows).toBe(7043);
		expect(doc.positives).toBe(1869);
		expect(doc.dropped.map((d: { column: string }) => d.column)).toContain('customerID');
	}, 120_000);

	it('names the missing label column and the columns there are', () => {
		const r = adoption(['train', '--features', fixture('telco', 'telco-customer-churn.csv'), '--label', 'Churned']);
		expect(r.code).not.toBe(0);
		expect(r.stderr).toMatch(/Churned/);
		expect(r.stderr).toMatch(/customerID/);
	});
});
