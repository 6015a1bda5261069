import { parseAsOf, type EvaluationReport } from '../lib/server/alerts/evaluate.js';
import { ALERT_STATES, type AlertState } from '../lib/server/db/repositories/alerts.repository.js';
import { perform, performRead } from '../lib/server/jobs/channel.js';
import { CliError, type Output } from './output.js';

const subject = (a: { account_id: string | null; topic: string | null }) => a.account_id ?? `topic ${a.topic}`;

/**
 * `adoption alerts evaluate [--as-of TIME]`: every enabled rule as of TIME (default now), through the
 * server when one owns the database; prints what opened and resolved.
 */
export async function alertsEvaluateCommand(opts: { db: string; asOf?: string }, out: Output) {
	try {
		parseAsOf(opts.asOf);
	} catch (err) {
		throw new CliError((err as Error).message, 2);
	}
	const { doc, failure } = await perform(opts.db, { kind: 'evaluate', params: { asOf: opts.asOf, trigger: 'cli' } }, (p) => {
		if (p.message) out.info(p.message);
	});
	if (failure) throw new CliError(failure);
	const r = doc as EvaluationReport;
	out.result(r);
	out.info(
		`Evaluated as of ${r.as_of} (data judged at ${r.clock}): ${r.opened.length} opened, ${r.resolved.length} resolved, ${r.open} open in all`
	);
	for (const run of r.rules)
		out.info(
			`  ${run.rule.padEnd(18)} ${String(run.matched).padStart(6)} matched  ${String(run.opened).padStart(5)} opened  ${String(run.resolved).padStart(5)} resolved  ${run.waiting ? `${run.waiting} waiting (hysteresis)  ` : ''}${run.ms} ms`
		);
	for (const a of r.opened.slice(0, 20)) out.info(`  + #${a.id} ${a.rule} ${subject(a)} (${a.severity}), due ${a.due_at}`);
	if (r.opened.length > 20) out.info(`  … and ${r.opened.length - 20} more (adoption alerts list)`);
}

/** `adoption alerts list [--state open|acknowledged|snoozed|resolved]`. */
export async function alertsListCommand(opts: { db: string; state?: string }, out: Output) {
	if (opts.state !== undefined && !(ALERT_STATES as readonly string[]).includes(opts.state))
		throw new CliError(`--state must be one of ${ALERT_STATES.join(', ')}, not '${opts.state}'`, 2);
	const doc = await performRead(opts.db, { kind: 'alerts', params: { state: opts.state as AlertState | undefined } });
	out.result(doc);
	out.info(`${doc.total} alert${doc.total === 1 ? '' : 's'}${opts.state ? ` ${opts.state}` : ''}`);
	for (const a of doc.alerts.slice(0, 50)) {
		out.info(
			`  #${a.id} ${a.state.padEnd(12)} ${a.severity.padEnd(6)} ${a.rule.padEnd(18)} ${subject(a).padEnd(16)} due ${a.due_at} (${a.sla.status.replace('_', ' ')})  ${a.evidence.summary}`
		);
	}
	if (doc.alerts.length > 50) out.info(`  … and ${doc.alerts.length - 50} more (--json for all)`);
}
