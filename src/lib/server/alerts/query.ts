/**
 * The alert list's filters as URLs carry them (`/alerts?state=open&rule=…&csm=…&sla=breached&mine=1`),
 * checked once for the page and `GET /api/alerts`: a bad value is named with what it may be.
 */
import type { Principal } from '../auth/policy.js';
import { ALERT_STATES, type AlertFilters, type SlaStatus } from '../db/repositories/alerts.repository.js';
import { RULE_IDS } from './rule.js';

export const SLA_STATUSES: readonly SlaStatus[] = ['on_track', 'due_soon', 'breached', 'met', 'paused', 'cleared'];
export const ALERT_QUERY_KEYS = ['state', 'rule', 'account', 'csm', 'assignee', 'sla', 'mine'] as const;

/** The filters of `url` (default: unresolved alerts), or the parameter that is wrong and why. */
export function parseAlertQuery(url: URL, principal: Principal | null): { filters: AlertFilters } | { key: string; message: string } {
	const get = (k: string) => url.searchParams.get(k)?.trim() || undefined;
	const state = get('state') ?? 'unresolved';
	if (state !== 'all' && state !== 'unresolved' && !(ALERT_STATES as readonly string[]).includes(state))
		return { key: 'state', message: `must be one of unresolved, all, ${ALERT_STATES.join(', ')}` };
	const rule = get('rule');
	if (rule && !(RULE_IDS as readonly string[]).includes(rule)) return { key: 'rule', message: `must be one of ${RULE_IDS.join(', ')}` };
	const sla = get('sla');
	if (sla && !SLA_STATUSES.includes(sla as SlaStatus)) return { key: 'sla', message: `must be one of ${SLA_STATUSES.join(', ')}` };
	const mine = get('mine');
	if (mine && mine !== '1') return { key: 'mine', message: 'must be 1 (only the alerts of your own book)' };
	if (mine && principal?.kind !== 'person') return { key: 'mine', message: 'needs a signed-in person: nobody here has a book' };
	const filters: AlertFilters = {
		state: state === 'all' ? undefined : (state as AlertFilters['state']),
		rule,
		account_id: get('account'),
		csm: get('csm'),
		assignee: get('assignee')?.toLowerCase(),
		sla: sla as SlaStatus | undefined
	};
	if (mine && principal?.kind === 'person') filters.book = { csm: principal.csm, email: principal.email };
	return { filters };
}
