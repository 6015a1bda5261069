import { sql, type Kysely } from 'kysely';
import type { Schema } from '../schema.js';

/** What the audit log can be narrowed by: who (actor, exactly), what (an action or its family, `person` for `person.*`), when. */
export interface AuditFilter {
	actor?: string;
	action?: string;
	/** Inclusive start and exclusive end, ISO UTC. */
	from?: string;
	to?: string;
}

/** Reading the audit log (written only by `auth/audit.ts`), newest first. */
export class AuditRepository {
	constructor(private readonly db: Kysely<Schema>) {}

	private filtered(f: AuditFilter) {
		let q = this.db.selectFrom('audit_log');
		if (f.actor) q = q.where('actor', '=', f.actor);
		if (f.action)
			q = q.where((eb) => eb.or([eb('action', '=', f.action!), eb(sql<boolean>`starts_with(action, ${`${f.action}.`})`, '=', true)]));
		if (f.from) q = q.where('changed_at', '>=', f.from);
		if (f.to) q = q.where('changed_at', '<', f.to);
		return q;
	}

	/** One page of entries. */
	list(f: AuditFilter, page: { limit: number; offset: number }) {
		return this.filtered(f).selectAll().orderBy('audit_id', 'desc').limit(page.limit).offset(page.offset).execute();
	}

	/** How many entries the filter keeps. */
	async count(f: AuditFilter): Promise<number> {
		const row = await this.filtered(f)
			.select((eb) => eb.fn.countAll<number>().as('n'))
			.executeTakeFirst();
		return Number(row?.n ?? 0);
	}

	/** The actors and the action families there are, for the filter's choices. */
	async choices(): Promise<{ actors: string[]; actions: string[] }> {
		const rows = await this.db.selectFrom('audit_log').select(['actor', 'action']).distinct().execute();
		return {
			actors: [...new Set(rows.map((r) => r.actor))].sort(),
			actions: [...new Set(rows.flatMap((r) => [r.action.split('.')[0], r.action]))].sort()
		};
	}
}
