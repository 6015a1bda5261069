/**
 * Zendesk exports: Tickets (with satisfaction ratings), Ticket Metrics, Users and Organizations, each as
 * `{"<kind>": […], …}` pages or one record per line.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { tableSpec } from '../contract.js';
import { FileError, type ZendeskKind } from '../detect.js';
import type { Opened } from '../load.js';
import { ingestDerived } from './shared.js';
import { identitySource } from './zendesk-identity.js';
import { metricSource } from './zendesk-metrics.js';
import { readRecords } from './zendesk-records.js';
import { ratingSource, ticketSource } from './zendesk-tickets.js';

/**
 * Opens a Zendesk export of `kind` in the current transaction. Tickets merge into `tickets` (their
 * ratings into `surveys` first, counted under `derived.surveys`); ticket metrics update `tickets` rows
 * already loaded; users and organizations fill the identity map (`zendesk_users`,
 * `zendesk_organizations`) that later ticket loads resolve requesters and organizations through. Lines:
 * a record's line when the file has one record per line, else its position in the file from 1.
 */
export async function openZendesk(conn: DuckDBConnection, file: string, kind: ZendeskKind, loadId: number): Promise<Opened> {
	const { records, pages } = await readRecords(conn, file, kind);
	if (records === 0 && pages === 0) throw new FileError(`${file}: no Zendesk ${kind} to load`);
	switch (kind) {
		case 'tickets': {
			const source = await ticketSource(conn);
			const surveys = await ingestDerived(conn, await ratingSource(conn), 'surveys', { loadId, file });
			return { source, spec: tableSpec('tickets'), derived: { surveys } };
		}
		case 'ticket_metrics':
			return { source: await metricSource(conn), spec: tableSpec('tickets') };
		case 'users':
			return { source: await identitySource(conn, 'users'), spec: tableSpec('zendesk_users') };
		case 'organizations':
			return { source: await identitySource(conn, 'organizations'), spec: tableSpec('zendesk_organizations') };
	}
}
