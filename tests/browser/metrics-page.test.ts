/**
 * The metrics dashboard in a real browser: the built server on a 300-account sample made and loaded by
 * the CLI, driven by Debian's Chromium through playwright-core. Screenshots land in test-results/ for a
 * person to look at (metrics.png, metrics-filtered.png, metrics-error.png, metrics-list.png).
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SHOTS, startBrowserApp, type BrowserApp, type Server } from './server.js';
import { adoption } from '../helpers.js';

let app: BrowserApp;
let page: Page;
let data: Server;
let empty: Server;
let missing: Server;

beforeAll(async () => {
	app = await startBrowserApp('adoption-metrics-page-', (dir) => {
		const sample = path.join(dir, 'sample');
		const db = path.join(dir, 'sample.duckdb');
		const gen = adoption(['generate', '--out', sample, '--accounts', '300', '--seed', '5', '--formats', 'parquet']);
		expect(gen.code, gen.stderr).toBe(0);
		const load = adoption(['load', sample, '--db', db]);
		expect(load.code, load.stderr).toBe(0);
		return db;
	});
	({ page, data, empty, missing } = app);
});

afterEach(() => expect(app.takePageErrors()).toEqual([]));

afterAll(() => app?.close());

/** Waits until every chart on the page has drawn (Chart.svelte marks its box `data-drawn`). */
async function chartsDrawn(p: Page): Promise<void> {
	await p.waitForFunction(() => {
		const charts = [...document.querySelectorAll('[role="img"][aria-label]')];
		return charts.length > 0 && charts.every((c) => c.getAttribute('data-drawn') === 'true' && c.querySelector('svg, canvas'));
	});
}

const card = (id: string) => page.locator(`article.card[data-metric="${id}"]`);

