import type { DuckDBConnection } from '@duckdb/node-api';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { Database } from '../db/connection.js';
import { runQuery } from '../db/connection.js';
import type { Config } from '../config/config.js';
import { updateFacts, type FactUpdate } from '../derive/incremental.js';
import { startTouches } from '../facts/touched.js';
import { LOAD_ORDER, tableSpec, type TableName, type TableSpec } from './contract.js';
import { detect, FileError, type Detected, type Format } from './detect.js';
import { ingestSource, type IngestCounts } from './ingest.js';
import { duckMessage, openCsv, openJsonl, openParquet, type Source } from './source.js';
import { openSegment } from './formats/segment.js';
import { openZendesk } from './formats/zendesk.js';

/** One rejected record as the CLI reports it. */
export interface Reject {
	line: number | null;
	field: string | null;
	reason: string;
}

/** The outcome of loading one file (the CLI's `files[]` entry). */
export interface FileResult {
	file: string;
	table: string | null;
	format: Format | null;
	accepted: number;
	updated: number;
	skipped: number;
	rejected: number;
	rejects: Reject[];
	/** Rows the file yielded in other tables, e.g. `{ surveys: { accepted: 3, … } }`. */
	derived: Record<string, IngestCounts>;
	/** Contract-less columns of the file, left out of the tables. */
	ignored_columns: string[];
	load_id: number;
	ok: boolean;
	/** Why the file could not be loaded, when `ok` is false. */
	error?: string;
	/** The fact tables the load brought up to date in its own transaction (see `derive/incremental.ts`). */
	facts: FactUpdate[];
}

/** Where a load is, for progress display. */
export interface LoadProgress {
	file: string;
	index: number;
	files: number;
	/** DuckDB's estimate for the running statement, 0–100, or -1 when unknown. */
	percent: number;
}

/** Options of {@link loadFiles}. */
export interface LoadOptions {
	table?: string;
	format?: Format;
	onProgress?: (p: LoadProgress) => void;
	/** Most rejects listed per file in the result (all are kept in `rejected_rows`). */
	maxRejectsListed?: number;
	/** The config the fact tables are built from: with it, each load updates the fresh ones for what it touched. */
	config?: Config;
	/** The live source the files came from (`loads.source_id`). */
	sourceId?: number;
	/**
	 * Work that must commit with a file's rows or not at all (a sync's cursor, the spool's mark), run in the
	 * load's transaction once its rows are in.
	 */
	beforeCommit?: (conn: DuckDBConnection, result: FileResult) => Promise<void>;
}

/** What a format's opener hands to the shared validate-and-merge path. */
export interface Opened {
	source: Source;
	spec: TableSpec;
	/** Rows the file already wrote to other tables (Segment identify/group, Zendesk ratings). */
	derived?: Record<string, IngestCounts>;
}

/** Opens a file of a detected format in the current transaction. */
async function open(conn: DuckDBConnection, file: string, d: Detected, loadId: number): Promise<Opened> {
	switch (d.format) {
		case 'csv':
			return { source: await openCsv(conn, file, tableSpec(d.table as TableName)), spec: tableSpec(d.table as TableName) };
		case 'jsonl':
			return { source: await openJsonl(conn, file, tableSpec(d.table as TableName)), spec: tableSpec(d.table as TableName) };
		case 'parquet':
			return { source: await openParquet(conn, file, tableSpec(d.table as TableName)), spec: tableSpec(d.table as TableName) };
		case 'segment':
			return openSegment(conn, file, loadId);
		case 'zendesk':
			return openZendesk(conn, file, d.zendesk!, loadId);
	}
}

function sha256(file: string): Promise<string> {
	return new Promise((resolve, reject) => {
		const hash = createHash('sha256');
		fs.createReadStream(file, { highWaterMark: 1 << 20 })
			.on('data', (chunk) => hash.update(chunk))
			.on('error', reject)
			.on('end', () => resolve(hash.digest('hex')));
	});
}

/** Sorts files so referenced tables load first (see `LOAD_ORDER`); unknown ones keep their place at the end. */
function order<T extends { file: string; detected?: Detected }>(files: T[]) {
	const rank = (d?: Detected) => (d ? LOAD_ORDER.indexOf(d.table) : LOAD_ORDER.length);
	return files.map((f, i) => ({ ...f, i })).sort((a, b) => rank(a.detected) - rank(b.detected) || a.i - b.i);
}

