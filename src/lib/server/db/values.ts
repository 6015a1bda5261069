import {
	DuckDBDateValue,
	DuckDBDecimalValue,
	DuckDBListValue,
	DuckDBStructValue,
	DuckDBTimestampTZValue,
	DuckDBTimestampValue,
	type DuckDBValue
} from '@duckdb/node-api';

/**
 * How every DuckDB value comes back to JavaScript, decided once for the whole app:
 * BIGINT/HUGEINT and DECIMAL → number, TIMESTAMP → ISO 8601 string in UTC (`…Z`),
 * DATE → `YYYY-MM-DD`, LIST → array, STRUCT → object. Callers never convert.
 */
export function toJs(value: DuckDBValue): unknown {
	if (value === null || value === undefined) return null;
	if (typeof value === 'bigint') return Number(value);
	if (value instanceof DuckDBTimestampValue || value instanceof DuckDBTimestampTZValue) {
		return new Date(Number(value.micros / 1000n)).toISOString();
	}
	if (value instanceof DuckDBDateValue) return value.toString();
	if (value instanceof DuckDBDecimalValue) return value.toDouble();
	if (value instanceof DuckDBListValue) return value.items.map(toJs);
	if (value instanceof DuckDBStructValue) {
		return Object.fromEntries(Object.entries(value.entries).map(([k, v]) => [k, toJs(v)]));
	}
	return typeof value === 'object' ? String(value) : value;
}

/** Converts one row object from `getRowObjects()` with {@link toJs}. */
export function rowToJs(row: Record<string, DuckDBValue>): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const key in row) out[key] = toJs(row[key]);
	return out;
}
