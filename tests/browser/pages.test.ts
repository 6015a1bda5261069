/**
 * The pages in a real browser: the built server on databases made by the CLI, driven by Debian's
 * Chromium through playwright-core. Screenshots land in test-results/ for a person to look at.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { adoption, fixture } from '../helpers.js';
import { SHOTS, startBrowserApp, type BrowserApp, type Server } from './server.js';

let app: BrowserApp;
let page: Page;
let data: Server;
let empty: Server;
let missing: Server;

/** Writes `name` into `dir` and returns its path. */
function write(dir: string, name: string, text: string): string {
	fs.mkdirSync(dir, { recursive: true });
	const p = path.join(dir, name);
	fs.writeFileSync(p, text);
	return p;
}

beforeAll(async () => {
	// Loads 1–2: the fixtures (3 accounts; 2 tickets and 9 rejected). Load 3 fails: an accounts file
	// without its required created_at column. Load 4 rejects 120 tickets, so rejected rows span two pages.
	app = await startBrowserApp('adoption-pages-', (dir) => {
		const db = path.join(dir, 'data.duckdb');
		expect(adoption(['load', fixture('ingest', 'accounts.csv'), '--db', db]).code).toBe(0);
		expect(adoption(['load', fixture('ingest', 'tickets.csv'), '--db', db]).code).toBe(0);
		const bad = write(path.join(dir, 'bad'), 'accounts.csv', 'account_id,name\nA5,Fifth\n');
		expect(adoption(['load', bad, '--db', db]).code).toBe(1);
		const lines = Array.from({ length: 120 }, (_, i) => `X${i + 1},A1,u1,2024-03-02T10:00:00Z,,unknown-status,web,x,,1,false,false`);
		const many = write(
			path.join(dir, 'more'),
			'tickets.csv',
			`ticket_id,account_id,requester_id,created_at,updated_at,status,channel,subject,tags,messages,reopened,bot_handoff\n${lines.join('\n')}\n`
		);
		expect(adoption(['load', many, '--db', db]).code).toBe(0);
		return db;
	});
	({ page, data, empty, missing } = app);
});

afterEach(() => expect(app.takePageErrors()).toEqual([]));

afterAll(() => app?.close());

describe('security headers', () => {
	it('come with every page (the CSP with a nonce for SvelteKit’s start-up script) and every API answer', async () => {
		const res = await fetch(data.url + '/metrics');
		const csp = res.headers.get('content-security-policy') ?? '';
		expect(csp).toMatch(/script-src 'self' 'nonce-[^']+'/);
		expect(csp).toContain("frame-ancestors 'none'");
		expect(csp).toContain("object-src 'none'");
		for (const r of [res, await fetch(data.url + '/api/status')]) {
			expect([r.headers.get('x-content-type-options'), r.headers.get('referrer-policy'), r.headers.get('x-frame-options')]).toEqual([
				'nosniff',
				'same-origin',
				'DENY'
			]);
		}
		expect((await fetch(data.url + '/api/status')).headers.get('content-security-policy')).toBe(
			"default-src 'none'; frame-ancestors 'none'"
		);
		// Every page test here runs under this policy: a blocked script or style would be a console error, which fails it.
	});
});

describe('home page', () => {
	it('shows rows per table, the data range and the loads with their outcome', async () => {
		const res = await page.goto(data.url + '/');
		expect(res?.status()).toBe(200);
		await expect(page.locator('h1').textContent()).resolves.toBe('Overview');

		const count = (table: string) => page.locator(`#tables tr[data-table="${table}"] td.num`).textContent();
		await expect(count('accounts')).resolves.toBe('3');
		await expect(count('tickets')).resolves.toBe('2');
		await expect(count('events')).resolves.toBe('0');
		await expect(page.locator('.stats').textContent()).resolves.toMatch(/Data range\s*1 Mar 2024\s*1 day of activity/);

		const loads = page.locator('#loads tbody tr');
		await expect(loads.count()).resolves.toBe(4);
		const failed = page.locator('#loads tr[data-load="3"]');
		await expect(failed.locator('.badge').textContent()).resolves.toBe('failed');
		await expect(failed.textContent()).resolves.toContain('missing required column created_at for table accounts');
		const tickets = page.locator('#loads tr[data-load="2"]');
		await expect(tickets.locator('.badge').textContent()).resolves.toBe('ok');
		await expect(tickets.locator('td').allTextContents()).resolves.toEqual(
			expect.arrayContaining(['tickets', 'csv', '2', '0', '9'].map((t) => expect.stringContaining(t)))
		);
		await expect(page.locator('#loads tr[data-load="1"] .badge').textContent()).resolves.toBe('ok');

		// Rejected rows per load, linking to the rejected-rows page.
		await expect(page.locator('#rejects tr[data-load="4"] a').getAttribute('href')).resolves.toBe('/rejected?load=4');
		await expect(page.locator('.stats').textContent()).resolves.toContain('129');
		await page.screenshot({ path: path.join(SHOTS, 'home.png'), fullPage: true });
	});
});

