/**
 * The at-risk worklist (/accounts) and the models page (/models) in a real browser: a 2,000-account
 * sample generated, loaded, trained (churn, CSAT, CES) and scored by the CLI, with the models in the
 * test's own folder (ADOPTION_MODELS, passed to the CLI and the servers alike). Screenshots for a person
 * to look at: /tmp/risk-accounts.png and /tmp/risk-models.png.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserApp, startServer, type BrowserApp, type Server } from './server.js';
import { adoption } from '../helpers.js';

/** What `adoption train --json` and `adoption score --json` reported, to hold the pages to. */
interface Reports {
	churn: {
		auc: number;
		oracle_auc: number | null;
		health_auc: number;
		pr_auc: number;
		brier: number;
		model: string;
		version: string;
		selection: string;
		calibration: { count: number }[];
	};
	csat: { mae: number; baseline_mae: number };
	ces: { mae: number; baseline_mae: number };
	score: {
		scored: number;
		version: string;
		bands: { high: number; medium: number; low: number };
		top: { account_id: string; drivers: { text: string }[] }[];
	};
}

let app: BrowserApp;
let page: Page;
let data: Server;
let noModels: Server;
let reports: Reports;
/** The scored database, which the servers hold. */
let dbFile = '';
const savedModels = process.env.ADOPTION_MODELS;

/** Runs the CLI with `--json` and returns its parsed output, failing with its stderr. */
function cli<T>(args: string[]): T {
	const r = adoption([...args, '--json']);
	expect(r.code, r.stderr).toBe(0);
	return JSON.parse(r.stdout) as T;
}

beforeAll(async () => {
	let db = '';
	let emptyModels = '';
	app = await startBrowserApp('adoption-risk-pages-', (dir) => {
		db = path.join(dir, 'sample.duckdb');
		emptyModels = path.join(dir, 'no-models');
		fs.mkdirSync(emptyModels);
		// Set before the CLI runs and the servers start: both read it from the environment.
		process.env.ADOPTION_MODELS = path.join(dir, 'models');
		const sample = path.join(dir, 'sample');
		cli(['generate', '--out', sample, '--accounts', '2000', '--seed', '7', '--formats', 'parquet']);
		cli(['load', sample, '--db', db]);
		dbFile = db;
		reports = {
			churn: cli(['train', '--db', db]),
			csat: cli(['train', '--model', 'csat', '--db', db]),
			ces: cli(['train', '--model', 'ces', '--db', db]),
			score: cli(['score', '--db', db])
		};
		return db;
	});
	({ page, data } = app);
	// The same scores, but a models folder with nothing in it: the models page's empty state.
	process.env.ADOPTION_MODELS = emptyModels;
	noModels = await startServer(db);
}, 240_000);

afterEach(() => expect(app.takePageErrors()).toEqual([]));

afterAll(async () => {
	if (savedModels === undefined) delete process.env.ADOPTION_MODELS;
	else process.env.ADOPTION_MODELS = savedModels;
	await noModels?.stop();
	await app?.close();
});

const rows = () => page.locator('table.worklist tbody tr');
const text = async (selector: string) => ((await page.locator(selector).first().textContent()) ?? '').replace(/\s+/g, ' ').trim();
const percent = (s: string) => Number(s.replace(/[^\d.]/g, ''));
/** `$42.6K at stake` → 42600. */
const money = (s: string) => {
	const m = /\$([\d.,]+)\s*([KM]?)/.exec(s);
	return m ? Number(m[1].replace(/,/g, '')) * (m[2] === 'M' ? 1e6 : m[2] === 'K' ? 1e3 : 1) : 0;
};

