/**
 * The JSON endpoints' handlers called directly (no server, no build): their shapes, their parameter
 * checks, and the 503s for a database that is missing or held by a load.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { isHttpError } from '@sveltejs/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET as getRejected } from '../../src/routes/api/rejected/+server.js';
import { GET as getStatus } from '../../src/routes/api/status/+server.js';
import { adoption, fixture, ROOT, tempDir } from '../helpers.js';

/** Any endpoint handler (`never`: each route's handler takes its own event type). */
type Handler = (event: never) => Response | Promise<Response>;

/** Calls a handler with just the URL, which is all these handlers read. */
async function call(handler: Handler, url: string): Promise<Response> {
	return (handler as (event: { url: URL }) => Response | Promise<Response>)({ url: new URL(url, 'http://localhost') });
}

/** The HTTP status and message a handler failed with. */
async function failure(run: () => Promise<unknown>) {
	try {
		await run();
	} catch (err) {
		if (isHttpError(err)) return { status: err.status, message: err.body.message };
		throw err;
	}
	throw new Error('expected the handler to fail');
}

let dir: string;
let db: string;
const savedDb = process.env.ADOPTION_DB;

beforeAll(() => {
	dir = tempDir('adoption-api-');
	db = path.join(dir, 'api.duckdb');
	expect(adoption(['load', fixture('ingest', 'accounts.csv'), fixture('ingest', 'tickets.csv'), '--db', db]).code).toBe(0);
	process.env.ADOPTION_DB = db;
});

afterAll(() => {
	if (savedDb === undefined) delete process.env.ADOPTION_DB;
	else process.env.ADOPTION_DB = savedDb;
	fs.rmSync(dir, { recursive: true, force: true });
});

describe('GET /api/status', () => {
	it('answers in the shape of adoption status --json', async () => {
		const res = await call(getStatus, '/api/status');
		expect(res.status).toBe(200);
		const body = await res.json();
		const cli = JSON.parse(adoption(['status', '--db', db, '--json']).stdout);
		expect(Object.keys(body).sort()).toEqual(['loads', 'range', 'rejected_total', 'tables']);
		expect(body).toEqual(cli);
		expect(body.tables).toMatchObject({ accounts: 3, tickets: 2 });
		expect(body.rejected_total).toBe(9);
	});
});

describe('GET /api/rejected', () => {
	it('pages through one load’s rejected rows with the total', async () => {
		const first = await (await call(getRejected, '/api/rejected?load=2&limit=4')).json();
		expect(first).toMatchObject({ load: 2, total: 9, limit: 4, offset: 0 });
		expect(first.rows.map((r: { line: number }) => r.line)).toEqual([4, 5, 6, 7]);
		expect(first.rows[0]).toMatchObject({
			load_id: 2,
			table_name: 'tickets',
			field: 'created_at',
			reason: "type: 'not-a-date' is not a valid ISO 8601 timestamp"
		});
		const last = await (await call(getRejected, '/api/rejected?load=2&limit=4&offset=8')).json();
		expect(last.rows.map((r: { line: number }) => r.line)).toEqual([12]);
	});

	it('defaults to all loads, 100 rows from the start', async () => {
		const body = await (await call(getRejected, '/api/rejected')).json();
		expect(body).toMatchObject({ load: null, total: 9, limit: 100, offset: 0 });
		expect(body.rows).toHaveLength(9);
	});

	it('rejects malformed parameters with a 400 that names them', async () => {
		await expect(failure(() => call(getRejected, '/api/rejected?load=abc'))).resolves.toMatchObject({
			status: 400,
			message: expect.stringContaining("'load'")
		});
		await expect(failure(() => call(getRejected, '/api/rejected?limit=0'))).resolves.toMatchObject({ status: 400 });
		await expect(failure(() => call(getRejected, '/api/rejected?limit=5000'))).resolves.toMatchObject({ status: 400 });
		await expect(failure(() => call(getRejected, '/api/rejected?offset=-1'))).resolves.toMatchObject({ status: 400 });
	});
});

describe('an unavailable database', () => {
	it('is a 503 saying there is no database yet', async () => {
		process.env.ADOPTION_DB = path.join(dir, 'none', 'missing.duckdb');
		try {
			const f = await failure(() => call(getStatus, '/api/status'));
			expect(f.status).toBe(503);
			expect(f.message).toMatch(/^There is no database at .*missing\.duckdb yet/);
		} finally {
			process.env.ADOPTION_DB = db;
		}
	});

	it('is a 503 saying a load is running while another process writes the file', async () => {
		// A second process opens the file read-write, as `adoption load` does, and holds it.
		const script = `import { DuckDBInstance } from '@duckdb/node-api';
			const i = await DuckDBInstance.create(process.argv[1]);
			await i.connect();
			console.log('ready');
			setInterval(() => {}, 1000);`;
		const holder: ChildProcess = spawn(process.execPath, ['--input-type=module', '-e', script, db], {
			cwd: ROOT,
			stdio: ['ignore', 'pipe', 'inherit']
		});
		try {
			await new Promise<void>((resolve, reject) => {
				holder.stdout?.on('data', (b: Buffer) => b.toString().includes('ready') && resolve());
				holder.once('exit', (code) => reject(new Error(`the holder exited with ${code}`)));
			});
			const f = await failure(() => call(getStatus, '/api/status'));
			expect(f).toMatchObject({ status: 503, message: expect.stringMatching(/busy \(a load is running\)/) });
		} finally {
			await new Promise<void>((resolve) => {
				if (holder.exitCode !== null || holder.signalCode !== null) return resolve();
				holder.once('exit', () => resolve());
				holder.kill('SIGTERM');
			});
		}
	});
});
