/**
 * Signing in: an email and a password in, a session out. Failures are counted per email and per client
 * address (`rate-limiter-flexible`, in memory: the server is one process); past the limit further tries are
 * refused until the window has passed. An unknown email, a disabled person and a wrong password get the
 * same message, after the same work (a password is checked against a stand-in hash when there is no
 * person), so the answer does not tell who is a person here.
 */
import { RateLimiterMemory, type RateLimiterRes } from 'rate-limiter-flexible';
import type { Database } from '../db/connection.js';
import { PeopleRepository, type Person } from '../db/repositories/people.repository.js';
import { audit } from './audit.js';
import { hashPassword, MAX_PASSWORD_LENGTH, passwordMatches } from './passwords.js';
import { startSession } from './sessions.js';

/** How many failed sign-ins are allowed per email and per client address within the window. */
export interface SignInLimits {
	perEmail: number;
	perAddress: number;
	windowSeconds: number;
}

/** Five wrong passwords per email, twenty per address, per quarter of an hour. */
export const SIGN_IN_LIMITS: SignInLimits = { perEmail: 5, perAddress: 20, windowSeconds: 15 * 60 };

export const WRONG = 'Email or password is wrong.';

export type SignInResult =
	{ ok: true; person: Person; token: string; expires: Date } | { ok: false; status: 400 | 401 | 429; message: string };

/** A stand-in hash, made once, to check passwords against when the email is no one's. */
let standIn: Promise<string> | null = null;

/** A sign-in function with its own failure counters (the server makes one; tests make their own with short windows). */
export function signInGate(limits: SignInLimits = SIGN_IN_LIMITS) {
	const byEmail = new RateLimiterMemory({ points: limits.perEmail, duration: limits.windowSeconds });
	const byAddress = new RateLimiterMemory({ points: limits.perAddress, duration: limits.windowSeconds });

	/** Minutes until `key` may try again, or 0 when it may now. */
	async function wait(limiter: RateLimiterMemory, points: number, key: string): Promise<number> {
		const r = await limiter.get(key);
		return r && r.consumedPoints >= points ? Math.max(1, Math.ceil(r.msBeforeNext / 60_000)) : 0;
	}

	return async function signIn(
		db: Database,
		emailRaw: string,
		password: string,
		client: { address: string; userAgent: string | null }
	): Promise<SignInResult> {
		const email = emailRaw.trim().toLowerCase();
		if (!email || !password) return { ok: false, status: 400, message: 'Enter your email and password.' };
		const minutes = Math.max(await wait(byEmail, limits.perEmail, email), await wait(byAddress, limits.perAddress, client.address));
		if (minutes > 0)
			return { ok: false, status: 429, message: `Too many failed sign-ins: try again in ${minutes} minute${minutes === 1 ? '' : 's'}.` };

		const people = new PeopleRepository(db.kysely);
		const row = await people.credentials(email);
		const hash = row?.password_hash ?? (await (standIn ??= hashPassword('stand-in for an unknown email')));
		const matches = password.length <= MAX_PASSWORD_LENGTH && (await passwordMatches(hash, password));
		if (!row || !row.active || !matches) {
			const count = (l: RateLimiterMemory, key: string) => l.consume(key).catch((r: RateLimiterRes) => r);
			await Promise.all([count(byEmail, email), count(byAddress, client.address)]);
			return { ok: false, status: 401, message: WRONG };
		}
		await byEmail.delete(email);
		const session = await startSession(db, row.person_id, client);
		const person = (await people.byEmail(email))!;
		await audit(db.kysely, { actor: email, address: client.address }, { action: 'session.start', object: `person:${email}` });
		return { ok: true, person, ...session };
	};
}
