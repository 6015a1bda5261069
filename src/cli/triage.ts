import { performRead } from '../lib/server/jobs/channel.js';
import type { Output } from './output.js';

/**
 * `adoption triage [TICKET…]`: each ticket's topic, suggested queue and the requester's self-service trail
 * before it; without tickets, the unsolved ones of the last `triage.recentDays` of the data.
 */
export async function triageCommand(tickets: string[], opts: { db: string }, out: Output) {
	const doc = await performRead(opts.db, { kind: 'triage', params: tickets.length ? { tickets } : {} });
	out.result(doc);
	if (!doc.tickets.length)
		out.info(tickets.length ? `No such ticket: ${tickets.join(', ')}` : 'No unsolved tickets in the recent days of the data.');
	for (const t of doc.tickets) {
		out.info(`${t.ticket_id}  ${t.created_at.slice(0, 16).replace('T', ' ')}  ${t.subject ?? '(no subject)'}`);
		out.info(
			`  topic ${t.topic.chosen} (by ${t.topic.by}) → queue ${t.queue.name} (${t.queue.because}); account ${t.account_name ?? t.account_id ?? '—'}, ${t.plan ?? 'no plan'}, ${t.risk_band ?? 'unscored'} risk`
		);
		for (const s of t.trail) out.info(`    ${s.at.slice(11, 16)}  ${s.text}`);
		if (!t.trail.length) out.info('    no self-service before it');
	}
}
