import { sql, type Kysely } from 'kysely';
import type { Config } from '../config/config.js';
import type { Schema } from '../db/schema.js';
import { FACTS } from '../facts/registry.js';

/**
 * The fact tables usable now (fresh): built from this config (their `signature` matches) after the latest
 * successful load. A stale one is not read; its rows are computed from the raw data instead.
 */
export async function freshDerived(db: Kysely<Schema>, config: Config): Promise<Set<string>> {
	const { rows } = await sql<{ name: string; signature: string; load_id: number | null; latest: number | null }>`
		SELECT m.name, m.signature, m.load_id, (SELECT max(load_id) FROM loads WHERE outcome = 'ok') AS latest FROM derived_meta m`.execute(db);
	const bySig = new Map(FACTS.map((d) => [d.name, d.signature(config)]));
	return new Set(rows.filter((r) => bySig.get(r.name) === r.signature && r.load_id === r.latest).map((r) => r.name));
}
