import { loadConfig } from '../lib/server/config/config.js';
import { openDatabase } from '../lib/server/db/connection.js';
import { scoreAccounts } from '../lib/server/models/churn/score.js';
import type { Output } from './output.js';

/**
 * `adoption score [--as-of DATE]`: scores every live account with the latest churn model and stores
 * probability, risk band, health, sentiment and drivers in `account_scores`.
 */
export async function scoreCommand(opts: { db: string; asOf?: string }, out: Output) {
	const db = await openDatabase(opts.db);
	try {
		const r = await scoreAccounts(db, loadConfig(), { asOf: opts.asOf });
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
	} finally {
		db.close();
	}
}