describe('rejected rows page', () => {
	it('is reached from the load and shows each row’s line, field, reason and raw text', async () => {
		await page.goto(data.url + '/');
		await page.locator('#loads tr[data-load="2"] a.rejected').click();
		await page.waitForURL('**/rejected?load=2');
		await expect(page.locator('h1').textContent()).resolves.toBe('Rejected rows');

		const rows = page.locator('table.data tbody tr');
		await expect(rows.count()).resolves.toBe(9);
		const line4 = page.locator('tr[data-line="4"]');
		await expect(line4.locator('td.field').textContent()).resolves.toBe('created_at');
		await expect(line4.locator('td.reason').textContent()).resolves.toBe("type: 'not-a-date' is not a valid ISO 8601 timestamp");
		await expect(page.locator('tr[data-line="5"] td.reason').textContent()).resolves.toBe(
			"reference: unknown account 'A9' (not in accounts)"
		);
		await expect(page.locator('tr[data-line="12"] td.reason').textContent()).resolves.toBe(
			'malformed: Expected Number of Columns: 12 Found: 13'
		);
		await expect(page.locator('tr[data-line="12"] summary').getAttribute('title')).resolves.toBe(
			'T10,A1,u10,2024-03-01T10:00:00Z,,open,web,x,,1,false,false,EXTRA'
		);
		await expect(page.locator('.pager').textContent()).resolves.toContain('Showing 1–9 of 9');

		// Expanding the raw text shows the row's fields with the rejected one highlighted.
		await line4.locator('summary').click();
		await expect(line4.locator('dl .hit').textContent()).resolves.toMatch(/created_at\s*not-a-date/);
		await page.screenshot({ path: path.join(SHOTS, 'rejected.png'), fullPage: true });
	});

	it('pages through all loads’ rejected rows 100 at a time', async () => {
		await page.goto(data.url + '/rejected');
		await expect(page.locator('table.data tbody tr').count()).resolves.toBe(100);
		await expect(page.locator('.pager').textContent()).resolves.toContain('Showing 1–100 of 129');
		await page.locator('.pager a[rel="next"]').click();
		await page.waitForURL('**/rejected?page=2');
		await expect(page.locator('table.data tbody tr').count()).resolves.toBe(29);
		await expect(page.locator('.pager').textContent()).resolves.toContain('Showing 101–129 of 129');
		await page.locator('.pager a[rel="prev"]').click();
		await page.waitForURL(/\/rejected$/);
	});

	it('says so when a load does not exist', async () => {
		const res = await page.goto(data.url + '/rejected?load=99');
		expect(res?.status()).toBe(404);
		await expect(page.locator('[role="alert"]').textContent()).resolves.toContain('There is no load #99');
	});
});

describe('empty and missing databases', () => {
	it('shows how to load data when nothing is loaded', async () => {
		await page.goto(empty.url + '/');
		const text = await page.locator('main').textContent();
		expect(text).toContain('Nothing loaded yet');
		expect(text).toContain('npx adoption load data/sample/*');
		await page.screenshot({ path: path.join(SHOTS, 'empty.png'), fullPage: true });
	});

	it('explains a missing database on the page instead of a stack trace', async () => {
		const res = await page.goto(missing.url + '/');
		expect(res?.status()).toBe(503);
		const text = (await page.locator('main').textContent()) ?? '';
		expect(text).toContain('There is no database at');
		expect(text).toContain('missing.duckdb');
		expect(text).not.toMatch(/at \S+ \(|node_modules/);
		await page.screenshot({ path: path.join(SHOTS, 'error.png'), fullPage: true });
	});
});
