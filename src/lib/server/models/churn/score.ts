import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../../config/config.js';
import type { Database } from '../../db/connection.js';
import { readSnapshots, saveSnapshots } from '../../features/store.js';
import { Classifier, type ClassifierArtifact } from '../core/classifier.js';
import { topDrivers, type Driver } from '../explain.js';
import { healthScore, percentiles, riskBand, sentimentFromScores } from '../health.js';
import { loadModel } from '../store.js';
import { modelAsOf } from './dates.js';
import { encodeFrame, type Encoding } from './encode.js';
import { scaleSentiment, type ChurnMetadata } from './train.js';

/** One scored account, as stored in `account_scores`. */
export interface AccountScore {
	account_id: string;
	churn_probability: number;
	risk_percentile: number;
	risk_band: 'high' | 'medium' | 'low';
	health: number;
	adoption: number | null;
	sentiment: number | null;
	drivers: Driver[];
}

/** What `adoption score` reports. */
export interface ScoreReport {
	as_of: string;
	model: string;
	version: string;
	scored: number;
	bands: Record<'high' | 'medium' | 'low', number>;
	/** The riskiest accounts, riskiest first. */
	top: AccountScore[];
	/** Seconds per step: the feature snapshot, then prediction, explanation and storing. */
	timings: { features: number; scoring: number };
}

/** Sentiment per account from somewhere other than the snapshot (predicted CSAT/CES), when available. */
export type SentimentSource = (db: Database, asOf: string) => Promise<Map<string, number | null> | null>;

/**
 * Scores every account live at the as-of date with the latest churn model: a feature snapshot, the
 * calibrated churn probability, its percentile and band, the health score, and the top drivers from the
 * model's own contributions. Stores them in `account_scores` (replacing that as-of date's rows) in one
 * bulk insert.
 */
export async function scoreAccounts(
	db: Database,
	config: Config,
	opts: { asOf?: string; root?: string; sentiment?: SentimentSource; top?: number } = {}
): Promise<ScoreReport> {
	const saved = loadModel('churn', 'latest', opts.root);
	const meta = saved.metadata as unknown as ChurnMetadata;
	const model = new Classifier(saved.model as ClassifierArtifact);
	const asOf = await modelAsOf(db.kysely, opts.asOf);

	const t0 = performance.now();
	await saveSnapshots(db, config, [asOf], asOf);
	const frame = await readSnapshots(db, config, [asOf]);
	const t1 = performance.now();

	const X = encodeFrame(frame, meta.encoding as Encoding);
	const p = model.predict(X);
	const contributions = model.contributions(X);
	const pct = percentiles(p);
	const external = opts.sentiment ? await opts.sentiment(db, asOf) : null;
	const scores: AccountScore[] = frame.account_id.map((account_id, i) => {
		const sentiment = external?.get(account_id) ?? sentimentFromScores(frame.numeric.csat_mean[i], frame.numeric.ces_mean[i]);
		const adoption = (frame.numeric.milestone_level[i] ?? 0) / 3;
		return {
			account_id,
			churn_probability: p[i],
			risk_percentile: pct[i],
			risk_band: riskBand(pct[i]),
			health: healthScore({ risk: 1 - pct[i], adoption, sentiment: scaleSentiment(sentiment) }, config.health.weights),
			adoption,
			sentiment,
			drivers: topDrivers(contributions[i], saved.features, frame, i)
		};
	});
	await storeScores(db, scores, asOf, saved.version);
	const t2 = performance.now();

	const bands = { high: 0, medium: 0, low: 0 };
	for (const s of scores) bands[s.risk_band]++;
	return {
		as_of: asOf,
		model: model.artifact.kind,
		version: saved.version,
		scored: scores.length,
		bands,
		top: [...scores].sort((a, b) => b.churn_probability - a.churn_probability).slice(0, opts.top ?? 10),
		timings: { features: (t1 - t0) / 1000, scoring: (t2 - t1) / 1000 }
	};
}

/** Replaces the as-of date's rows of `account_scores` with `scores`, through one JSON Lines file read by DuckDB. */
async function storeScores(db: Database, scores: AccountScore[], asOf: string, version: string): Promise<void> {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'adoption-scores-'));
	const file = path.join(dir, 'scores.jsonl');
	try {
		fs.writeFileSync(file, scores.map((s) => JSON.stringify({ ...s, drivers: JSON.stringify(s.drivers) })).join('\n') + '\n');
		const conn = await db.connect();
		try {
			await conn.run('BEGIN TRANSACTION');
			try {
				await conn.run(`DELETE FROM account_scores WHERE as_of = CAST($1 AS TIMESTAMPTZ)::TIMESTAMP`, [asOf]);
				await conn.run(
					`INSERT INTO account_scores
					SELECT account_id, CAST($1 AS TIMESTAMPTZ)::TIMESTAMP, 'churn', $2, churn_probability, risk_percentile, risk_band,
						health, adoption, sentiment, drivers, now()::TIMESTAMP
					FROM read_json($3, format = 'newline_delimited', columns = {account_id: 'VARCHAR', churn_probability: 'DOUBLE',
						risk_percentile: 'DOUBLE', risk_band: 'VARCHAR', health: 'DOUBLE', adoption: 'DOUBLE', sentiment: 'DOUBLE', drivers: 'VARCHAR'})`,
					[asOf, version, file]
				);
				await conn.run('COMMIT');
			} catch (err) {
				await conn.run('ROLLBACK');
				throw err;
			}
		} finally {
			conn.closeSync();
		}
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
}
