/**
 * SLA clocks in business hours: when an alert is due, given when it was created, the rule's response time,
 * the calendar of the CSM who answers it (time zone, working windows per weekday, holidays), how much the
 * account's state tightens it, and the time it spent snoozed (which does not count). Local times are turned
 * into instants by Luxon in the calendar's zone, so a window "09:00–17:00" is 8 hours on the days clocks
 * change too, and a window in a skipped hour starts when the clock does.
 */
import { DateTime } from 'luxon';
import type { Config } from '../config/config.js';

export type Calendar = Config['sla']['calendars'][string];
type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
const WEEKDAYS: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** An interval of instants in epoch milliseconds, start included, end excluded. */
export type Span = [number, number];

const HOUR = 3_600_000;
/** How far ahead a clock may run: a calendar with a few hours a year still ends; a broken one fails loudly. */
const MAX_DAYS = 3 * 366;

/** An instant of the local day `day` at `hhmm` ("24:00" is the next midnight) in the day's zone. */
function at(day: DateTime, hhmm: string): number {
	const [h, m] = hhmm.split(':').map(Number);
	if (h === 24) return day.plus({ days: 1 }).startOf('day').toMillis();
	return day.set({ hour: h, minute: m, second: 0, millisecond: 0 }).toMillis();
}

/** The working spans of the calendar from the local day containing `fromMs` on, day by day, in order. */
function* workingSpans(cal: Calendar, fromMs: number): Generator<Span> {
	const holidays = new Set(cal.holidays);
	let day = DateTime.fromMillis(fromMs, { zone: cal.timeZone }).startOf('day');
	for (let i = 0; i < MAX_DAYS; i++, day = day.plus({ days: 1 })) {
		if (holidays.has(day.toISODate()!)) continue;
		for (const [from, to] of cal.hours[WEEKDAYS[day.weekday - 1]] ?? []) {
			const span: Span = [at(day, from), at(day, to)];
			if (span[1] > span[0]) yield span;
		}
	}
	throw new Error(`calendar in ${cal.timeZone} has no working time within ${MAX_DAYS} days`);
}

/** `span` minus the `pauses` (sorted or not), as the pieces left in order. */
function minus(span: Span, pauses: readonly Span[]): Span[] {
	let pieces: Span[] = [span];
	for (const [ps, pe] of pauses) {
		pieces = pieces.flatMap(([s, e]): Span[] => {
			if (pe <= s || ps >= e) return [[s, e]];
			const out: Span[] = [];
			if (ps > s) out.push([s, ps]);
			if (pe < e) out.push([pe, e]);
			return out;
		});
	}
	return pieces;
}

/**
 * The instant `hours` business hours after `startMs` in `cal`, not counting time inside `pauses`
 * (snoozes). 0 hours is `startMs` itself: due at creation.
 */
export function addBusinessHours(startMs: number, hours: number, cal: Calendar, pauses: readonly Span[] = []): number {
	let left = hours * HOUR;
	if (left <= 0) return startMs;
	for (const [ws, we] of workingSpans(cal, startMs)) {
		if (we <= startMs) continue;
		for (const [s, e] of minus([Math.max(ws, startMs), we], pauses)) {
			if (e - s >= left) return s + left;
			left -= e - s;
		}
	}
	throw new Error('unreachable');
}

/** `t` itself when it falls in working time of `cal`, else the start of the next working window. */
export function nextWorkingTime(t: number, cal: Calendar): number {
	for (const [ws, we] of workingSpans(cal, t)) if (we > t) return Math.max(ws, t);
	throw new Error('unreachable');
}

/** Business hours of `cal` between two instants, not counting `pauses` (0 when `toMs` is not after `fromMs`). */
export function businessHoursBetween(fromMs: number, toMs: number, cal: Calendar, pauses: readonly Span[] = []): number {
	let ms = 0;
	if (toMs <= fromMs) return 0;
	for (const [ws, we] of workingSpans(cal, fromMs)) {
		if (ws >= toMs) break;
		for (const [s, e] of minus([Math.max(ws, fromMs), Math.min(we, toMs)], pauses)) if (e > s) ms += e - s;
	}
	return ms / HOUR;
}

/** The calendar a CSM's clocks run on: theirs by `accounts.csm` value, else by their email, else the default. */
export function calendarFor(sla: Config['sla'], csm: string | null, email: string | null = null): { name: string; calendar: Calendar } {
	const name = (csm !== null && sla.csmCalendars[csm]) || (email !== null && sla.csmCalendars[email]) || sla.defaultCalendar;
	return { name, calendar: sla.calendars[name] };
}

/** How much an account's state shortens its response time, and why (in words, for the alert's page). */
export interface Tightening {
	/** Multiplies the rule's response time: 1 for none, the config's factors multiplied for each cause. */
	factor: number;
	reasons: string[];
}

/**
 * The tightening for an account with `health` (0–100, null unknown) whose renewal is `daysToRenewal` days
 * away (null: no renewal date; negative: passed, which does not tighten).
 */
export function tightening(health: number | null, daysToRenewal: number | null, t: Config['sla']['tighten']): Tightening {
	let factor = 1;
	const reasons: string[] = [];
	if (health !== null && health < t.healthBelow) {
		factor *= t.healthFactor;
		reasons.push(`health ${Math.round(health)} is below ${t.healthBelow}`);
	}
	if (daysToRenewal !== null && daysToRenewal >= 0 && daysToRenewal <= t.renewalWithinDays) {
		factor *= t.renewalFactor;
		reasons.push(`renewal in ${daysToRenewal} days (within ${t.renewalWithinDays})`);
	}
	return { factor, reasons };
}
