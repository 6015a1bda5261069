/**
 * Display formatting shared by the pages. Everything is formatted in UTC with a fixed locale, so the
 * server-rendered HTML and the hydrated page agree whatever the browser's time zone is, and the times
 * match the UTC timestamps the CLI prints.
 */

const integer = new Intl.NumberFormat('en-US');
const day = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric' });
const time = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/** A count with thousands separators (`12,345`); `—` when there is none. */
export function formatCount(n: number | null | undefined): string {
	return n === null || n === undefined ? '—' : integer.format(n);
}

/** An ISO timestamp as a day (`1 Mar 2024`); `—` when there is none. */
export function formatDay(iso: string | null | undefined): string {
	return iso ? day.format(new Date(iso)) : '—';
}

/**
 * An ISO timestamp as day and minute in UTC (`1 Mar 2024, 10:00 UTC`); `—` when there is none.
 * `zone: false` drops the ` UTC` where a heading already says so (a narrow table column).
 */
export function formatDateTime(iso: string | null | undefined, options: { zone?: boolean } = {}): string {
	if (!iso) return '—';
	const d = new Date(iso);
	return `${day.format(d)}, ${time.format(d)}${options.zone === false ? '' : ' UTC'}`;
}

/** Whole days between two ISO timestamps, counting both ends (one day of data is "1 day"). */
export function spanDays(from: string, to: string): number {
	const ms = Date.parse(to.slice(0, 10)) - Date.parse(from.slice(0, 10));
	return Math.round(ms / 86_400_000) + 1;
}

/** `1 row`, `2 rows`: a count and its noun, pluralised. */
export function plural(n: number, noun: string, pluralNoun = `${noun}s`): string {
	return `${formatCount(n)} ${n === 1 ? noun : pluralNoun}`;
}

/**
 * A failed load's message without the file path it starts with: the row already shows the file,
 * and the repeated path pushes the actual reason off screen.
 */
export function loadMessage(file: string, message: string | null): string {
	if (!message) return '';
	return message.startsWith(`${file}: `) ? message.slice(file.length + 2) : message;
}

/** Splits a path into its directory (with the trailing slash) and file name. */
export function splitPath(p: string): { dir: string; name: string } {
	const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
	return { dir: p.slice(0, i + 1), name: p.slice(i + 1) };
}