describe('the at-risk worklist', () => {
	it('ranks the scored accounts by ARR at stake, or riskiest first, with their drivers as sentences', async () => {
		const res = await page.goto(data.url + '/accounts');
		expect(res?.status()).toBe(200);
		await expect(page.locator('h1').textContent()).resolves.toBe('At-risk accounts');
		await expect(page.locator('nav a[aria-current="page"]').textContent()).resolves.toBe('At-risk accounts');

		// The summary strip: what `adoption score` reported, the as-of date and the model version.
		const { score } = reports;
		const stats = await text('.stats');
		expect(stats).toContain(`Accounts scored ${score.scored.toLocaleString('en-US')}`);
		expect(stats).toContain(`High risk ${score.bands.high.toLocaleString('en-US')}`);
		expect(stats).toContain(`Medium risk ${score.bands.medium.toLocaleString('en-US')}`);
		expect(stats).toContain(`Low risk ${score.bands.low.toLocaleString('en-US')}`);
		expect(stats).toMatch(/ARR at high risk \$[\d.]+[KM]/);
		expect(stats).toContain('As of 31 Oct 2026');
		await expect(page.locator(`.stats a[href="/models"]`).textContent()).resolves.toBe(score.version);
		// Where the bands start, in churn probability, next to their counts and in the band filter.
		await expect(text('[data-threshold="high"]')).resolves.toMatch(/^from \d+\.\d %$/);
		await expect(page.locator('select[name="band"] option[value="high"]').textContent()).resolves.toMatch(
			/^High \(top 10 %, from \d+\.\d\s%\)$/
		);

		// By default, by expected ARR at risk: the amounts at stake never rise down the page.
		await expect(rows().count()).resolves.toBe(50);
		await expect(page.locator('th[aria-sort="descending"] a.sort.active').getAttribute('data-sort')).resolves.toBe('stake');
		const stakes = (await page.locator('table.worklist .stake').allTextContents()).map(money);
		expect(stakes.every((v, i) => i === 0 || v <= stakes[i - 1])).toBe(true);

		// Riskiest first, from the Risk header: the riskiest is the CLI's, probabilities never rise.
		await page.locator('a.sort[data-sort="risk"]').click();
		await page.waitForURL((u) => u.searchParams.get('sort') === 'risk');
		await expect(rows().first().getAttribute('data-account')).resolves.toBe(score.top[0].account_id);
		const ranks = await page.locator('table.worklist tbody td:first-child').allTextContents();
		expect(ranks.slice(0, 3).map((r) => r.trim())).toEqual(['1', '2', '3']);
		const probabilities = (await page.locator('table.worklist .probability').allTextContents()).map(percent);
		expect(probabilities).toEqual([...probabilities].sort((a, b) => b - a));
		await expect(rows().first().getAttribute('data-band')).resolves.toBe('high');

		// Why: the drivers' sentences as the model gave them; and the columns a CSM reads.
		const drivers = await rows().first().locator('.drivers li').allTextContents();
		expect(drivers).toEqual(score.top[0].drivers.map((d) => d.text));
		const first = await text('table.worklist tbody tr');
		expect(first).toMatch(/\$[\d,]+/);
		expect(first).toMatch(/\d{1,2} \w{3,4} 20\d\d in [\d,]+ days/);
		expect(first).toMatch(/HIGH \d+\.\d %/i);
		await expect(rows().first().locator('.health .value').textContent()).resolves.toMatch(/^\d+$/);
		await expect(text('.pager')).resolves.toContain(`Showing 1–50 of ${score.scored.toLocaleString('en-US')}`);

		// Any column sorts: renewal soonest first, then the other way on a second click.
		await page.locator('a.sort[data-sort="renewal"]').click();
		await page.waitForURL((u) => u.searchParams.get('sort') === 'renewal' && !u.searchParams.has('dir'));
		const soonest = await rows().first().locator('.renewal .sub').textContent();
		await page.locator('a.sort[data-sort="renewal"]').click();
		await page.waitForURL((u) => u.searchParams.get('dir') === 'desc');
		expect(await rows().first().locator('.renewal .sub').textContent()).not.toBe(soonest);

		await page.goto(data.url + '/accounts');
		await page.screenshot({ path: '/tmp/risk-accounts.png' });
	});

	it('filters by band, CSM and search, and pages on', async () => {
		const { score } = reports;
		await page.goto(data.url + '/accounts');
		await page.locator('a[data-band-link="high"]').click();
		await page.waitForURL((u) => u.searchParams.get('band') === 'high');
		await expect(text('#worklist-title')).resolves.toBe(`${score.bands.high} accounts`);
		await expect(page.locator('tbody tr[data-band]:not([data-band="high"])').count()).resolves.toBe(0);
		await expect(text('.chip[data-filter="band"]')).resolves.toContain('Risk band: high');

		// Through the form: a CSM on top of the band; every row is theirs.
		const csm = (await page.locator('select[name="csm"] option').nth(1).getAttribute('value')) ?? '';
		await page.locator('select[name="csm"]').selectOption(csm);
		await page.locator('form[aria-label="Filters"] button[type="submit"]').click();
		await page.waitForURL((u) => u.searchParams.get('csm') === csm);
		expect(new URL(page.url()).searchParams.get('band')).toBe('high');
		const csms = await page.locator('table.worklist td.csm').allTextContents();
		expect(csms.length).toBeGreaterThan(0);
		expect(new Set(csms.map((c) => c.trim()))).toEqual(new Set([csm]));
		// The strip counts the CSM's accounts in every band, out of all scored.
		await expect(text('.stats')).resolves.toContain(`Of ${score.scored.toLocaleString('en-US')} · As of`);

		// Search by the riskiest account's id finds it alone.
		await page.goto(data.url + `/accounts?q=${score.top[0].account_id.toLowerCase()}`);
		await expect(rows().count()).resolves.toBe(1);
		await expect(rows().first().getAttribute('data-account')).resolves.toBe(score.top[0].account_id);

		// Page 2 keeps the filters and the order, and goes on down the ranking (ranks are overall, so not 51 onwards).
		await page.goto(data.url + '/accounts?band=low&sort=risk');
		const lastOnFirst = Number(await page.locator('table.worklist tbody td:first-child').last().textContent());
		await page.locator('.pager a[rel="next"]').click();
		await page.waitForURL(
			(u) => u.searchParams.get('page') === '2' && u.searchParams.get('band') === 'low' && u.searchParams.get('sort') === 'risk'
		);
		await expect(text('.pager')).resolves.toContain(`Showing 51–100 of ${score.bands.low.toLocaleString('en-US')}`);
		expect(Number(await page.locator('table.worklist tbody td:first-child').first().textContent())).toBeGreaterThan(lastOnFirst);
	});

	it('shows a bad filter as a notice, and serves the same list as JSON and CSV', async () => {
		const res = await page.goto(data.url + '/accounts?band=extreme');
		expect(res?.status()).toBe(200);
		await expect(text('[role="alert"]')).resolves.toContain("Risk band: must be high, medium or low (got 'extreme')");
		await expect(rows().count()).resolves.toBe(0);
		await expect(page.locator('.stats').count()).resolves.toBe(0);

		const json = await (await fetch(data.url + '/api/accounts?band=high&sort=risk&limit=5')).json();
		expect(json).toMatchObject({ version: reports.score.version, total: reports.score.bands.high, limit: 5 });
		expect(json.rows[0].account_id).toBe(reports.score.top[0].account_id);
		expect(json.rows[0].drivers.map((d: { text: string }) => d.text)).toEqual(reports.score.top[0].drivers.map((d) => d.text));
		const csv = await (await fetch(data.url + '/api/accounts?format=csv&band=high')).text();
		expect(csv.trim().split('\n')).toHaveLength(reports.score.bands.high + 1);
		const bad = await fetch(data.url + '/api/accounts?band=extreme');
		expect(bad.status).toBe(400);
		expect((await bad.json()).message).toBe("Query parameter 'band': must be high, medium or low.");
		await page.goto(data.url + '/accounts');
		// Relative as the server renders it, absolute once hydrated: either way the same address.
		const href = (await page.locator('a.download').getAttribute('href'))!;
		const target = new URL(href, page.url());
		expect(target.pathname + target.search).toBe('/api/accounts?format=csv');
	});
});

