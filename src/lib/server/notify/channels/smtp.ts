/**
 * Email over SMTP with Nodemailer: host, port, TLS and credentials from `notify.email`. A 5xx reply (no such
 * mailbox, relay refused) or an address that is not one is permanent; a 4xx reply (greylisting, a full
 * queue) and a server that cannot be reached are worth retrying. The Message-ID comes from the idempotency
 * key, so a receiving server can tell a repeat.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from '../../config/config.js';
import type { Delivery, OutgoingMessage } from './delivery.js';

type EmailConfig = NonNullable<Config['notify']['email']>;
let cached: { key: string; transport: Transporter } | null = null;

function transport(c: EmailConfig): Transporter {
	const key = JSON.stringify(c);
	if (cached?.key === key) return cached.transport;
	cached?.transport.close();
	const pass = c.password ?? (c.passwordEnv ? process.env[c.passwordEnv] : undefined);
	const t = nodemailer.createTransport({
		host: c.host,
		port: c.port,
		secure: c.secure,
		requireTLS: c.requireTls,
		auth: c.user ? { user: c.user, pass } : undefined,
		connectionTimeout: 10_000,
		greetingTimeout: 10_000,
		socketTimeout: 20_000
	});
	cached = { key, transport: t };
	return t;
}

const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

export async function sendEmail(c: EmailConfig, m: OutgoingMessage): Promise<Delivery> {
	if (!EMAIL.test(m.recipient)) return { ok: false, permanent: true, error: `'${m.recipient}' is not an email address` };
	const html = (JSON.parse(m.payload) as { html?: string }).html;
	try {
		await transport(c).sendMail({
			from: c.from,
			to: m.recipient,
			subject: m.subject,
			text: m.body,
			html,
			messageId: `<${m.idempotency_key.replace(/[^A-Za-z0-9.:_-]/g, '_')}@adoption-analytics>`,
			headers: m.optout ? { 'List-Unsubscribe': `<${m.optout}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } : {}
		});
		return { ok: true };
	} catch (err) {
		const e = err as Error & { responseCode?: number; code?: string };
		const error = `SMTP: ${e.message.split('\n')[0]}`;
		if (e.code === 'EENVELOPE' || (e.responseCode !== undefined && e.responseCode >= 500)) return { ok: false, permanent: true, error };
		return { ok: false, permanent: false, error };
	}
}
