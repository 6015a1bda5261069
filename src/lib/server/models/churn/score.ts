import { DuckDBTimestampValue } from '@duckdb/node-api';
import type { Config } from '../../config/config.js';
import type { Database } from '../../db/connection.js';
import { readSnapshots, saveSnapshots } from '../../features/store.js';
import { Classifier, type ClassifierArtifact } from '../core/classifier.js';
import { driverPlan, topDrivers, type Driver } from '../explain.js';
import { accountHealth, percentiles, riskBand, sentimentFromScores } from '../health.js';
import { predictTickets } from '../satisfaction/predict.js';
import { accountSentiment } from '../satisfaction/sentiment.js';
import { hasModel, loadModel } from '../store.js';
import { modelAsOf } from './dates.js';
import { encodeFrame, type Encoding } from './encode.js';
import type { ChurnMetadata } from './train.js';

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
	/** Seconds per step: the feature snapshot; ticket predictions and sentiment; prediction, explanation and storing. */
	timings: { features: number; sentiment: number; scoring: number };
}

/**
 * Sentiment per account at `asOf`: with saved CSAT and CES models, every ticket is scored
 * (`ticket_predictions`) and the account's sentiment is over its tickets of the last 90 days, predicted
 * where unanswered (`satisfaction/sentiment.ts`); without them, null, and the snapshot's answered surveys
 * stand in (`health.ts`, `sentimentFromScores`).
 */
async function ticketSentiment(db: Database, asOf: string, root?: string): Promise<Map<string, number | null> | null> {
	if (!hasModel('csat', root) || !hasModel('ces', root)) return null;
	const day = asOf.slice(0, 10);
	await predictTickets(db, { asOf: day, root });
	return new Map((await accountSentiment(db, { asOf: day })).map((r) => [r.account_id, r.sentiment]));
}

/**
 * Scores every account live at the as-of date with the latest churn model: a feature snapshot, the
 * calibrated churn probability, its percentile and band, the sentiment (from predicted CSAT/CES when those
 * models exist), the health score, and the top drivers from the model's own contributions. Stores them in
 * `account_scores`, replacing that as-of date's rows in one transaction.
 */
export async function scoreAccounts(
	db: Database,
	config: Config,
	opts: { asOf?: string; root?: string; top?: number } = {}
): Promise<ScoreReport> {
	const saved = loadModel('churn', 'latest', opts.root);
	const meta = saved.metadata as unknown as ChurnMetadata;
	const model = new Classifier(saved.model as ClassifierArtifact);
	const asOf = await modelAsOf(db.kysely, opts.asOf);

	const t0 = performance.now();
	await saveSnapshots(db, config, [asOf], asOf);
	const frame = await readSnapshots(db, config, [asOf]);
	const t1 = performance.now();

	const external = await ticketSentiment(db, asOf, opts.root);
	const t2 = performance.now();
	const X = encodeFrame(frame, meta.encoding as Encoding);
	const { p, contributions } = model.explain(X);
	const pct = percentiles(p);
	const plan = driverPlan(saved.features);
	const scores: AccountScore[] = frame.account_id.map((account_id, i) => {
		const sentiment = external ? (external.get(account_id) ?? null) : sentimentFromScores(frame.numeric.csat_mean[i], frame.numeric.ces_mean[i]);
		const level = frame.numeric.milestone_level[i] ?? 0;
		return {
			account_id,
			churn_probability: p[i],
			risk_percentile: pct[i],
			risk_band: riskBand(pct[i]),
			health: accountHealth(pct[i], level, sentiment, config.health.weights),
			adoption: level / 3,
			sentiment,
			drivers: topDrivers(contributions[i], plan, frame, i)
		};
	});
	await storeScores(db, scores, asOf, saved.version);
	const t3 = performance.now();

	const bands = { high: 0, medium: 0, low: 0 };
	for (const s of scores) bands[s.risk_band]++;
	return {
		as_of: asOf,
		model: model.artifact.kind,
		version: saved.version,
		scored: scores.length,
		bands,
		top: [...scores].sort((a, b) => b.churn_probability - a.churn_probability).slice(0, opts.top ?? 10),
		timings: { features: (t1 - t0) / 1000, sentiment: (t2 - t1) / 1000, scoring: (t3 - t2) / 1000 }
	};
}

/** A JS time as DuckDB's TIMESTAMP (microseconds since the epoch, UTC). */
const timestamp = (ms: number) => new DuckDBTimestampValue(BigInt(Math.round(ms)) * 1000n);

/**
 * Replaces the as-of date's rows of `account_scores` with `scores` in one transaction, appending the rows
 * with DuckDB's appender: writing them as JSON for `read_json` cost 2–3 s at 100,000 accounts, most of it
 * turning numbers into text and back.
 */
async function storeScores(db: Database, scores: AccountScore[], asOf: string, version: string): Promise<void> {
	const conn = await db.connect();
	try {
		await conn.run('BEGIN TRANSACTION');
		try {
			await conn.run(`DELETE FROM account_scores WHERE as_of = CAST($1 AS TIMESTAMPTZ)::TIMESTAMP`, [asOf]);
			const appender = await conn.createAppender('account_scores');
			const at = timestamp(Date.parse(asOf));
			const now = timestamp(Date.now());
			const double = (v: number | null) => (v === null || !Number.isFinite(v) ? appender.appendNull() : appender.appendDouble(v));
			for (const s of scores) {
				appender.appendVarchar(s.account_id);
				appender.appendTimestamp(at);
				appender.appendVarchar('churn');
				appender.appendVarchar(version);
				appender.appendDouble(s.churn_probability);
				appender.appendDouble(s.risk_percentile);
				appender.appendVarchar(s.risk_band);
				double(s.health);
				double(s.adoption);
				double(s.sentiment);
				appender.appendVarchar(JSON.stringify(s.drivers));
				appender.appendTimestamp(now);
				appender.endRow();
			}
			appender.flushSync();
			appender.closeSync();
			await conn.run('COMMIT');
		} catch (err) {
			await conn.run('ROLLBACK');
			throw err;
		}
	} finally {
		conn.closeSync();
	}
}
