import type { Kysely } from 'kysely';
import type { Config } from '../../config/config.js';
import type { Schema } from '../../db/schema.js';
import { resolveRange } from '../../metrics/filters.js';

const DAY = 86_400_000;

/** ISO timestamp `days` days before `iso`. */
export function daysBefore(iso: string, days: number): string {
	return new Date(Date.parse(iso) - days * DAY).toISOString();
}

/**
 * The date models look from: `asOf` (a `YYYY-MM-DD` date, at 00:00 UTC) when given, else midnight after the
 * last day with data, so that day's activity is inside every trailing window.
 */
export async function modelAsOf(db: Kysely<Schema>, asOf?: string): Promise<string> {
	if (asOf) {
		const t = Date.parse(`${asOf}T00:00:00Z`);
		if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf) || Number.isNaN(t)) throw new Error(`--as-of: expected a date YYYY-MM-DD, got '${asOf}'`);
		return new Date(t).toISOString();
	}
	const { end_of_data: end } = await resolveRange(db, {});
	if (!end) throw new Error('no data loaded: run `adoption load` first');
	return new Date(Math.floor(Date.parse(end) / DAY) * DAY + DAY).toISOString();
}

/**
 * The backtest's snapshot dates: the test snapshot at as-of − `labelDays` (labelled by churn in the
 * `labelDays` after it, which end at as-of), and `trainingSnapshots` earlier ones, the latest `labelDays`
 * before the test date and the others every `snapshotEveryDays` before that, so every training label is
 * known before the test snapshot's date. (An account appears in several training snapshots, at different
 * ages: more rows, not more independent accounts.)
 */
export function backtestDates(asOf: string, config: Config): { test: string; training: string[] } {
	const { labelDays, trainingSnapshots, snapshotEveryDays } = config.churn;
	const test = daysBefore(asOf, labelDays);
	const training = Array.from({ length: trainingSnapshots }, (_, k) => daysBefore(test, labelDays + snapshotEveryDays * k));
	return { test, training };
}
