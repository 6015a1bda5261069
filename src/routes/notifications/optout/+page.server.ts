import { error } from '@sveltejs/kit';
import { audit } from '$lib/server/auth/audit.js';
import { RULES } from '$lib/server/alerts/rules/index.js';
import type { RuleId } from '$lib/server/alerts/rule.js';
import { optoutKey, recordOptout, verifyOptout, type Optout } from '$lib/server/notify/optout.js';
import { readDatabase } from '../../db.server.js';
import type { Actions, PageServerLoad } from './$types';

/** The opt-out a link stands for, or a 400 for a link that was changed or cut short. */
async function optoutOf(url: URL): Promise<Optout> {
	const o = await readDatabase(async (db) => verifyOptout(await optoutKey(db.kysely), url.searchParams));
	if (!o) error(400, 'This opt-out link is not valid: it was changed or cut short. Use the link in the message as it is.');
	return o;
}

const what = (o: Optout) => ({
	recipient: o.recipient === 'webhook' ? 'the team channel' : o.recipient,
	messages: o.rule ? `"${RULES[o.rule as RuleId]?.label ?? o.rule}" messages` : 'alert messages'
});

/** Asks to confirm: following a link (or a mail scanner fetching it) changes nothing. */
export const load: PageServerLoad = async ({ url }) => ({ ...what(await optoutOf(url)), done: false });

export const actions: Actions = {
	/** The form's button, and a mail client's RFC 8058 one-click POST to the same link. */
	default: async ({ url, getClientAddress }) => {
		const o = await optoutOf(url);
		await readDatabase((db) =>
			db.kysely.transaction().execute(async (trx) => {
				if (await recordOptout(trx, o))
					await audit(
						trx,
						{ actor: o.recipient, address: getClientAddress() },
						{ action: 'notify.optout', object: `optout:${o.recipient}`, after: o }
					);
			})
		);
		return { ...what(o), done: true };
	}
};
