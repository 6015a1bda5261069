/**
 * An alert's SLA clock in words, as of a moment the server chose (so the server-rendered page and the
 * hydrated one agree): "due in 1 h 20 min", "breached 3 h ago", "met", "paused until …".
 */
import { formatDateTime } from '../format.js';

/** What the clock needs of an alert (`AlertView`'s fields). */
export interface ClockAlert {
	state: string;
	due_at: string;
	snoozed_until: string | null;
	sla: { status: string; responded_at: string | null };
}

export type ClockTone = 'fail' | 'warn' | 'ok' | 'muted';

/** A span of time in words, to the minute: `45 min`, `1 h 20 min`, `3 d 4 h`. */
export function span(ms: number): string {
	const min = Math.max(0, Math.round(ms / 60_000));
	if (min < 60) return `${min} min`;
	const h = Math.floor(min / 60);
	if (h < 48) return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
	const d = Math.floor(h / 24);
	return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/** The clock of `a` at `now` (ISO): its words and tone. */
export function slaClock(a: ClockAlert, now: string): { text: string; tone: ClockTone } {
	const left = Date.parse(a.due_at) - Date.parse(now);
	switch (a.sla.status) {
		case 'met':
			return { text: 'answered in time', tone: 'ok' };
		case 'cleared':
			return { text: 'cleared before due', tone: 'muted' };
		case 'paused':
			return { text: `paused until ${formatDateTime(a.snoozed_until)}`, tone: 'muted' };
		case 'breached':
			if (a.sla.responded_at) return { text: `answered ${span(Date.parse(a.sla.responded_at) - Date.parse(a.due_at))} late`, tone: 'fail' };
			return { text: a.state === 'resolved' ? 'breached' : `breached ${span(-left)} ago`, tone: 'fail' };
		case 'due_soon':
			return { text: `due in ${span(left)}`, tone: 'warn' };
		default:
			return { text: `due in ${span(left)}`, tone: 'ok' };
	}
}
