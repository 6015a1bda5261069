import fs from 'node:fs';
import path from 'node:path';
import { localActor } from '../lib/server/auth/audit.js';
import { openDatabase } from '../lib/server/db/connection.js';
import { listSources, runSources } from '../lib/server/sources/registry.js';
import { loadConfig } from '../lib/server/config/config.js';
import { scoreAccounts } from '../lib/server/models/churn/score.js';
import type { EvaluationReport } from '../lib/server/alerts/evaluate.js';
import { runJob } from '../lib/server/jobs/kinds.js';
import { trainChurn } from '../lib/server/models/churn/train.js';
import { hasModel } from '../lib/server/models/store.js';
import { generateCommand, streamCalls } from './generate.js';
import { loadCommand } from './load.js';
import { CliError, fixed, makeOutput, type Output } from './output.js';
import { serveCommand } from './serve.js';

/** Where the demo keeps its generated sample data. */
export const SAMPLE_DIR = 'data/sample';

/** The Segment source `adoption demo --stream` sends the sample's calls through. */
const DEMO_SOURCE = 'demo stream';

/**
 * `adoption demo`: on an empty machine, generate the default sample data set (when `data/sample` has
 * none), load it (when the database has no accounts yet), train the churn and CSAT/CES models (when
 * `models/` has none), score the accounts (when they have no scores) and evaluate the alert rules, and serve the app.
 * With `--stream`, the sample's Segment calls are not loaded but sent through the tracking API once the app is
 * up, at `--rate` calls a second, so the Sources page shows a live source moving.
 */
export async function demoCommand(opts: { db: string; port: string; host: string; stream?: boolean; rate?: string }, out: Output) {
	const db = await openDatabase(opts.db);
	const [{ n }] = await db.query<{ n: number }>('SELECT count(*) AS n FROM accounts');
	db.close();
	const rate = Number(opts.rate ?? 200);
	if (opts.stream && !(rate > 0)) throw new CliError(`--rate must be a number of calls a second above 0, not '${opts.rate}'`, 2);
	if (n === 0) {
		const hasData = fs.existsSync(SAMPLE_DIR) && fs.readdirSync(SAMPLE_DIR).some((f) => f.endsWith('.csv'));
		if (!hasData) {
			out.info(`Generating the sample data set into ${SAMPLE_DIR}…`);
			await generateCommand({ out: SAMPLE_DIR }, out);
		}
		out.info(`Loading ${SAMPLE_DIR} into ${opts.db}…`);
		const files = fs
			.readdirSync(SAMPLE_DIR)
			.sort()
			// With --stream the Segment calls arrive through the tracking API instead.
			.filter((f) => !(opts.stream && f === 'segment.jsonl'))
			.map((f) => path.join(SAMPLE_DIR, f));
		await loadCommand(files, { db: opts.db }, out);
	} else {
		out.info(`${opts.db} already holds ${n.toLocaleString('en-US')} accounts.`);
	}
	await trainAndScore(opts.db, out);
	if (opts.stream) {
		const writeKey = await demoSource(opts.db);
		const url = `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${opts.port}`;
		out.info(`Once the app is up, the sample's Segment calls go through its tracking API at ${rate} a second: watch ${url}/sources.`);
		void whenUp(url).then(() =>
			streamCalls(path.join(SAMPLE_DIR, 'segment.jsonl'), { url, writeKey, rate }, makeOutput(true)).catch((err: Error) =>
				out.info(`The demo stream stopped: ${err.message}`)
			)
		);
	}
	await serveCommand(opts, out);
}

/** The demo's Segment source ('demo stream'), added or given a fresh key: its write key. */
async function demoSource(dbPath: string): Promise<string> {
	const db = await openDatabase(dbPath);
	try {
		const sources = await listSources(db);
		const existing = sources.find((s) => s.name === DEMO_SOURCE);
		if (existing) return (await runSources(db, { kind: 'rotate', params: { source: existing.id } }, localActor())).write_key;
		return (await runSources(db, { kind: 'add_segment', params: { name: DEMO_SOURCE } }, localActor())).write_key;
	} finally {
		db.close();
	}
}

/** Resolves once the app answers at `url` (it builds itself on a first run, so this may take a minute). */
async function whenUp(url: string): Promise<void> {
	for (;;) {
		if (
			await fetch(`${url}/api/status`).then(
				(r) => r.status < 500,
				() => false
			)
		)
			return;
		await new Promise((r) => setTimeout(r, 500));
	}
}

/** Trains whichever models are missing and scores the accounts when they have no scores yet. */
async function trainAndScore(dbPath: string, out: Output) {
	const config = loadConfig();
	const db = await openDatabase(dbPath);
	try {
		if (!hasModel('churn')) {
			out.info('Training the churn model (backtest on the last 90 days)…');
			const r = await trainChurn(db, config);
			out.info(
				`  churn model ${r.version}: held-out ROC AUC ${fixed(r.auc, 3)}${r.oracle_auc === null ? '' : ` (oracle ${fixed(r.oracle_auc, 3)})`}, Brier ${fixed(r.brier, 4)}`
			);
		}
		const { trainSatisfaction } = await import('../lib/server/models/satisfaction/train.js');
		for (const kind of ['csat', 'ces'] as const) {
			if (hasModel(kind)) continue;
			out.info(`Training the predicted ${kind.toUpperCase()} model…`);
			const r = await trainSatisfaction(db, kind);
			out.info(
				`  ${kind} model ${r.version}: held-out MAE ${fixed(r.evaluation.mae, 3)} vs mean baseline ${fixed(r.evaluation.baseline_mae, 3)}`
			);
		}
		const [{ scored }] = await db.query<{ scored: number }>('SELECT count(*) AS scored FROM account_scores');
		if (scored === 0) {
			const r = await scoreAccounts(db, config);
			out.info(`Scored ${r.scored.toLocaleString('en-US')} accounts: ${r.bands.high} at high risk.`);
			// New scores, as after any scoring job: the alert rules look again.
			const { doc } = await runJob(db, 'evaluate', { trigger: 'score' }, () => {});
			const e = doc as EvaluationReport;
			out.info(`Alerts: ${e.opened.length.toLocaleString('en-US')} opened, ${e.open.toLocaleString('en-US')} open (the Alerts page).`);
		}
	} finally {
		db.close();
	}
}
