import { SURVEY_SCORE_RANGE, type ColumnSpec, type TableSpec } from './contract.js';
import type { Source } from './source.js';
import { ident, lit } from './sql.js';

/** Separates the field from the reason in the `__err` column of a checked relation. */
export const ERR_SEP = 'chr(31)';

const TRUE_WORDS = `('true', 't', 'yes', 'y', '1')`;
const FALSE_WORDS = `('false', 'f', 'no', 'n', '0')`;
const isText = (t: string) => t === 'VARCHAR';

/** SQL parsing one raw value `r` (of DuckDB type `t`) into the column's stored type; NULL when it cannot. */
export function parseExpr(col: ColumnSpec, r: string, t: string): string {
	const blankToNull = isText(t) ? `NULLIF(trim(${r}), '')` : r;
	switch (col.type) {
		case 'id':
			return isText(t) ? `NULLIF(${r}, '')` : `CAST(${r} AS VARCHAR)`;
		case 'text':
			if (col.values) return `lower(${blankToNull}${isText(t) ? '' : '::VARCHAR'})`;
			return isText(t) ? `NULLIF(${r}, '')` : `CAST(${r} AS VARCHAR)`;
		case 'timestamp':
			// Via TIMESTAMPTZ so an offset is honoured (a plain TIMESTAMP cast drops it); the session is UTC,
			// so a value without an offset is UTC.
			// The TIMESTAMPTZ holds UTC microseconds: rebuilding the TIMESTAMP from them skips ICU and is ~2× faster.
			if (isText(t) || t === 'JSON') return `make_timestamp(epoch_us(TRY_CAST(${blankToNull} AS TIMESTAMPTZ)))`;
			if (t.startsWith('TIMESTAMP') || t === 'DATE') return `CAST(${r} AS TIMESTAMP)`;
			return `CAST(NULL AS TIMESTAMP)`;
		case 'date':
			if (isText(t)) return `TRY_CAST(TRY_CAST(${blankToNull} AS TIMESTAMPTZ) AS DATE)`;
			if (t.startsWith('TIMESTAMP') || t === 'DATE') return `CAST(${r} AS DATE)`;
			return `CAST(NULL AS DATE)`;
		case 'integer':
			return `TRY_CAST(${blankToNull} AS INTEGER)`;
		case 'double':
			return `TRY_CAST(${blankToNull} AS DOUBLE)`;
		case 'boolean':
			if (t === 'BOOLEAN') return r;
			if (isText(t))
				return `CASE WHEN lower(trim(${r})) IN ${TRUE_WORDS} THEN true WHEN lower(trim(${r})) IN ${FALSE_WORDS} THEN false END`;
			return `TRY_CAST(${r} AS BOOLEAN)`;
		case 'json':
			// json() minifies, so the same object written with other spacing compares equal on re-load.
			if (t === 'JSON') return `CASE WHEN json_type(${r}) = 'OBJECT' THEN json(${r}) END`;
			// One validating parse (TRY_CAST) rather than json_valid + a cast + json_type.
			if (isText(t)) return `CASE WHEN json_type(TRY_CAST(${blankToNull} AS JSON)) = 'OBJECT' THEN json(${blankToNull}) END`;
			if (t.startsWith('STRUCT') || t.startsWith('MAP')) return `to_json(${r})`;
			return `CAST(NULL AS JSON)`;
		case 'list':
			if (isText(t)) return `list_filter(list_transform(string_split(${r}, ';'), lambda x: trim(x)), lambda x: x <> '')`;
			if (t === 'JSON')
				return `CASE WHEN json_type(${r}) = 'ARRAY' THEN CAST(${r} AS VARCHAR[]) WHEN json_type(${r}) = 'VARCHAR' THEN list_filter(list_transform(string_split(${r} ->> '$', ';'), lambda x: trim(x)), lambda x: x <> '') END`;
			return `TRY_CAST(${r} AS VARCHAR[])`;
	}
}

const TYPE_WORDS: Record<ColumnSpec['type'], string> = {
	id: 'an id',
	text: 'text',
	timestamp: 'a valid ISO 8601 timestamp',
	date: 'a valid date',
	integer: 'an integer',
	double: 'a number',
	boolean: 'a boolean (true/false, yes/no, 1/0)',
	json: 'a JSON object',
	list: 'a list of tags'
};

/** `'value'` of a raw value for a message, cut to 80 characters. */
function shown(r: string): string {
	return `'''' || left(CAST(${r} AS VARCHAR), 80) || ''''`;
}

/** One rule: when it is broken, the row is rejected naming `field` and the reason. */
interface Rule {
	field: string;
	when: string;
	reason: string;
}

/**
 * Builds the checked relation: every supplied column parsed into its stored type (named as in the table),
 * `__ord`, the raw values (`r_<name>`) and `__err`: NULL for a good row, else `field chr(31) reason` of the
 * first rule the row breaks (required value, type, fixed value set, score range, account reference,
 * duplicate id). `dupsTable`, when given, holds `(k, first_ord)` of ids seen more than once in the file.
 */