describe('metrics page', () => {
	it('shows the KPIs with their basis and targets, weekly charts and the funnel’s cliff', async () => {
		const res = await page.goto(data.url + '/metrics');
		expect(res?.status()).toBe(200);
		await expect(page.locator('h1').textContent()).resolves.toBe('Metrics');
		await expect(page.locator('nav a[aria-current="page"]').textContent()).resolves.toBe('Metrics');

		// Every KPI has a card; the deflection card shows a percentage, its basis and its target.
		await expect(page.locator('article.card').count()).resolves.toBe(10);
		const deflection = (await card('deflection_rate').textContent()) ?? '';
		expect(deflection).toMatch(/\d+\.\d\s*%/);
		expect(deflection).toMatch(/[\d,]+ of [\d,]+ sessions, 95\s% CI \d+\u2060?–\u2060?\d+\s%/);
		expect(deflection).toMatch(/Target ≥\s40\s%/);
		await expect(card('deflection_rate').getAttribute('data-status')).resolves.toMatch(/^(met|missed)$/);
		// Lower is better: the zero-result rate is judged against "≤ 10 %".
		await expect(card('zero_result_rate').textContent()).resolves.toMatch(/Target ≤\s10\s%/);
		await expect(card('self_service_csat').textContent()).resolves.toMatch(/\d\.\d\d\s*\/ 5/);
		await expect(card('ttfv_median_days').textContent()).resolves.toMatch(/\d+\.\d\s*days/);
		await expect(card('nps').textContent()).resolves.toMatch(/responses: \d+\s% promoters/);
		await expect(card('activation_cliff_step').locator('.value').textContent()).resolves.toContain('Integration Connected');
		// The formula is on the label's hover, with the config's windows.
		await expect(card('deflection_rate').locator('h3').getAttribute('title')).resolves.toContain(
			'not followed by a ticket from the same user within 24 h after their last activity'
		);

		// Charts render client-side: sparklines, weekly trends with the target line, the funnel bars.
		await chartsDrawn(page);
		const drawn = await page.locator('[data-drawn="true"] svg').count();
		expect(drawn).toBeGreaterThanOrEqual(10);
		await expect(page.locator('#trend-deflection_rate svg').first().textContent()).resolves.toContain('Target ≥');

		// The funnel names its cliff, in the headline and the highlighted step.
		await expect(page.locator('#funnel .cliff').textContent()).resolves.toContain('Integration Connected');
		await expect(page.locator('#funnel tr.is-cliff').getAttribute('data-step')).resolves.toBe('Integration Connected');
		await expect(page.locator('#funnel svg').first().textContent()).resolves.toContain('Cliff');

		// The other metrics, with formulas on hover, and the lists to act on.
		await expect(page.locator('#other-metrics tr[data-metric="reopen_rate"]').textContent()).resolves.toMatch(/Reopen rate\s*[\d.]+\s%/);
		await expect(page.locator('#other-metrics tr[data-metric="stale_articles"] .name').getAttribute('title')).resolves.toContain(
			'latest release'
		);
		await expect(page.locator('#lists li').count()).resolves.toBe(7);
		await expect(page.locator('#lists li[data-list="zero_result_queries"] a[download]').getAttribute('href')).resolves.toBe(
			'/api/lists/zero_result_queries?format=csv'
		);

		await expect(page.locator('.scope').textContent()).resolves.toContain('all accounts');
		await page.screenshot({ path: path.join(SHOTS, 'metrics.png'), fullPage: true });
	});

	it('applies a filter: the filters shown and the numbers change', async () => {
		await page.goto(data.url + '/metrics');
		const allBasis = await card('deflection_rate').locator('.basis').textContent();
		await page.goto(data.url + '/metrics?plan=pro');
		await expect(page.locator('.scope [data-filter="plan"]').textContent()).resolves.toMatch(/Plan:\s*pro/);
		await expect(page.locator('select[name="plan"]').inputValue()).resolves.toBe('pro');
		const proBasis = await card('deflection_rate').locator('.basis').textContent();
		expect(proBasis).toMatch(/of [\d,]+ sessions/);
		expect(proBasis).not.toBe(allBasis);
		await expect(page.locator('#lists li[data-list="stale_articles"] a').first().getAttribute('href')).resolves.toBe(
			'/metrics/lists/stale_articles?plan=pro'
		);
		await chartsDrawn(page);
		await page.screenshot({ path: path.join(SHOTS, 'metrics-filtered.png'), fullPage: true });

		// Through the form: choosing a region and applying navigates with only the filled fields.
		await page.locator('select[name="region"]').selectOption('EMEA');
		await page.locator('form[aria-label="Filters"] button[type="submit"]').click();
		await page.waitForURL((u) => u.searchParams.get('region') === 'EMEA');
		expect(new URL(page.url()).search).toBe('?plan=pro&region=EMEA');
		await expect(page.locator('.scope').textContent()).resolves.toMatch(/Region:\s*EMEA/);
		await chartsDrawn(page);

		// Removing a filter from its chip.
		await page.locator('.scope [data-filter="plan"] a').click();
		await page.waitForURL((u) => !u.searchParams.has('plan'));
		await expect(page.locator('.scope [data-filter="plan"]').count()).resolves.toBe(0);
	});

	it('carries the filters through the header to the other pages that take them, and only to those', async () => {
		await page.goto(data.url + '/metrics?plan=pro&from=2026-01-01');
		const nav = (label: string) => page.locator('nav[aria-label="Main"] a', { hasText: label });
		await expect(nav('Cohorts').getAttribute('href')).resolves.toBe('/cohorts?from=2026-01-01&plan=pro');
		await expect(nav('At-risk accounts').getAttribute('href')).resolves.toBe('/accounts');
		await nav('Support').click();
		await page.waitForURL((u) => u.pathname === '/support' && u.searchParams.get('plan') === 'pro');
		await expect(nav('Knowledge').getAttribute('href')).resolves.toBe('/knowledge?from=2026-01-01&plan=pro');
	});

	it('shows a bad filter value as a message on the page, not a 500', async () => {
		const res = await page.goto(data.url + '/metrics?from=2024-13-01');
		expect(res?.status()).toBe(200);
		const alert = (await page.locator('[role="alert"]').textContent()) ?? '';
		expect(alert).toContain('From: must be a real date');
		expect(alert).toContain('2024-13-01');
		await expect(page.locator('form[aria-label="Filters"]').count()).resolves.toBe(1);
		await expect(page.locator('article.card').count()).resolves.toBe(0);
		await page.screenshot({ path: path.join(SHOTS, 'metrics-error.png'), fullPage: true });

		await page.goto(data.url + '/metrics?from=2026-05-01&to=2026-04-01');
		await expect(page.locator('[role="alert"]').textContent()).resolves.toContain('from must not be after to');
	});

	it('shows a list as a table with a CSV download', async () => {
		await page.goto(data.url + '/metrics?plan=pro');
		await page.locator('#lists li[data-list="activation_funnel"] .list-text a').click();
		await page.waitForURL('**/metrics/lists/activation_funnel?plan=pro');
		await expect(page.locator('h1').textContent()).resolves.toBe('Activation funnel and its cliff');
		await expect(page.locator('table.data tbody tr').count()).resolves.toBe(4);
		await expect(page.locator('table.data tr.flag').textContent()).resolves.toContain('Integration Connected');
		const csv = page.locator('a.download');
		await expect(csv.getAttribute('href')).resolves.toBe('/api/lists/activation_funnel?plan=pro&format=csv');
		const body = await (await fetch(data.url + '/api/lists/activation_funnel?plan=pro&format=csv')).text();
		expect(body.split('\n')[0]).toBe('step,event,completed,conversion,in_progress,drop_off,cliff');

		await page.goto(data.url + '/metrics/lists/missed_first_value');
		await expect(page.locator('table.data thead').textContent()).resolves.toContain('ARR');
		await page.screenshot({ path: path.join(SHOTS, 'metrics-list.png'), fullPage: true });

		const res = await page.goto(data.url + '/metrics/lists/nope');
		expect(res?.status()).toBe(404);
		await expect(page.locator('[role="alert"]').textContent()).resolves.toContain("There is no list 'nope'");
	});
});

