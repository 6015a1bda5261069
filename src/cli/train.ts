import { perform } from '../lib/server/jobs/channel.js';
import type { ChurnEvaluation, SatisfactionEvaluation } from '../lib/server/models/evaluations.js';
import type { TriageEvaluation } from '../lib/server/models/triage/train.js';
import { CliError, fixed, percent as pct, type Output } from './output.js';

/** Models `adoption train --model` can train. */
export const TRAINABLE = ['churn', 'csat', 'ces', 'triage'] as const;

/**
 * `adoption train [--model churn|csat|ces|triage] [--as-of DATE]` trains on the database, evaluates on held-out
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
	// Through the server when one owns the database, else on the file directly: the same document either way.
	const { doc } = await perform(
		opts.db,
		{ kind: 'train', params: { model: model as (typeof TRAINABLE)[number], asOf: opts.asOf } },
		(p) => {
			if (p.message) out.info(p.message);
		}
	);
	out.result(doc);
	if (model === 'churn') return printChurn(doc as ChurnEvaluation & { version: string }, out);
	if (model === 'triage') return printTriage(doc as TriageEvaluation & { version: string }, out);
	const r = doc as SatisfactionEvaluation & { version: string };
	out.info(
		`${model.toUpperCase()} model ${r.version} (${r.model}): held-out MAE ${fixed(r.mae, 3)} vs mean baseline ${fixed(r.baseline_mae, 3)} (${pct(r.improvement)} better), RMSE ${fixed(r.rmse, 3)} vs ${fixed(r.baseline_rmse, 3)}; ${r.n_train} training tickets, ${r.n_test} test tickets`
	);
}

function printTriage(r: TriageEvaluation & { version: string }, out: Output) {
	out.info(
		`Triage topic classifier ${r.version}: held-out accuracy ${pct(r.accuracy)} vs ${pct(r.baseline_accuracy)} for the taxonomy's keywords alone, on the newest ${r.test.toLocaleString('en-US')} tagged tickets (trained on ${r.train.toLocaleString('en-US')}); triage uses the ${r.chosen === 'classifier' ? 'classifier' : 'keywords (the classifier is not better)'}`
	);
	for (const t of r.topics)
		out.info(
			`  ${t.topic.padEnd(16)} ${String(t.n).padStart(6)} tickets   classifier ${pct(t.classifier).padStart(7)}   keywords ${pct(t.taxonomy).padStart(7)}`
		);
}

function printChurn(r: ChurnEvaluation & { version: string }, out: Output) {
	out.info('');
	out.info(
		`Churn model ${r.version}: ${r.model}, trained on snapshots ${r.training_as_of.map((t) => t.slice(0, 10)).join(', ')} (${r.n_train.toLocaleString('en-US')} rows)`
	);
	out.info(
		`Held-out test: ${r.n.toLocaleString('en-US')} accounts live on ${r.test_as_of.slice(0, 10)}, ${r.positives} churned in the ${r.as_of.slice(0, 10) > r.test_as_of.slice(0, 10) ? 'following window' : 'window'} (base rate ${pct(r.base_rate)})`
	);
	out.info(
		`  ROC AUC ${fixed(r.auc, 3)}   oracle AUC ${fixed(r.oracle_auc, 3)}${r.oracle_note ? ` (${r.oracle_note})` : ''}   PR AUC ${fixed(r.pr_auc, 3)}`
	);
	out.info(
		`  Brier ${fixed(r.brier, 4)} (base-rate predictor ${fixed(r.brier_base_rate, 4)})   top decile: precision ${pct(r.top_decile.precision)}, lift ${fixed(r.top_decile.lift, 2)}×`
	);
	out.info(`  Health score AUC ${fixed(r.health_auc, 3)} (how well the health weights rank the same churners)`);
	out.info('  Candidates on held-out training rows (validation AUC, 95 % interval):');
	for (const c of r.candidates)
		out.info(
			`    ${c.kind.padEnd(9)} ${fixed(c.auc, 3)}${c.auc_low != null && c.auc_high != null ? ` (${fixed(c.auc_low, 3)}–${fixed(c.auc_high, 3)})` : ''}${c.kind === r.model ? '  chosen' : ''}`
		);
	if (r.selection) out.info(`  ${r.selection}`);
	if (r.calibration_method)
		out.info(`  Probabilities calibrated by ${r.calibration_method === 'isotonic' ? 'isotonic regression' : 'Platt scaling'}`);
	out.info('  Calibration on the test accounts (mean predicted → observed churn, per tenth of the probability scale):');
	for (const b of r.calibration.filter((c) => c.count > 0))
		out.info(`    ${pct(b.mean_predicted).padStart(7)} → ${pct(b.observed_rate).padStart(7)}  (${b.count} accounts)`);
}

async function trainFeatureFile(opts: { features?: string; label?: string; id?: string }, out: Output) {
	if (!opts.label) throw new CliError('--features needs --label COLUMN (the column to predict)', 2);
	const { trainOnFeatureFile, formatFeatureFileReport } = await import('../lib/server/models/tabular/train-file.js');
	const r = await trainOnFeatureFile({ file: opts.features!, label: opts.label, id: opts.id, onProgress: (m: string) => out.info(m) });
	out.result(r);
	out.info(formatFeatureFileReport(r));
}
