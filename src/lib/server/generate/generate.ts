import { DuckDBInstance } from '@duckdb/node-api';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { accountsSql, truthSql } from './accounts.js';
import { activitySql } from './activity.js';
import { knowledgeSql } from './knowledge.js';
import { DEFAULT_AS_OF, SOURCES } from './model.js';
import { readme } from './readme.js';
import { randomMacros } from './sql.js';
import { selfServiceSql, supportSql } from './support.js';
import { writeFiles, type WrittenFile } from './write.js';

/** Options of {@link generate}. */
export interface GenerateOptions {
	out: string;
	accounts?: number;
	seed?: number;
	/** The end of the data (exclusive), `YYYY-MM-DD`. */
	asOf?: string;
	/** Also write events as JSON Lines (default: up to 100,000 accounts). */
	eventsJsonl?: boolean;
	/** Called as each step starts. */
	onStep?: (step: string, index: number, total: number) => void;
	/** DuckDB threads (default: all cores). */
	threads?: number;
}

/** What {@link generate} wrote. */
export interface GenerateResult {
	out: string;
	accounts: number;
	seed: number;
	as_of: string;
	files: WrittenFile[];
	seconds: number;
}

export const MIN_ACCOUNTS = 200;
export const MAX_ACCOUNTS = 1_000_000;

/**
 * Generates a realistic sample data set (see `model.ts` and docs/sample-data.md) into `out`: every
 * contract table, some data only as Segment calls and Zendesk exports, and `truth.csv`. Everything is
 * computed in an in-memory DuckDB (spilling to a temp folder past its memory limit) with randomness drawn
 * from seeded hashes of row keys, so a seed always gives the same files.
 */
export async function generate(options: GenerateOptions): Promise<GenerateResult> {
	const started = performance.now();
	const accounts = options.accounts ?? 2000;
	const seed = options.seed ?? 42;
	const asOf = options.asOf ?? DEFAULT_AS_OF;
	if (!Number.isInteger(accounts) || accounts < MIN_ACCOUNTS || accounts > MAX_ACCOUNTS) {
		throw new Error(`--accounts must be a whole number from ${MIN_ACCOUNTS} to ${MAX_ACCOUNTS.toLocaleString('en-US')}, not ${accounts}`);
	}
	if (!Number.isInteger(seed)) throw new Error(`--seed must be a whole number, not ${seed}`);
	if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf) || Number.isNaN(Date.parse(asOf)))
		throw new Error(`--as-of must be a date YYYY-MM-DD, not '${asOf}'`);

	const spill = fs.mkdtempSync(path.join(os.tmpdir(), 'adoption-generate-'));
	const config: Record<string, string> = { temp_directory: spill, memory_limit: '6GB' };
	if (options.threads) config.threads = String(options.threads);
	const instance = await DuckDBInstance.create(':memory:', config);
	const conn = await instance.connect();
	try {
		await conn.run("SET TimeZone = 'UTC'");
		const steps: [string, string[]][] = [
			['accounts and users', [...randomMacros(seed), ...accountsSql(accounts, asOf)]],
			['product events', activitySql()],
			['self-service sessions and searches', selfServiceSql(asOf)],
			['tickets and surveys', supportSql(asOf)],
			['knowledge base and releases', knowledgeSql(asOf)],
			['ground truth', [...truthSql(asOf), ...finalSql()]]
		];
		for (const [i, [name, statements]] of steps.entries()) {
			options.onStep?.(name, i, steps.length + 1);
			for (const sql of statements) await conn.run(sql);
		}
		options.onStep?.('writing files', steps.length, steps.length + 1);
		const files = await writeFiles(conn, options.out, { eventsJsonl: options.eventsJsonl ?? accounts <= 100_000, asOf });
		const readmeFile = path.join(options.out, 'README.md');
		fs.writeFileSync(readmeFile, readme({ accounts, seed, asOf, files }));
		return { out: options.out, accounts, seed, as_of: asOf, files, seconds: (performance.now() - started) / 1000 };
	} finally {
		conn.closeSync();
		instance.closeSync();
		fs.rmSync(spill, { recursive: true, force: true });
	}
}

/** The tables the writer reads: events with their account's source and valid users, tickets with ids. */
function finalSql(): string[] {
	return [
		// An event's user must have joined by then; otherwise the account's first user acted.
		`CREATE OR REPLACE TABLE g_events_final AS
		SELECT e.event_id, CASE WHEN u.user_id IS NULL THEN printf('U%06d-%03d', e.i, 1) ELSE e.user_id END AS user_id,
			e.account_id, e.event, e.ts, e.page, e.properties, e.i, a.via_segment
		FROM g_events e JOIN g_accounts a USING (i)
		LEFT JOIN g_users u ON u.user_id = e.user_id AND u.created_at <= e.ts
		WHERE e.ts >= a.created_at AND e.ts < a.active_until`,
		`CREATE OR REPLACE TABLE g_searches AS
		SELECT s.* REPLACE (CASE WHEN u.user_id IS NULL THEN split_part(s.user_id, '-', 1) || '-001' ELSE s.user_id END AS user_id)
		FROM g_searches s LEFT JOIN g_users u ON u.user_id = s.user_id AND u.created_at <= s.ts`,
		`CREATE OR REPLACE TABLE g_tickets_out AS
		SELECT t.* REPLACE (CASE WHEN u.user_id IS NULL THEN split_part(t.requester_id, '-', 1) || '-001' ELSE t.requester_id END AS requester_id),
			a.region,
			CASE WHEN a.region = '${SOURCES.zendeskRegion}' THEN (1000000000000 + t.seq)::VARCHAR ELSE printf('T%07d', t.seq) END AS ticket_id
		FROM g_tickets t JOIN g_accounts a USING (i)
		LEFT JOIN g_users u ON u.user_id = t.requester_id AND u.created_at <= t.created_at`
	];
}
