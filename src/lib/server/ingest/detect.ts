import fs from 'node:fs';
import path from 'node:path';
import { isTableName, type TableName } from './contract.js';

/** The input formats `adoption load` reads. */
export const FORMATS = ['csv', 'jsonl', 'parquet', 'segment', 'zendesk'] as const;
export type Format = (typeof FORMATS)[number];

/** Which Zendesk export a file is. */
export type ZendeskKind = 'tickets' | 'ticket_metrics' | 'users' | 'organizations';

/** What a file was found to be. */
export interface Detected {
	format: Format;
	/** The table it loads into (`ticket_metrics` fills columns of `tickets`). */
	table: TableName | 'ticket_metrics';
	zendesk?: ZendeskKind;
}

/** A problem that makes a whole file unreadable: reported as one line, nothing loaded. */
export class FileError extends Error {}

const SAMPLE_BYTES = 64 * 1024;
const SEGMENT_TYPES = new Set(['track', 'page', 'identify', 'group', 'screen', 'alias']);

/** The first bytes of a file, for sniffing. */
function sample(file: string): Buffer {
	const fd = fs.openSync(file, 'r');
	try {
		const buf = Buffer.alloc(SAMPLE_BYTES);
		const n = fs.readSync(fd, buf, 0, SAMPLE_BYTES, 0);
		return buf.subarray(0, n);
	} finally {
		fs.closeSync(fd);
	}
}

/** The table a file name names: `events.csv`, `events-2024.parquet`, `kb_searches_jan.jsonl`. */
export function tableFromFileName(file: string): TableName | undefined {
	const base = path
		.basename(file)
		.toLowerCase()
		.replace(/\.(csv|tsv|jsonl|ndjson|json|parquet)(\.gz)?$/, '');
	if (isTableName(base)) return base;
	const names = [
		'kb_articles',
		'kb_searches',
		'zendesk_users',
		'zendesk_organizations',
		'accounts',
		'users',
		'events',
		'tickets',
		'surveys',
		'releases',
		'truth'
	];
	return names.find((n) => base.startsWith(n + '-') || base.startsWith(n + '_') || base.startsWith(n + '.')) as TableName | undefined;
}

/** The first JSON value of a sample: the first line when it parses alone, else the opening of a document. */
function firstJsonObject(text: string): Record<string, unknown> | undefined {
	const firstLine = text.split('\n', 1)[0].trim();
	try {
		const v = JSON.parse(firstLine);
		return v && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
	} catch {
		return undefined;
	}
}

/** Which Zendesk export a document is, from its wrapper key or the shape of one ticket per line. */
function zendeskKind(text: string, first: Record<string, unknown> | undefined): ZendeskKind | undefined {
	const head = text.slice(0, 4096);
	if (/^\s*\{\s*"ticket_metrics"\s*:/.test(head) || /"ticket_metrics"\s*:\s*\[/.test(head)) return 'ticket_metrics';
	if (/"tickets"\s*:\s*\[/.test(head)) return 'tickets';
	if (/"organizations"\s*:\s*\[/.test(head)) return 'organizations';
	if (/"users"\s*:\s*\[/.test(head)) return 'users';
	if (first && 'via' in first && 'requester_id' in first) return 'tickets';
	if (first && 'ticket_id' in first && ('reply_time_in_minutes' in first || 'reopens' in first)) return 'ticket_metrics';
	return undefined;
}

function isSegment(text: string, first: Record<string, unknown> | undefined): boolean {
	if (first) {
		if (Array.isArray(first.batch)) return true;
		return (
			typeof first.type === 'string' &&
			SEGMENT_TYPES.has(first.type) &&
			('messageId' in first || 'anonymousId' in first || 'userId' in first)
		);
	}
	return /^\s*\{\s*"batch"\s*:\s*\[/.test(text.slice(0, 4096));
}

/**
 * Detects a file's format from its content (Parquet magic bytes, JSON shape, Segment and Zendesk markers),
 * falling back to CSV for text; `format` forces one. The table comes from `table`, else the content
 * (Zendesk, Segment), else the file name.
 */
export function detect(file: string, options: { format?: Format; table?: string } = {}): Detected {
	let stat: fs.Stats;
	try {
		stat = fs.statSync(file);
	} catch {
		throw new FileError(`${file}: no such file`);
	}
	if (stat.isDirectory()) throw new FileError(`${file}: is a directory, not a file`);
	if (stat.size === 0) throw new FileError(`${file}: the file is empty`);
	const buf = sample(file);
	const isParquet = buf.subarray(0, 4).toString('latin1') === 'PAR1';
	const isBinary = !isParquet && buf.includes(0);
	const text = isParquet || isBinary ? '' : buf.toString('utf8').replace(/^\uFEFF/, '');
	const trimmed = text.trimStart();
	const looksJson = trimmed.startsWith('{') || trimmed.startsWith('[');
	const first = looksJson ? firstJsonObject(trimmed) : undefined;

	let format = options.format;
	if (!format) {
		if (isParquet) format = 'parquet';
		else if (isBinary) throw new FileError(`${file}: not a CSV, JSON Lines or Parquet file (binary content)`);
		else if (looksJson) format = isSegment(trimmed, first) ? 'segment' : zendeskKind(trimmed, first) ? 'zendesk' : 'jsonl';
		else format = 'csv';
	} else if (isBinary && format !== 'parquet') {
		throw new FileError(`${file}: not a ${format} file (binary content)`);
	} else if (format === 'parquet' && !isParquet) {
		throw new FileError(`${file}: not a Parquet file (no PAR1 magic bytes)`);
	}

	if (format === 'zendesk') {
		const kind = zendeskKind(trimmed, first);
		if (!kind) throw new FileError(`${file}: not a Zendesk export (no tickets, ticket_metrics, users or organizations)`);
		const table = (
			{ tickets: 'tickets', ticket_metrics: 'ticket_metrics', users: 'zendesk_users', organizations: 'zendesk_organizations' } as const
		)[kind];
		return { format, table, zendesk: kind };
	}
	if (format === 'segment') return { format, table: 'events' };

	const table = options.table ?? tableFromFileName(file);
	if (!table) {
		throw new FileError(
			`${file}: cannot tell which table this file is for; name it after a table (accounts.csv, events.parquet, …) or pass --table`
		);
	}
	if (!isTableName(table)) throw new FileError(`${file}: unknown table '${table}'`);
	return { format, table };
}
