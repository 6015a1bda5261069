import { readStatus } from '../lib/server/jobs/channel.js';
import type { Output } from './output.js';

/** `adoption status`: rows per table and the latest loads (asked of the server when one owns the database). */
export async function statusCommand(opts: { db: string }, out: Output) {
	const { doc: s, path } = await readStatus(opts.db);
	out.result(s);
	out.info(`Database ${path}`);
	out.info(`Data from ${s.range.from ?? '—'} to ${s.range.to ?? '—'}`);
	for (const [t, n] of Object.entries(s.tables)) out.info(`  ${t.padEnd(22)} ${n.toLocaleString('en-US').padStart(12)}`);
	out.info(s.loads.length ? 'Latest loads:' : 'Nothing loaded yet: adoption load FILE…');
	for (const l of s.loads.slice(0, 10)) {
		const counts = l.outcome === 'ok' ? `${l.accepted} new, ${l.updated} updated, ${l.skipped} skipped, ${l.rejected} rejected` : l.message;
		out.info(`  #${l.load_id} ${l.outcome.padEnd(6)} ${l.table_name ?? '?'} ← ${l.file}: ${counts}`);
	}
}