describe('the account page', () => {
	it('shows the account with its risk at every run, drivers from the model, milestones, steps, timeline and users', async () => {
		const top = reports.score.top[0];
		// Reached from the worklist: the account's name links to its page.
		await page.goto(data.url + `/accounts?q=${top.account_id}`);
		await rows().first().locator('a.account-link').click();
		await page.waitForURL((u) => u.pathname === `/accounts/${top.account_id}`);
		await expect(page.locator('h1').textContent()).resolves.toBeTruthy();
		const stats = await text('.stats');
		expect(stats).toMatch(/ARR \$[\d,]+/);
		expect(stats).toMatch(/Churn risk \d+\.\d %/);
		expect(stats).toMatch(/Milestone level L[0-3] of 3/);

		// The drivers in words, from the model, linked to it; the chart of every scoring run.
		await expect(page.locator('section[aria-labelledby="why-title"] .drivers li').allTextContents()).resolves.toEqual(
			top.drivers.map((d) => d.text)
		);
		await expect(page.locator('a[data-model]').textContent()).resolves.toBe(reports.score.version);
		await expect(page.locator('a[data-model]').getAttribute('href')).resolves.toBe('/models');
		// One run here; every run kept is tests/routes/accounts-api.test.ts's.
		await expect(text('#history-title + p')).resolves.toBe('1 scoring run');
		await page.waitForSelector('[role="img"][data-drawn="true"] svg');

		// Milestones per level, each reached, lost or not yet; the suggested step says why.
		await expect(page.locator('.level').count()).resolves.toBe(3);
		const states = await page.locator('[data-milestone]').evaluateAll((els) => els.map((e) => e.getAttribute('data-state')));
		expect(states.length).toBeGreaterThanOrEqual(3);
		expect(states.every((st) => st === 'reached' || st === 'lost' || st === 'missing')).toBe(true);
		if (states.some((st) => st !== 'reached')) await expect(text('.steps li .sub')).resolves.toMatch(/milestone ".+"/);

		// The timeline: a page at most, newest first, filtered by kind through the form.
		const whenTexts = await page.locator('table.timeline td.when').allTextContents();
		expect(whenTexts.length).toBeGreaterThan(0);
		expect(whenTexts.length).toBeLessThanOrEqual(50);
		await page.locator('input[name="kind"][value="event"]').uncheck();
		await page.locator('form.kinds button[type="submit"]').click();
		await page.waitForURL((u) => u.searchParams.getAll('kind').length === 3 && !u.searchParams.getAll('kind').includes('event'));
		await expect(page.locator('table.timeline tr[data-kind="event"]').count()).resolves.toBe(0);
		await expect(page.locator('section[aria-labelledby="users-title"] tbody tr').count()).resolves.toBeGreaterThan(0);
		await page.goto(data.url + `/accounts/${top.account_id}`);
		await page.screenshot({ path: '/tmp/risk-account.png', fullPage: true });
	});

	it('downloads the risk chart as PNG and its data as CSV, and answers an unknown account with a 404', async () => {
		const top = reports.score.top[0];
		await page.goto(data.url + `/accounts/${top.account_id}`);
		await page.waitForSelector('[role="img"][data-drawn="true"] svg');
		const save = async (kind: 'png' | 'csv') => {
			const [download] = await Promise.all([
				page.waitForEvent('download'),
				page.locator(`button[data-download="${kind}"]`).first().click()
			]);
			return { name: download.suggestedFilename(), body: fs.readFileSync((await download.path())!) };
		};
		const csv = await save('csv');
		expect(csv.name).toMatch(/^churn-probability-and-health-of-.+\.csv$/);
		const lines = csv.body.toString('utf8').trim().split('\n');
		expect(lines[0]).toBe('as_of,churn_probability_pct,health,model_version');
		expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['2026-10-31']);
		expect(lines[1].split(',')[3]).toBe(reports.score.version);
		const png = await save('png');
		expect(png.name).toMatch(/\.png$/);
		expect(png.body.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
		expect(png.body.length).toBeGreaterThan(5_000);

		const res = await page.goto(data.url + '/accounts/NO-SUCH-ACCOUNT');
		expect(res?.status()).toBe(404);
		await expect(page.locator('body').textContent()).resolves.toContain("There is no account 'NO-SUCH-ACCOUNT'.");
	});
});

