import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/lib/server/config/config.js';
import { addBusinessHours, businessHoursBetween, calendarFor, tightening } from '../../src/lib/server/alerts/sla.js';

/** PRODUCT.md's example: Berlin, a lunch break on Mondays, Christmas Day off. */
const config = parseConfig({
	sla: {
		calendars: {
			berlin: {
				timeZone: 'Europe/Berlin',
				hours: {
					mon: [
						['09:00', '12:30'],
						['13:30', '17:00']
					],
					tue: [['09:00', '17:00']],
					wed: [['09:00', '17:00']],
					thu: [['09:00', '17:00']],
					fri: [['09:00', '17:00']]
				},
				holidays: ['2026-12-25']
			},
			night: { timeZone: 'Europe/Berlin', hours: { sun: [['01:00', '05:00']] } },
			ny: { timeZone: 'America/New_York', hours: { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']] } }
		},
		defaultCalendar: 'berlin',
		csmCalendars: { 'Tom Baker': 'ny', 'eli@example.com': 'night' }
	}
});
const berlin = config.sla.calendars.berlin;
const ms = (iso: string) => Date.parse(iso);
const iso = (n: number) => new Date(n).toISOString();

describe('business-hour due times', () => {
	it('skips the lunch break', () => {
		// Mon 30 Nov 12:00 Berlin (11:00 UTC) + 2 h: 12:00–12:30, then 13:30–15:00.
		expect(iso(addBusinessHours(ms('2026-11-30T11:00:00Z'), 2, berlin))).toBe('2026-11-30T14:00:00.000Z');
	});
	it('carries over a weekend', () => {
		// Fri 27 Nov 16:00 Berlin + 2 h: 1 h on Friday, 1 h from Monday 09:00.
		expect(iso(addBusinessHours(ms('2026-11-27T15:00:00Z'), 2, berlin))).toBe('2026-11-30T09:00:00.000Z');
	});
	it('skips a holiday', () => {
		// Thu 24 Dec 16:00 + 2 h: 1 h on Thursday; Friday 25 is a holiday; Monday 28 09:00–10:00.
		expect(iso(addBusinessHours(ms('2026-12-24T15:00:00Z'), 2, berlin))).toBe('2026-12-28T09:00:00.000Z');
	});
	it('starts counting at the next window when created outside working time', () => {
		// Saturday 28 Nov, 1 h: Monday 10:00 Berlin.
		expect(iso(addBusinessHours(ms('2026-11-28T12:00:00Z'), 1, berlin))).toBe('2026-11-30T09:00:00.000Z');
	});
	it('follows the zone across a DST change (no fixed offset)', () => {
		// Fri 23 Oct 16:00 CEST (14:00 UTC) + 2 h: Monday 26 Oct 10:00 is CET, 09:00 UTC (a fixed +02:00 would say 08:00).
		expect(iso(addBusinessHours(ms('2026-10-23T14:00:00Z'), 2, berlin))).toBe('2026-10-26T09:00:00.000Z');
		// New York changes a week later: Mon 2 Nov 09:00 EST is 14:00 UTC; the Monday before, 09:00 EDT is 13:00 UTC.
		const ny = config.sla.calendars.ny;
		expect(iso(addBusinessHours(ms('2026-10-26T12:00:00Z'), 1, ny))).toBe('2026-10-26T14:00:00.000Z');
		expect(iso(addBusinessHours(ms('2026-11-02T12:00:00Z'), 1, ny))).toBe('2026-11-02T15:00:00.000Z');
	});
	it('counts a window across the skipped hour as the hours that pass', () => {
		// Sunday 29 Mar 2026, 01:00–05:00 Berlin: clocks jump 02:00 → 03:00, so 3 real hours.
		const night = config.sla.calendars.night;
		expect(businessHoursBetween(ms('2026-03-28T00:00:00Z'), ms('2026-03-30T00:00:00Z'), night)).toBe(3);
		// Sunday 25 Oct 2026, clocks go back 03:00 → 02:00: 5 real hours.
		expect(businessHoursBetween(ms('2026-10-24T00:00:00Z'), ms('2026-10-26T00:00:00Z'), night)).toBe(5);
	});
	it('is due at creation when the response time is 0', () => {
		expect(addBusinessHours(ms('2026-11-28T12:00:00Z'), 0, berlin)).toBe(ms('2026-11-28T12:00:00Z'));
	});
	it('does not count snoozed time', () => {
		// Mon 10:00 Berlin + 2 h with a snooze 10:30–11:30: 10:00–10:30, 11:30–12:30, 13:30–14:00.
		const pause: [number, number] = [ms('2026-11-30T09:30:00Z'), ms('2026-11-30T10:30:00Z')];
		expect(iso(addBusinessHours(ms('2026-11-30T09:00:00Z'), 2, berlin, [pause]))).toBe('2026-11-30T13:00:00.000Z');
		expect(businessHoursBetween(ms('2026-11-30T09:00:00Z'), ms('2026-11-30T13:00:00Z'), berlin, [pause])).toBe(2);
	});
	it('is the inverse of counting business hours', () => {
		for (const start of ['2026-11-27T15:00:00Z', '2026-12-24T15:00:00Z', '2026-10-23T14:00:00Z']) {
			for (const h of [0.25, 1, 7.5, 20, 60]) {
				const due = addBusinessHours(ms(start), h, berlin);
				expect(businessHoursBetween(ms(start), due, berlin)).toBeCloseTo(h, 9);
			}
		}
	});
});

describe('which calendar and how much tighter', () => {
	it('maps a CSM by accounts.csm value, then by email, else the default', () => {
		expect(calendarFor(config.sla, 'Tom Baker').name).toBe('ny');
		expect(calendarFor(config.sla, 'Eli', 'eli@example.com').name).toBe('night');
		expect(calendarFor(config.sla, 'Someone').name).toBe('berlin');
		expect(calendarFor(config.sla, null).name).toBe('berlin');
	});
	it('tightens by health and by renewal, each by its factor', () => {
		const t = config.sla.tighten;
		expect(tightening(80, 200, t)).toEqual({ factor: 1, reasons: [] });
		expect(tightening(30, 200, t).factor).toBe(0.5);
		expect(tightening(80, 45, t)).toEqual({ factor: 0.5, reasons: ['renewal in 45 days (within 60)'] });
		expect(tightening(30, 0, t).factor).toBe(0.25);
		expect(tightening(null, -3, t).factor).toBe(1);
		expect(tightening(40, 61, t).factor).toBe(1);
	});
});
