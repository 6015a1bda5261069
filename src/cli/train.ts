import { loadConfig } from '../lib/server/config/config.js';
import { openDatabase } from '../lib/server/db/connection.js';
import { trainChurn, type ChurnEvaluation } from '../lib/server/models/churn/train.js';
import { CliError, type Output } from './output.js';

/** Models `adoption train --model` can train. */
export const TRAINABLE = ['churn', 'csat', 'ces'] as const;

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const f3 = (x: number | null) => (x === null ? 'n/a' : x.toFixed(3));

/**
 * `adoption train [--model churn|csat|ces] [--as-of DATE]` trains on the database, evaluates on held-out
 * data, saves under `models/`, and prints the evaluation; `adoption train --features FILE --label COLUMN
 * [--id COLUMN]` does the same on a table the user brings, by stratified 5-fold cross-validation.
 */
export async function trainCommand(
	opts: { db: string; model?: string; asOf?: string; features?: string; label?: string; id?: string },
	out: Output
) {
	if (opts.features !== undefined) return trainFeatureFile(opts, out);
	if (opts.label !== undefined || opts.id !== undefined) throw new CliError('--label and --id go with --features FILE', 2);
	const model = opts.model ?? 'churn';
	if (!(TRAINABLE as readonly string[]).includes(model)) throw new CliError(`unknown model '${model}': use ${TRAINABLE.join(', ')}`, 2);
	const db = await openDatabase(opts.db);
	try {
		const config = loadConfig();
		if (model === 'churn') {
			const r = await trainChurn(db, config, { asOf: opts.asOf, onProgress: (m) => out.info(m) });
			out.result(r);
			printChurn(r, out);
			return;
		}
		const { trainSatisfaction } = await import('../lib/server/models/satisfaction/train.js');
		const r = await trainSatisfaction(db, model as 'csat' | 'ces', { asOf: opts.asOf });
		out.result({ target: model, version: r.version, ...r.evaluation });
		out.info(
			`${model.toUpperCase()} model ${r.version} (${r.evaluation.model}): held-out MAE ${r.evaluation.mae.toFixed(3)} vs mean baseline ${r.evaluation.baseline_mae.toFixed(3)} (${pct(r.evaluation.improvement)} better), RMSE ${r.evaluation.rmse.toFixed(3)} vs ${r.evaluation.baseline_rmse.toFixed(3)}; ${r.evaluation.n_train} training tickets, ${r.evaluation.n_test} test tickets`
		);
	} finally {
		db.close();
	}
}

function printChurn(r: ChurnEvaluation, out: Output) {
	out.info('');
	out.info(
		`Churn model ${r.version}: ${r.model}, trained on snapshots ${r.training_as_of.map((t) => t.slice(0, 10)).join(', ')} (${r.n_train.toLocaleString('en-US')} rows)`
	);
	out.info(
		`Held-out test: ${r.n.toLocaleString('en-US')} accounts live on ${r.test_as_of.slice(0, 10)}, ${r.positives} churned in the ${r.as_of.slice(0, 10) > r.test_as_of.slice(0, 10) ? 'following window' : 'window'} (base rate ${pct(r.base_rate)})`
	);
	out.info(`  ROC AUC ${f3(r.auc)}   oracle AUC ${f3(r.oracle_auc)}${r.oracle_note ? ` (${r.oracle_note})` : ''}   PR AUC ${f3(r.pr_auc)}`);
	out.info(
		`  Brier ${r.brier.toFixed(4)} (base-rate predictor ${r.brier_base_rate.toFixed(4)})   top decile: precision ${pct(r.top_decile.precision)}, lift ${r.top_decile.lift.toFixed(2)}×`
	);
	out.info(`  Health score AUC ${f3(r.health_auc)} (how well the health weights rank the same churners)`);
	out.info('  Calibration (mean predicted → observed churn, per tenth of the probability scale):');
	for (const b of r.calibration.filter((c) => c.count > 0))
		out.info(`    ${pct(b.mean_predicted!).padStart(7)} → ${pct(b.observed_rate!).padStart(7)}  (${b.count} accounts)`);
}

async function trainFeatureFile(opts: { features?: string; label?: string; id?: string }, out: Output) {
	if (!opts.label) throw new CliError('--features needs --label COLUMN (the column to predict)', 2);
	const { trainOnFeatureFile, formatFeatureFileReport } = await import('../lib/server/models/tabular/train-file.js');
	const r = await trainOnFeatureFile({ file: opts.features!, label: opts.label, id: opts.id, onProgress: (m: string) => out.info(m) });
	out.result(r);
	out.info(formatFeatureFileReport(r));
}