/**
 * Loads files into their tables, in dependency order, each in one transaction: a file that fails
 * (unreadable, wrong format, missing required columns, empty, or an error midway) changes nothing
 * but a `failed` row in `loads`; a file with bad records loads its good ones and records the bad ones
 * in `rejected_rows` with file, line, field and reason.
 */
export async function loadFiles(db: Database, paths: string[], options: LoadOptions = {}): Promise<FileResult[]> {
	const planned = paths.map((file) => {
		try {
			return { file, detected: detect(file, { format: options.format, table: options.table }) };
		} catch (err) {
			return { file, error: err as Error };
		}
	});
	const results: FileResult[] = [];
	const sorted = order(planned);
	for (const [index, p] of sorted.entries()) {
		results.push(await loadOne(db, p.file, p.detected, p.error, { ...options, index, files: sorted.length }));
	}
	return results;
}

async function loadOne(
	db: Database,
	file: string,
	detected: Detected | undefined,
	detectError: Error | undefined,
	options: LoadOptions & { index: number; files: number }
): Promise<FileResult> {
	const startedAt = new Date().toISOString();
	const result: FileResult = {
		file,
		table: detected?.table ?? null,
		format: detected?.format ?? null,
		accepted: 0,
		updated: 0,
		skipped: 0,
		rejected: 0,
		rejects: [],
		derived: {},
		ignored_columns: [],
		load_id: 0,
		ok: false,
		facts: []
	};
	const conn = await db.connect();
	const [{ id }] = await runQuery<{ id: number }>(conn, `SELECT nextval('load_id_seq') AS id`);
	result.load_id = id;
	if (options.onProgress) {
		// DuckDB tracks a query's progress only with its progress bar on; ours draws it, so DuckDB must not print.
		await conn.run('SET enable_progress_bar = true');
		await conn.run('SET enable_progress_bar_print = false');
	}
	const timer = options.onProgress ? setInterval(() => report(conn, file, options), 200) : undefined;
	try {
		if (detectError) throw detectError;
		const hash = sha256(file);
		await conn.run('BEGIN TRANSACTION');
		try {
			await startTouches(conn);
			const opened = await open(conn, file, detected!, id);
			const counts = await ingestSource(conn, opened.source, opened.spec, { loadId: id, file });
			Object.assign(result, counts, { derived: opened.derived ?? {}, ignored_columns: opened.source.ignored });
			// Before this load's row: the fact tables fresh up to the previous load are the ones kept current.
			if (options.config) result.facts = await updateFacts(conn, db.kysely, options.config, id);
			await conn.run(
				`INSERT INTO loads (load_id, file, sha256, table_name, format, accepted, updated, skipped, rejected, started_at, finished_at, outcome, derived, source_id)
				 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::TIMESTAMPTZ, now(), 'ok', $11, $12)`,
				[
					id,
					file,
					await hash,
					detected!.table,
					detected!.format,
					counts.accepted,
					counts.updated,
					counts.skipped,
					counts.rejected,
					startedAt,
					JSON.stringify(result.derived),
					options.sourceId ?? null
				]
			);
			await options.beforeCommit?.(conn, result);
			await conn.run('COMMIT');
		} catch (err) {
			await conn.run('ROLLBACK');
			throw err;
		}
		result.ok = true;
		// Rows rejected from derived tables (a Segment group call, a Zendesk rating) are listed too.
		if (result.rejected > 0 || Object.values(result.derived).some((d) => d.rejected > 0)) {
			result.rejects = await runQuery<Reject>(
				conn,
				`SELECT line, field, reason FROM rejected_rows WHERE load_id = $1 ORDER BY line NULLS LAST LIMIT ${options.maxRejectsListed ?? 1000}`,
				[id]
			);
		}
	} catch (err) {
		const message = err instanceof FileError ? err.message : `${file}: ${duckMessage(err)}`;
		result.error = message;
		await conn.run(
			`INSERT INTO loads (load_id, file, table_name, format, started_at, finished_at, outcome, message, source_id)
			 VALUES ($1, $2, $3, $4, $5::TIMESTAMPTZ, now(), 'failed', $6, $7)`,
			[id, file, result.table, result.format, startedAt, message, options.sourceId ?? null]
		);
	} finally {
		if (timer) clearInterval(timer);
		conn.closeSync();
	}
	options.onProgress?.({ file, index: options.index, files: options.files, percent: 100 });
	return result;
}

function report(conn: DuckDBConnection, file: string, options: LoadOptions & { index: number; files: number }) {
	const percent = conn.progress.percentage;
	options.onProgress?.({ file, index: options.index, files: options.files, percent });
}
