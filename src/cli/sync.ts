import { perform } from '../lib/server/jobs/channel.js';
import { CliError, type Output } from './output.js';

type Counts = { accepted: number; updated: number; skipped: number; rejected: number };

/**
 * `adoption sync zendesk [--source S]`: syncs now (through the server when one owns the database, as a job;
 * else on the file directly) and prints `{"tickets": {"accepted", "updated", "skipped", "rejected"}, …}`.
 */
export async function syncCommand(kind: string, opts: { db: string; source?: string }, out: Output) {
	if (kind !== 'zendesk') throw new CliError(`adoption sync takes zendesk (a Segment source is fed by its tracking API), not '${kind}'`, 2);
	const source = opts.source === undefined ? undefined : /^\d+$/.test(opts.source) ? Number(opts.source) : opts.source;
	const { doc, failure } = await perform(opts.db, { kind: 'sync', params: { kind: 'zendesk', source, trigger: 'cli' } }, (p) => {
		if (p.message) out.info(p.message);
	});
	const d = doc as Record<'tickets' | 'ticket_metrics' | 'users' | 'organizations', Counts> & {
		sources: { name: string; ok: boolean; error?: string }[];
	};
	out.result(d);
	const line = (c: Counts) => `${c.accepted} new, ${c.updated} updated, ${c.skipped} skipped, ${c.rejected} rejected`;
	for (const k of ['tickets', 'ticket_metrics', 'users', 'organizations'] as const) out.info(`  ${k.padEnd(15)} ${line(d[k])}`);
	for (const s of d.sources ?? []) if (!s.ok) out.info(`  ${s.name}: ${s.error}`);
	if (failure) throw new CliError(failure);
}