export function checkedRelation(source: Source, spec: TableSpec, dupsTable?: string): string {
	const parsed: string[] = [];
	const rules: Rule[] = [];
	if (source.malformedReason) {
		const allNull = [...source.columns.keys()].map((n) => `p.${ident('r_' + n)} IS NULL`).join(' AND ');
		rules.push({ field: '', when: allNull, reason: lit(source.malformedReason) });
	}
	for (const col of spec.columns) {
		const t = source.columns.get(col.name);
		if (t === undefined) continue;
		const r = `s.${ident(col.name)}`;
		const p = `p.${ident(col.name)}`;
		const pr = `p.${ident('r_' + col.name)}`;
		parsed.push(`${parseExpr(col, r, t)} AS ${ident(col.name)}`, `${r} AS ${ident('r_' + col.name)}`);
		const present = isText(t) ? `(${pr} IS NOT NULL AND trim(${pr}) <> '')` : `${pr} IS NOT NULL`;
		if (col.required) rules.push({ field: col.name, when: `${p} IS NULL AND NOT ${present}`, reason: `'required: value missing'` });
		if (col.type !== 'id' && col.type !== 'text') {
			rules.push({
				field: col.name,
				when: `${p} IS NULL AND ${present}`,
				reason: `'type: ' || ${shown(pr)} || ' is not ${TYPE_WORDS[col.type]}'`
			});
		}
		if (col.values) {
			const set = col.values.map(lit).join(', ');
			rules.push({
				field: col.name,
				when: `${p} IS NOT NULL AND ${p} NOT IN (${set})`,
				reason: `'value set: ' || ${shown(pr)} || ' is not one of ${col.values.join(', ')}'`
			});
		}
	}
	if (spec.name === 'surveys' && source.columns.has('score')) {
		const bounds = Object.entries(SURVEY_SCORE_RANGE);
		const outside = bounds.map(([k, [lo, hi]]) => `(p.kind = '${k}' AND NOT p.score BETWEEN ${lo} AND ${hi})`).join(' OR ');
		const range = `CASE p.kind ${bounds.map(([k, [lo, hi]]) => `WHEN '${k}' THEN '${lo}–${hi}'`).join(' ')} END`;
		rules.push({
			field: 'score',
			when: outside,
			reason: `'range: score ' || trim(CAST(p.r_score AS VARCHAR)) || ' is outside ' || ${range} || ' for ' || p.kind`
		});
	}
	for (const col of spec.columns) {
		if (col.references && source.columns.has(col.name)) {
			const p = `p.${ident(col.name)}`;
			rules.push({
				field: col.name,
				when: `${p} IS NOT NULL AND ${p} NOT IN (SELECT account_id FROM accounts)`,
				reason: `'reference: unknown account ' || ${shown(p)} || ' (not in accounts)'`
			});
		}
	}
	rules.push(...(source.extraRules ?? []));
	const key = ident(spec.key);
	if (dupsTable) {
		rules.push({
			field: spec.key,
			when: `p.__ord > p.__dup_first`,
			reason: `'duplicate: ${spec.key} ' || ${shown('p.' + key)} || ' appears earlier in this file, at line '`
		});
	}
	const field = (f: string) => (source.fieldPrefix && f ? `coalesce(p.__field_prefix, '') || ${lit(f)}` : lit(f));
	const err = rules.length
		? `CASE ${rules.map((r) => `WHEN ${r.when} THEN ${field(r.field)} || ${ERR_SEP} || ${r.reason}`).join(' ')} END`
		: 'NULL';
	const join = dupsTable ? `LEFT JOIN ${dupsTable} d ON d.k = ${keyExpr(source, spec)}` : '';
	const extra =
		(dupsTable ? ', d.first_ord AS __dup_first' : '') +
		(source.hasRaw ? ', s.__raw' : '') +
		(source.fieldPrefix ? ', s.__field_prefix' : '') +
		(source.passThrough ?? []).map((c) => `, s.${ident(c)}`).join('');
	return `SELECT p.*, ${err} AS __err FROM (SELECT s.__ord, ${parsed.join(', ')}${extra} FROM (${source.relation}) s ${join}) p`;
}

/** SQL (over the checked relation `p`) of a rejected record's raw text. */
export function rawExpr(source: Source): string {
	if (source.hasRaw) return 'p.__raw';
	return `to_json(struct_pack(${[...source.columns.keys()].map((n) => `${ident(n)} := p.${ident('r_' + n)}`).join(', ')}))::VARCHAR`;
}

/** SQL of the key column parsed, over alias `s`, for the duplicate pass. */
export function keyExpr(source: Source, spec: TableSpec): string {
	return parseExpr(
		spec.columns.find((c) => c.name === spec.key)!,
		`s.${ident(spec.key)}`,
		source.columns.get(spec.key)!
	);
}
