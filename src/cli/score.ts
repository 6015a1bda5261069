import { perform } from '../lib/server/jobs/channel.js';
import type { ScoreReport } from '../lib/server/models/churn/score.js';
import { CliError, fixed, type Output } from './output.js';

/**
 * `adoption score [--as-of DATE]`: scores every live account with the latest churn model and stores
 * probability, risk band, health, sentiment and drivers in `account_scores` (through the server when one
 * owns the database). `adoption score --features FILE --model features-NAME [--out FILE]` scores the rows
 * of a table the user brings with a model `adoption train --features` saved, in this process.
 */
export async function scoreCommand(opts: { db: string; asOf?: string; features?: string; model?: string; out?: string }, out: Output) {
	if (opts.features !== undefined) return scoreFeatureFileCommand(opts, out);
	if (opts.model !== undefined || opts.out !== undefined) throw new CliError('--model and --out go with --features FILE', 2);
	const { doc } = await perform(opts.db, { kind: 'score', params: { asOf: opts.asOf } }, () => {});
	const r = doc as ScoreReport;
	out.result(r);
	out.info(
		`Scored ${r.scored.toLocaleString('en-US')} accounts as of ${r.as_of.slice(0, 10)} with churn model ${r.version} (${r.model}): ${r.bands.high} high, ${r.bands.medium} medium, ${r.bands.low} low risk`
	);
	out.info('Riskiest accounts:');
	for (const s of r.top) {
		out.info(
			`  ${s.account_id}  ${(s.churn_probability * 100).toFixed(1).padStart(5)} %  health ${Math.round(s.health).toString().padStart(3)}  ${s.drivers.map((d) => d.text).join('; ')}`
		);
	}
}

/** The feature-file path: no database and no server, so it never goes through `perform`. */
async function scoreFeatureFileCommand(opts: { asOf?: string; features?: string; model?: string; out?: string }, out: Output) {
	if (opts.asOf !== undefined) throw new CliError('--as-of does not go with --features: a feature file is scored as it is', 2);
	if (!opts.model) throw new CliError('--features needs --model features-NAME (the model `adoption train --features` saved)', 2);
	if (!opts.model.startsWith('features-')) {
		throw new CliError(`--model ${opts.model}: a feature file is scored with a model trained on one, named features-NAME`, 2);
	}
	const { scoreFeatureFile } = await import('../lib/server/models/tabular/score-file.js');
	const r = await scoreFeatureFile({ file: opts.features!, model: opts.model, out: opts.out });
	out.result(r);
	out.info(
		`Scored ${r.scored.toLocaleString('en-US')} rows of ${r.file} with model ${r.model} ${r.version}: ${r.bands.high} high, ${r.bands.medium} medium, ${r.bands.low} low risk` +
			(r.out ? `; written to ${r.out}` : '')
	);
	if (r.auc !== undefined) out.info(`ROC AUC against the file's label column: ${fixed(r.auc, 3)}`);
	if (r.ignored.length) out.info(`Not used by the model: ${r.ignored.join(', ')}`);
	for (const m of r.imputed) {
		const bad = m.first_unparsable
			? `, ${m.unparsable} unparsable (the first in row ${m.first_unparsable.row}: "${m.first_unparsable.value}")`
			: '';
		out.info(`Imputed with the training median: ${r.file} column ${m.column}, ${m.blank} blank${bad}`);
	}
	out.info(`Riskiest rows${r.id_column ? ` (by ${r.id_column})` : ' (by row number)'}:`);
	for (const s of r.top) {
		out.info(
			`  ${s.id}  ${(s.probability * 100).toFixed(1).padStart(5)} %  percentile ${s.percentile.toFixed(1).padStart(5)}  ${s.band.padEnd(6)}  ${s.drivers.join('; ')}`
		);
	}
}