describe('metrics page without data', () => {
	it('says there is nothing to measure on an empty database', async () => {
		const res = await page.goto(empty.url + '/metrics');
		expect(res?.status()).toBe(200);
		await expect(page.locator('main').textContent()).resolves.toContain('Nothing to measure yet');
		await expect(page.locator('article.card').count()).resolves.toBe(0);
	});

	it('explains a missing database instead of a stack trace', async () => {
		const res = await page.goto(missing.url + '/metrics');
		expect(res?.status()).toBe(503);
		const text = (await page.locator('main').textContent()) ?? '';
		expect(text).toContain('There is no database at');
		expect(text).not.toMatch(/at \S+ \(|node_modules/);
	});
});

/** The rows of a table panel on the page, and the data lines of its CSV download (what the link fetches). */
async function tableAndCsv(id: string): Promise<{ rows: number; csv: string[]; href: string }> {
	const rows = await page.locator(`[data-table="${id}"] tbody tr`).count();
	const href = (await page.locator(`[data-table="${id}"] a.download`).getAttribute('href')) ?? '';
	const res = await fetch(data.url + href);
	expect([res.status, res.headers.get('content-type')]).toEqual([200, 'text/csv; charset=utf-8']);
	const csv = (await res.text()).trimEnd().split('\n');
	return { rows, csv, href };
}

const cardBasis = (id: string) => page.locator(`[data-metric="${id}"] .detail`).textContent();

describe('knowledge base & search page', () => {
	it('shows the search trends, the query and article tables, each with its CSV', async () => {
		const res = await page.goto(data.url + '/knowledge');
		expect(res?.status()).toBe(200);
		await expect(page.locator('h1').textContent()).resolves.toBe('Knowledge base & search');
		await expect(page.locator('nav a[aria-current="page"]').textContent()).resolves.toBe('Knowledge');
		await expect(cardBasis('kb_search_success')).resolves.toMatch(/[\d,]+ of [\d,]+ searches/);
		await chartsDrawn(page);
		await expect(page.locator('[data-drawn="true"] svg').count()).resolves.toBe(2);
		await expect(page.locator('#trend-kb_search_success svg').textContent()).resolves.toContain('Target ≥');
		// The trending rule and the deflection window (from the config) are stated on the page.
		await expect(page.locator('[data-table="trending_zero_result_queries"] .note').textContent()).resolves.toContain('last 4 weeks');
		await expect(page.locator('[data-table="undeflected_articles"] [data-window]').textContent()).resolves.toBe('24 h');

		const ids = ['zero_result_queries', 'stale_articles', 'article_format_failures', 'undeflected_articles'];
		const tables = await Promise.all(ids.map(tableAndCsv));
		for (const [i, { rows, csv }] of tables.entries()) {
			expect(rows, ids[i]).toBeGreaterThan(0);
			expect(csv.length - 1, ids[i]).toBe(rows);
		}
		expect(tables[2].csv[0]).toContain('missing_sections');
	});

	it('carries the filters in the URL: the numbers and the downloads follow them', async () => {
		await page.goto(data.url + '/knowledge');
		const all = await cardBasis('zero_result_rate');
		await page.locator('select[name="plan"]').selectOption('pro');
		await page.locator('form[aria-label="Filters"] button[type="submit"]').click();
		await page.waitForURL((u) => u.pathname === '/knowledge' && u.searchParams.get('plan') === 'pro');
		await expect(page.locator('.scope [data-filter="plan"]').textContent()).resolves.toMatch(/Plan:\s*pro/);
		expect(await cardBasis('zero_result_rate')).not.toBe(all);
		const { href } = await tableAndCsv('undeflected_articles');
		expect(href).toBe('/api/knowledge/undeflected_articles?plan=pro&format=csv');
	});

	it('shows a bad filter as a message, and the API names a bad parameter', async () => {
		const res = await page.goto(data.url + '/knowledge?to=2024-02-30');
		expect(res?.status()).toBe(200);
		await expect(page.locator('[role="alert"]').textContent()).resolves.toContain('To: must be a real date');
		const api = await fetch(data.url + '/api/knowledge/stale_articles?colour=red');
		expect([api.status, await api.text()]).toEqual([400, expect.stringContaining("'colour'")]);
		expect((await fetch(data.url + '/api/knowledge/nope')).status).toBe(404);
	});
});

describe('tickets & bot page', () => {
	it('shows volume by topic, friction tables, the bot’s trends, hot spots with account links, each table with its CSV', async () => {
		const res = await page.goto(data.url + '/support');
		expect(res?.status()).toBe(200);
		await expect(page.locator('h1').textContent()).resolves.toBe('Tickets & bot');
		await expect(page.locator('nav a[aria-current="page"]').textContent()).resolves.toBe('Support');
		await chartsDrawn(page);
		await expect(page.locator('[data-drawn="true"] svg').count()).resolves.toBe(3);
		await expect(page.locator('#volume svg').textContent()).resolves.toContain('Integration');
		await expect(page.locator('#trend-bot_flags_per_1000 .overall').textContent()).resolves.toMatch(/per 1,000/);

		const ids = ['friction_by_topic', 'friction_by_channel', 'confusion_hot_spots', 'repeat_automations'];
		const tables = await Promise.all(ids.map(tableAndCsv));
		for (const [i, { rows, csv }] of tables.entries()) {
			expect(rows, ids[i]).toBeGreaterThan(0);
			expect(csv.length - 1, ids[i]).toBe(rows);
		}
		// Hot spots name their accounts in the CSV as `name (id): bursts`.
		expect(tables[2].csv[1]).toMatch(/\(A\d+\): \d+/);
		await expect(page.locator('[data-table="friction_by_topic"] thead').textContent()).resolves.toMatch(
			/First reply p50.*p90.*Resolution p50.*p90/
		);
		const account = page.locator('[data-table="confusion_hot_spots"] tbody a').first();
		await expect(account.getAttribute('href')).resolves.toMatch(/^\/accounts\/A\d+$/);
	});

	it('carries the filters in the URL: the numbers follow them', async () => {
		await page.goto(data.url + '/support');
		const all = await page.locator('[data-metric="ticket_volume"] .value').textContent();
		await page.goto(data.url + '/support?region=EMEA');
		await expect(page.locator('select[name="region"]').inputValue()).resolves.toBe('EMEA');
		expect(await page.locator('[data-metric="ticket_volume"] .value').textContent()).not.toBe(all);
		const { href } = await tableAndCsv('friction_by_channel');
		expect(href).toBe('/api/support/friction_by_channel?region=EMEA&format=csv');

		const bad = await page.goto(data.url + '/support?cohort=2024-1');
		expect(bad?.status()).toBe(200);
		await expect(page.locator('[role="alert"]').textContent()).resolves.toContain('Signup cohort: must be a signup month');
	});
});

describe('knowledge and support pages without data', () => {
	it('say there is nothing to measure on an empty database', async () => {
		for (const p of ['/knowledge', '/support']) {
			const res = await page.goto(empty.url + p);
			expect(res?.status(), p).toBe(200);
			await expect(page.locator('main').textContent()).resolves.toContain('Nothing to measure yet');
		}
	});
});

describe('cohorts page', () => {
	const compareUrl = '/cohorts?a.plan=enterprise&b.plan=pro';
	const row = (id: string) => page.locator(`#compare tr[data-metric="${id}"]`);

	it('draws the cohort heatmaps, TTFV, the funnel and a breakdown, compares two segments, and downloads the tables as CSV', async () => {
		const res = await page.goto(data.url + compareUrl);
		expect(res?.status()).toBe(200);
		await expect(page.locator('h1').textContent()).resolves.toBe('Cohorts');
		await expect(page.locator('nav a[aria-current="page"]').textContent()).resolves.toBe('Cohorts');
		await chartsDrawn(page);
		for (const kind of ['activation', 'retention']) await expect(page.locator(`[data-heatmap="${kind}"] svg`).count()).resolves.toBe(1);
		// A cell's share and n on hover: the oldest cohort's row is at the top and fully observable.
		const box = (await page.locator('[data-heatmap="activation"] [role="img"]').boundingBox())!;
		await page.mouse.move(box.x + box.width * 0.6, box.y + 48);
		await expect(page.locator('[data-heatmap="activation"]').textContent()).resolves.toMatch(
			/cohort · week \d+.*Activated: [\d.]+\s%.*n = \d+ of \d+ accounts/s
		);

		await expect(page.locator('#ttfv tbody tr').count()).resolves.toBeGreaterThan(3);
		await expect(page.locator('#funnel tbody tr').first().textContent()).resolves.toMatch(/\d+(\.\d)?\s%/);
		await expect(page.locator('#breakdown tbody tr').count()).resolves.toBe(3); // enterprise, pro, starter

		// Both segments, every metric about accounts, each side with its interval and the verdict's rule.
		await expect(page.locator('#compare th[data-side="a"]').textContent()).resolves.toContain('Plan enterprise');
		await expect(page.locator('#compare th[data-side="b"]').textContent()).resolves.toContain('Plan pro');
		await expect(page.locator('#compare tbody tr').count()).resolves.toBe(22);
		expect(await row('deflection_rate').textContent()).toMatch(/%.*\d+\u2060?–\u2060?\d+\s%.*n=[\d,]+.*%.*n=[\d,]+.*pp/s);
		await expect(row('deflection_rate').getAttribute('data-verdict')).resolves.toMatch(/^(a_higher|b_higher|no_clear_difference)$/);
		await expect(row('ttfv_median_days').getAttribute('data-verdict')).resolves.toBe('not_tested');
		await expect(page.locator('#compare .rule').textContent()).resolves.toContain('excludes 0');
		await page.screenshot({ path: path.join(SHOTS, 'cohorts.png'), fullPage: true });

		// Each table downloads as CSV: the comparison's rows are the table's, in its order.
		const href = (await page.locator('#compare a.download').getAttribute('href'))!;
		expect(href).toBe('/api/explore/compare?a.plan=enterprise&b.plan=pro&format=csv');
		const download = await fetch(data.url + href);
		expect(download.headers.get('content-type')).toContain('text/csv');
		const lines = (await download.text()).trim().split('\n');
		expect(lines[0]).toMatch(/^metric,label,unit,a_value,a_low,a_high,a_n,b_value/);
		expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(
			await page.locator('#compare tbody tr').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-metric')))
		);

		const breakdown = (await (await fetch(data.url + (await page.locator('#breakdown a.download').getAttribute('href'))!)).text())
			.trim()
			.split('\n');
		expect(breakdown[0]).toBe('plan,metric,value,n,interval_low,interval_high');
		expect(breakdown.length - 1).toBe(await page.locator('#breakdown tbody tr').count());
	});

	it('applies a filter through the form: the URL keeps the segments and the numbers change', async () => {
		await page.goto(data.url + compareUrl);
		const before = await row('deflection_rate').textContent();
		await page.locator('form[aria-label="Filters"] select[name="region"]').selectOption('EMEA');
		await page.locator('form[aria-label="Filters"] button[type="submit"]').click();
		await page.waitForURL((u) => u.searchParams.get('region') === 'EMEA');
		const url = new URL(page.url());
		expect([url.searchParams.get('a.plan'), url.searchParams.get('b.plan')]).toEqual(['enterprise', 'pro']);
		await expect(page.locator('.scope [data-filter="region"]').textContent()).resolves.toMatch(/Region:\s*EMEA/);
		await expect(row('deflection_rate').textContent()).resolves.not.toBe(before);
		await chartsDrawn(page);

		// Every other form carries the filters and segments along, so choosing there keeps them.
		const carried = await page
			.locator('form[aria-label="Breakdown"] input[type="hidden"]')
			.evaluateAll((els) => els.map((e) => `${e.getAttribute('name')}=${e.getAttribute('value')}`));
		expect(carried).toEqual(['region=EMEA', 'a.plan=enterprise', 'b.plan=pro']);
	});

	it('names a bad parameter on the page and in the API, never a 500', async () => {
		const res = await page.goto(data.url + '/cohorts?by=colour&a.plan=pro');
		expect(res?.status()).toBe(200);
		await expect(page.locator('[role="alert"]').textContent()).resolves.toContain("Parameter 'by' must be one of plan, segment");
		await page.goto(data.url + '/cohorts?a.from=2024-13-01');
		await expect(page.locator('[role="alert"]').textContent()).resolves.toContain(
			"Parameter 'a.from': must be a real date (got '2024-13-01')"
		);
		const api = await fetch(data.url + '/api/explore/breakdown?weeks=0');
		expect(api.status).toBe(400);
		expect(await api.text()).toContain("Parameter 'weeks' must be a whole number from 1 to 104");
		expect((await fetch(data.url + '/api/explore/compare?format=csv')).status).toBe(400);
	});

	it('shows an empty state on an empty database', async () => {
		const res = await page.goto(empty.url + '/cohorts');
		expect(res?.status()).toBe(200);
		await expect(page.locator('main').textContent()).resolves.toContain('No cohorts yet');
	});
});
