import { error } from '@sveltejs/kit';
import { auditFilter, auditQuerySchema } from '$lib/server/auth/audit.js';
import type { AuditFilter } from '$lib/server/db/repositories/audit.repository.js';

/** The audit filters of a page or API URL (other parameters ignored); a bad value is a 400 naming it. */
export function auditQuery(
	url: URL,
	keep: readonly string[] = ['actor', 'action', 'from', 'to']
): { filter: AuditFilter; values: Record<string, string> } {
	const values = Object.fromEntries(keep.flatMap((k) => (url.searchParams.get(k) ? [[k, url.searchParams.get(k)!]] : [])));
	const parsed = auditQuerySchema.safeParse(values);
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		error(400, `Query parameter '${String(issue.path[0])}' ${issue.message}.`);
	}
	return { filter: auditFilter(parsed.data), values };
}
