/**
 * Shared by the ingest investigation scripts (experiments.ts, proposal.ts): the loader's SQL for a file as
 * profile-ingest.ts recorded it, and rewrites of it that the bench report proposes.
 */
import fs from 'node:fs';
import path from 'node:path';

export const lit = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** Busy and total CPU ticks (1/100 s) of the whole machine (to tell when other processes competed with a run). */
export function machineTicks(): { busy: number; total: number } {
	const v = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
	const total = v.reduce((a, b) => a + b, 0);
	return { busy: total - v[3] - v[4], total };
}

/** The loader's statements for `file`, from `bench/out/profile-<file name>.json` (run profile-ingest.ts first). */
export function loaderSql(file: string) {
	const format = path.extname(file).slice(1);
	const profile = JSON.parse(fs.readFileSync(path.join('bench/out', `profile-${path.basename(file)}.json`), 'utf8')) as {
		statements: { ms: number; sql: string }[];
	};
	const find = (prefix: string) => profile.statements.find((s) => s.sql.startsWith(prefix))?.sql;
	const insertSql = find('INSERT INTO "events"')!;
	/** The loader's reader call, as it appears in its SQL. */
	const reader = /FROM (read_(?:csv|json|parquet)\(.*?\))(?: WITH ORDINALITY|\) s)/.exec(insertSql)?.[1] ?? '';
	return {
		format,
		describeSql: find('DESCRIBE'),
		dupsSql: find('CREATE OR REPLACE TEMP TABLE __dups')!,
		insertSql,
		reader,
		bareReader: `read_${format === 'jsonl' ? 'json' : format}(${lit(file)})`,
		/** The key as the loader parses it, over the reader's columns. */
		key: `NULLIF(${format === 'parquet' ? 'CAST("event_id" AS VARCHAR)' : '"event_id"'}, '')`
	};
}

/**
 * Pass 1 without `__ord`: the record count and how many 64-bit key hashes occur more than once (0 means no
 * duplicate ids; more calls for the exact, ordered pass the loader runs today). A parallel scan.
 */
export const hashDups = (reader: string, key: string) =>
	`SELECT sum(c)::BIGINT AS total, count(*) FILTER (WHERE c > 1 AND h IS NOT NULL) AS dups FROM (SELECT hash(${key}) AS h, count(*) AS c FROM ${reader} GROUP BY h)`;

/**
 * The loader's timestamp parse (text) with the ICU TIMESTAMPTZ → TIMESTAMP cast replaced by plain arithmetic:
 * the same value for every input (the TIMESTAMPTZ holds UTC microseconds), about twice as fast.
 */
export const fastTs = (sql: string) =>
	sql.replaceAll(
		`TRY_CAST(TRY_CAST(NULLIF(trim(s."timestamp"), '') AS TIMESTAMPTZ) AS TIMESTAMP)`,
		`make_timestamp(epoch_us(TRY_CAST(NULLIF(trim(s."timestamp"), '') AS TIMESTAMPTZ)))`
	);
/** The loader's JSON-object check (text) with one validating parse instead of json_valid + ::JSON + json_type. */
export const fastJson = (sql: string) =>
	sql.replaceAll(
		`CASE WHEN json_valid(NULLIF(trim(s."properties"), '')) AND json_type(NULLIF(trim(s."properties"), '')::JSON) = 'OBJECT' THEN json(NULLIF(trim(s."properties"), '')) END`,
		`CASE WHEN json_type(TRY_CAST(s."properties" AS JSON)) = 'OBJECT' THEN json(s."properties") END`
	);
/** Drops WITH ORDINALITY (which makes the CSV and JSON scans single-threaded); `__ord` becomes 0. */
export const noOrd = (sql: string) => sql.replaceAll(', ordinality AS __ord', ', 0::BIGINT AS __ord').replaceAll(' WITH ORDINALITY', '');
export const noRejects = (sql: string) =>
	sql.replaceAll(`, store_rejects = true, rejects_table = '__csv_rejects', rejects_scan = '__csv_scans'`, '');
/** The account reference check as a LEFT JOIN instead of NOT IN (a subquery): measured slower. */
export const joinRef = (sql: string) =>
	sql
		.replace(`p."account_id" NOT IN (SELECT account_id FROM accounts)`, `__acc IS NULL`)
		.replace(
			/\) s \) p\) WHERE __err IS NULL\)$/,
			`) s LEFT JOIN (SELECT DISTINCT account_id AS __acc FROM accounts) a ON a.__acc = NULLIF(s."account_id", '')) p) WHERE __err IS NULL)`
		);
