/** Quotes an SQL identifier for DuckDB. */
export function ident(name: string): string {
	return `"${name.replaceAll('"', '""')}"`;
}

/** Quotes a string literal for DuckDB. */
export function lit(value: string): string {
	return `'${value.replaceAll("'", "''")}'`;
}