describe('the models page', () => {
	it('shows the held-out evaluation next to the oracle and the health score, and the calibration', async () => {
		const { churn } = reports;
		const res = await page.goto(data.url + '/models');
		expect(res?.status()).toBe(200);
		await expect(page.locator('nav a[aria-current="page"]').textContent()).resolves.toBe('Models');
		await expect(text('.model-line')).resolves.toContain(`version ${churn.version}`);
		await expect(page.locator('.scored').getAttribute('data-scored')).resolves.toBe('current');

		// AUCs on one scale, with the oracle explained.
		expect(churn.oracle_auc).not.toBeNull();
		await expect(text('[data-auc="model"]')).resolves.toContain(churn.auc.toFixed(3));
		await expect(text('[data-auc="oracle"]')).resolves.toContain(churn.oracle_auc!.toFixed(3));
		await expect(text('[data-auc="health"]')).resolves.toContain(churn.health_auc.toFixed(3));
		const ranking = await text('#ranking');
		expect(ranking).toContain('the best any model could do on this generated data');
		expect(ranking).toMatch(/The model gets \d+ % of the way from chance/);

		const stats = await text('.stats');
		expect(stats).toContain(`ROC AUC ${churn.auc.toFixed(3)}`);
		expect(stats).toContain(`PR AUC ${churn.pr_auc.toFixed(3)}`);
		expect(stats).toContain(`Brier score ${churn.brier.toFixed(4)} Base-rate predictor`);
		expect(stats).toMatch(/Top-decile precision \d+\.\d % Of the riskiest 10 %, the share that churned: \d+\.\d\d× the base rate/);

		// The calibration chart, drawn by ECharts through the Chart wrapper, and its bins table.
		// Chart.svelte marks its box `data-drawn` once ECharts has drawn into it.
		await page.waitForSelector('#calibration [data-drawn="true"] svg');
		const chart = await text('#calibration svg');
		expect(chart).toContain('Predicted churn probability');
		expect(chart).toContain('Observed churn rate');
		await expect(page.locator('#calibration tbody tr').count()).resolves.toBe(churn.calibration.filter((b) => b.count > 0).length);

		// How it was tested, the candidates (the chosen one marked) and the CSAT/CES models.
		await expect(text('#backtest')).resolves.toMatch(/Test snapshot 2 Aug 2026: [\d,]+ accounts live that day/);
		await expect(page.locator('#candidates tbody tr').count()).resolves.toBe(3);
		await expect(page.locator(`#candidates tr.chosen`).getAttribute('data-candidate')).resolves.toBe(churn.model);
		// Each candidate's AUC with its interval, why the chosen one was chosen, and the calibration used.
		await expect(text('#candidates tr[data-candidate="gbdt"]')).resolves.toMatch(
			/Gradient-boosted trees.*0\.\d{3} 0\.\d{3}–0\.\d{3}.*\d+ trees/
		);
		await expect(text('[data-testid="selection"]')).resolves.toBe(churn.selection);
		await expect(text('[data-testid="calibration-method"]')).resolves.toMatch(
			/^Calibrated by (Platt scaling|isotonic regression), chosen on held-out training rows by Brier score/
		);
		for (const kind of ['csat', 'ces'] as const) {
			const cells = await page.locator(`#satisfaction tr[data-model="${kind}"] td`).allTextContents();
			expect(cells.slice(2, 4)).toEqual([reports[kind].mae.toFixed(3), reports[kind].baseline_mae.toFixed(3)]);
		}

		await page.screenshot({ path: '/tmp/risk-models.png', fullPage: true });
	});
});

