/**
 * The words of a notification: personalised to whoever gets it (their name, the account, the evidence in
 * words, the next step, when it is due in their own time zone) and linking to the alert, as plain text,
 * Slack blocks and a small HTML email. Pure: the same alert, event and recipient make the same message.
 */
import { DateTime } from 'luxon';

export type NoticeEvent = 'opened' | 'due_soon' | 'breached';

/** What a message says about its alert. */
export interface MessageAlert {
	alert_id: number;
	rule: string;
	rule_label: string;
	severity: string;
	account_id: string | null;
	topic: string | null;
	account: { name: string | null; csm: string | null; plan: string | null; arr: number | null } | null;
	summary: string;
	next_step: { text: string; url: string | null } | null;
	due_at: string;
}

export interface Composed {
	subject: string;
	text: string;
	/** Slack's incoming-webhook body: `text` (the notification line) and `blocks`. */
	slack: { text: string; blocks: unknown[] };
	html: string;
}

const money = (n: number) => `$${Math.round(n).toLocaleString('en-US')}`;
const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
/** Slack's mrkdwn needs only these escaped. */
const mrk = (s: string) => s.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!);

function subjectOf(a: MessageAlert): string {
	if (!a.account) return `topic ${a.topic}`;
	return a.account.name ? `${a.account.name} (${a.account_id})` : a.account_id!;
}

/** "Wed 2 Dec, 10:00 CET" in the recipient's zone. */
function when(iso: string, zone: string): string {
	return DateTime.fromISO(iso, { zone }).toFormat('ccc d LLL, HH:mm ZZZZ');
}

/**
 * The message about `a` for `event`, to `name` (null: a channel) in time zone `zone`, linking to `link`;
 * `optout` is the one-click link that stops this kind of message to this recipient.
 */
export function compose(
	a: MessageAlert,
	event: NoticeEvent,
	to: { name: string | null; zone: string },
	link: string,
	optout: string
): Composed {
	const who = subjectOf(a);
	const lead = {
		opened: `${a.rule_label}: ${who}`,
		due_soon: `Due soon: ${a.rule_label}, ${who}`,
		breached: `SLA breached: ${a.rule_label}, ${who}`
	}[event];
	const subject = `[${a.severity.toUpperCase()}] ${lead}`;
	const facts = a.account
		? [
				a.account.plan ? `plan ${a.account.plan}` : null,
				a.account.arr !== null ? `ARR ${money(a.account.arr)}` : null,
				a.account.csm ? `CSM ${a.account.csm}` : null
			].filter((x): x is string => x !== null)
		: [];
	const due =
		event === 'breached'
			? `It was due ${when(a.due_at, to.zone)} and nobody has answered it yet.`
			: `Answer by ${when(a.due_at, to.zone)}.`;
	const step = a.next_step ? `Next step: ${a.next_step.text}${a.next_step.url ? ` (${a.next_step.url})` : ''}` : null;
	const hello = to.name ? `Hi ${to.name.split(' ')[0]},` : null;
	const text = [
		hello,
		`${lead}${facts.length ? ` (${facts.join(', ')})` : ''}.`,
		a.summary,
		step,
		due,
		`Open the alert: ${link}`,
		'',
		`Stop these messages: ${optout}`
	]
		.filter((x): x is string => x !== null && x !== undefined)
		.join('\n');
	const blocks: unknown[] = [
		{
			type: 'section',
			text: { type: 'mrkdwn', text: `*${mrk(lead)}*${facts.length ? `\n${mrk(facts.join(' · '))}` : ''}\n${mrk(a.summary)}` }
		},
		...(step ? [{ type: 'section', text: { type: 'mrkdwn', text: mrk(step) } }] : []),
		{ type: 'context', elements: [{ type: 'mrkdwn', text: `${mrk(due)} · <${optout}|Mute ${mrk(a.rule_label)} here>` }] },
		{ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open the alert' }, url: link }] }
	];
	const html = `<!doctype html><html><body style="font-family: sans-serif; line-height: 1.5">
${hello ? `<p>${esc(hello)}</p>` : ''}<p><strong>${esc(lead)}</strong>${facts.length ? ` (${esc(facts.join(', '))})` : ''}</p>
<p>${esc(a.summary)}</p>
${step ? `<p>${a.next_step!.url ? `Next step: <a href="${esc(a.next_step!.url)}">${esc(a.next_step!.text)}</a>` : esc(step)}</p>` : ''}
<p>${esc(due)}</p><p><a href="${esc(link)}">Open the alert</a></p>
<p style="color: #666; font-size: 12px"><a href="${esc(optout)}">Stop ${esc(a.rule_label)} messages</a></p>
</body></html>`;
	return { subject, text, slack: { text: `${subject}: ${a.summary}`, blocks }, html };
}

/** A digest of the messages a frequency cap held back. */
export function composeDigest(items: { subject: string; link: string }[], to: { name: string | null }, optout: string): Composed {
	const subject = `${items.length} alert message${items.length === 1 ? '' : 's'} held back today`;
	const lines = items.slice(0, 50).map((i) => `- ${i.subject}: ${i.link}`);
	const more = items.length > 50 ? [`… and ${items.length - 50} more on the Alerts page.`] : [];
	const hello = to.name ? `Hi ${to.name.split(' ')[0]},` : null;
	const intro = 'These were held back so you are not flooded (the frequency cap); each is still open on the Alerts page:';
	const text = [hello, intro, ...lines, ...more, '', `Stop these messages: ${optout}`].filter((x): x is string => x !== null).join('\n');
	return {
		subject,
		text,
		slack: {
			text: subject,
			blocks: [{ type: 'section', text: { type: 'mrkdwn', text: mrk([`*${subject}*`, ...lines, ...more].join('\n')) } }]
		},
		html: `<!doctype html><html><body style="font-family: sans-serif">${hello ? `<p>${esc(hello)}</p>` : ''}<p>${esc(intro)}</p><ul>${items
			.slice(0, 50)
			.map((i) => `<li><a href="${esc(i.link)}">${esc(i.subject)}</a></li>`)
			.join(
				''
			)}</ul>${more.length ? `<p>${esc(more[0])}</p>` : ''}<p style="color:#666;font-size:12px"><a href="${esc(optout)}">Stop these messages</a></p></body></html>`
	};
}

/**
 * A nudge to the customer: only the step and its link, in plain words; nothing of the alert's internals
 * (risk, ARR, who their CSM is, the rule).
 */
export function composeNudge(
	account: string | null,
	step: { text: string; url: string },
	to: { name: string | null },
	optout: string
): Composed {
	const subject = `A next step${account ? ` for ${account}` : ''}: ${step.text}`;
	const hello = to.name ? `Hi ${to.name.split(' ')[0]},` : 'Hi,';
	const line = 'Teams like yours get the most out of the product once this is done:';
	const text = [hello, line, `${step.text}: ${step.url}`, '', `Stop these emails: ${optout}`].join('\n');
	return {
		subject,
		text,
		slack: { text: subject, blocks: [] },
		html: `<!doctype html><html><body style="font-family: sans-serif; line-height: 1.5"><p>${esc(hello)}</p><p>${esc(line)}</p>
<p><a href="${esc(step.url)}">${esc(step.text)}</a></p>
<p style="color: #666; font-size: 12px"><a href="${esc(optout)}">Stop these emails</a></p></body></html>`
	};
}
