import { performPeople } from '../lib/server/jobs/channel.js';
import { CliError, type Output } from './output.js';

/** `adoption token create --user EMAIL [--name N]`: a token for scripts, printed once (`{"token", …}` with --json). */
export async function tokenCreateCommand(opts: { db: string; user?: string; name?: string }, out: Output) {
	const doc = await performPeople(opts.db, { kind: 'token_create', params: { email: opts.user!, name: opts.name } });
	out.result(doc);
	out.info(`Token ${doc.token_id} for ${doc.email}${doc.name ? ` (${doc.name})` : ''}, shown once; send it as Authorization: Bearer TOKEN`);
	out.info(doc.token);
}

/** `adoption token list [--user EMAIL]`: every token (never the token itself), newest first. */
export async function tokenListCommand(opts: { db: string; user?: string }, out: Output) {
	const doc = await performPeople(opts.db, { kind: 'token_list', params: { email: opts.user } });
	out.result(doc);
	if (!doc.tokens.length) out.info('No tokens.');
	for (const t of doc.tokens) {
		const state = t.revoked_at ? `revoked ${t.revoked_at}` : `last used ${t.last_used_at ?? 'never'}`;
		out.info(`  #${t.token_id} ${t.email}${t.name ? ` (${t.name})` : ''}: made ${t.created_at}, ${state}`);
	}
}

/** `adoption token revoke ID`: the token stops working at once. */
export async function tokenRevokeCommand(id: string, opts: { db: string }, out: Output) {
	if (!/^\d+$/.test(id)) throw new CliError(`a token id is a number (adoption token list), not '${id}'`, 2);
	const doc = await performPeople(opts.db, { kind: 'token_revoke', params: { id: Number(id) } });
	out.result(doc);
	out.info(doc.changed ? `Revoked token ${id} of ${doc.token.email}.` : `Token ${id} was already revoked.`);
}