describe('exports for notebooks', () => {
	it('writes the scores and the features they came from as Parquet, read through the server, with every scored account', async () => {
		const dir = path.dirname(dbFile);
		const scores = cli<{ rows: number; columns: string[] }>([
			'export',
			'scores',
			'--db',
			dbFile,
			'--out',
			path.join(dir, 'scores.parquet')
		]);
		const features = cli<{ rows: number; columns: string[] }>([
			'export',
			'features',
			'--db',
			dbFile,
			'--out',
			path.join(dir, 'features.parquet')
		]);
		expect(scores.rows).toBe(reports.score.scored);
		expect(features.rows).toBe(reports.score.scored);
		expect(features.columns).toEqual(expect.arrayContaining(['account_id', 'as_of', 'plan', 'tenure_days', 'label_churned']));
		const instance = await DuckDBInstance.create(':memory:');
		const conn = await instance.connect();
		try {
			const read = await conn.runAndReadAll(
				`SELECT count(*)::INT AS n, count(DISTINCT s.account_id)::INT AS accounts, count(f.account_id)::INT AS with_features,
					min(s.rank)::INT AS first, max(s.rank)::INT AS last, count(*) FILTER (WHERE s.risk_band = 'high')::INT AS high
				FROM read_parquet('${path.join(dir, 'scores.parquet')}') s LEFT JOIN read_parquet('${path.join(dir, 'features.parquet')}') f USING (account_id)`
			);
			const n = reports.score.scored;
			expect(read.getRowObjectsJS()).toEqual([{ n, accounts: n, with_features: n, first: 1, last: n, high: reports.score.bands.high }]);
		} finally {
			conn.closeSync();
			instance.closeSync();
		}
		// A usage mistake is exit 2 with the reason.
		const bad = adoption(['export', 'scores', '--db', dbFile, '--out', path.join(dir, 'scores.csv')]);
		expect(bad.code).toBe(2);
		expect(bad.stderr).toContain('--out must name a .parquet file');
	});
});

describe('before training and scoring', () => {
	it('says what to run on each page', async () => {
		await page.goto(app.empty.url + '/accounts');
		await expect(text('main')).resolves.toContain('No risk scores yet Run adoption train then adoption score');
		await expect(page.locator('table.worklist').count()).resolves.toBe(0);

		await page.goto(noModels.url + '/models');
		await expect(text('main')).resolves.toContain('No churn model yet Run adoption train then adoption score');
		await expect(page.locator('#calibration').count()).resolves.toBe(0);
	});
});
