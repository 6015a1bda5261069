/**
 * Whose write key a hash is, remembered: every tracking request asks, and sources change only through this
 * server (`registry.ts` tells it), so the answer is kept until a source changes.
 */
import type { Database } from '../../db/connection.js';
import { SourcesRepository } from '../../db/repositories/sources.repository.js';
import { onSourcesChanged } from '../registry.js';
import type { KeySource } from './api.js';

const known = new Map<string, Promise<KeySource | undefined>>();
onSourcesChanged(() => known.clear());

/** The Segment source whose write key hashes to `hash`, or undefined. */
export function sourceByKeyHash(db: Database, hash: string): Promise<KeySource | undefined> {
	let found = known.get(hash);
	if (!found) {
		found = new SourcesRepository(db.kysely)
			.byKeyHash(hash)
			.then((s) => (s && s.kind === 'segment' ? { id: Number(s.source_id), state: s.state } : undefined));
		known.set(hash, found);
		// A failed lookup (a busy database) is asked again next time.
		found.catch(() => known.delete(hash));
	}
	return found;
}
