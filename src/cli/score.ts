import { perform } from '../lib/server/jobs/channel.js';
import type { ScoreReport } from '../lib/server/models/churn/score.js';
import type { Output } from './output.js';

/**
 * `adoption score [--as-of DATE]`: scores every live account with the latest churn model and stores
 * probability, risk band, health, sentiment and drivers in `account_scores` (through the server when one
 * owns the database).
 */
export async function scoreCommand(opts: { db: string; asOf?: string }, out: Output) {
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
