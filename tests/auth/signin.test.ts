/**
 * Signing in and sessions (`auth/signin.ts`, `auth/sessions.ts`): one message for an unknown email, a
 * disabled person and a wrong password; the failure limit per email and per address kicks in and then
 * recovers; each sign-in makes a new token; sign-out, disabling, a new password, idleness and age end
 * sessions; the guard's local mode answers this machine only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/lib/server/db/connection.js';
import { localActor } from '../../src/lib/server/auth/audit.js';
import { guard, LOCAL_ONLY } from '../../src/lib/server/auth/guard.js';
import { runPeople } from '../../src/lib/server/auth/people.js';
import { endSession, IDLE_MS, SESSION_COOKIE, sessionPerson } from '../../src/lib/server/auth/sessions.js';
import { signInGate, WRONG } from '../../src/lib/server/auth/signin.js';
import { memoryDb } from '../helpers.js';

let db: Database;
const here = { address: '127.0.0.1', userAgent: 'test' };
const PASSWORD = 'correct horse battery';
beforeAll(async () => {
	db = await memoryDb();
});
afterAll(() => db.close());

/** The guard's view of a GET of `/metrics` from `address` with the session cookie `token`. */
const ask = (address: string, token?: string) =>
	guard(db, {
		routeId: '/metrics',
		method: 'GET',
		url: new URL('http://app/metrics'),
		headers: new Headers(),
		cookies: { get: (name: string) => (name === SESSION_COOKIE ? token : undefined) },
		address
	});

describe('signing in', () => {
	it('is not needed in local mode, which answers this machine only', async () => {
		expect(await ask('127.0.0.1')).toEqual({ principal: { kind: 'local', role: 'leader' }, denial: null });
		expect(await ask('::ffff:127.0.0.1')).toMatchObject({ denial: null });
		expect(await ask('192.168.1.20')).toEqual({ principal: null, denial: { status: 403, message: LOCAL_ONLY } });
	});

	it('answers an unknown email, a wrong password and a disabled person alike; limits failures, then recovers', async () => {
		await runPeople(db, { kind: 'add', params: { email: 'lee@example.com', role: 'leader', password: PASSWORD } }, localActor());
		await runPeople(db, { kind: 'add', params: { email: 'ana@example.com', role: 'analyst', password: PASSWORD } }, localActor());
		// Once someone exists, nobody is signed in without a session, on this machine too.
		expect(await ask('127.0.0.1')).toEqual({ principal: null, denial: { status: 401, message: 'Sign in first.' } });

		const signIn = signInGate({ perEmail: 2, perAddress: 4, windowSeconds: 1 });
		const wrong = { ok: false, status: 401, message: WRONG };
		expect(await signIn(db, 'nobody@example.com', PASSWORD, here)).toEqual(wrong);
		expect(await signIn(db, 'lee@example.com', 'not the password', here)).toEqual(wrong);
		expect(await signIn(db, 'lee@example.com', 'not it either', here)).toEqual(wrong);
		// Two failures for this email: even the right password waits now.
		expect(await signIn(db, 'lee@example.com', PASSWORD, here)).toEqual({
			ok: false,
			status: 429,
			message: 'Too many failed sign-ins: try again in 1 minute.'
		});
		// Four failures from this address: another email from it waits too, one from elsewhere does not.
		expect(await signIn(db, 'ana@example.com', 'wrong', here)).toEqual(wrong);
		expect((await signIn(db, 'ana@example.com', PASSWORD, here)).ok).toBe(false);
		expect((await signIn(db, 'ana@example.com', PASSWORD, { ...here, address: '10.0.0.9' })).ok).toBe(true);
		await new Promise((r) => setTimeout(r, 1100));
		const ok = await signIn(db, ' LEE@example.com ', PASSWORD, here);
		expect(ok).toMatchObject({ ok: true, person: { email: 'lee@example.com', role: 'leader' } });

		await runPeople(db, { kind: 'add', params: { email: 'cy@example.com', role: 'csm', csm: 'Dana', password: PASSWORD } }, localActor());
		await runPeople(db, { kind: 'disable', params: { email: 'cy@example.com' } }, localActor());
		expect(await signIn(db, 'cy@example.com', PASSWORD, here)).toEqual(wrong);
	});

	it('makes a new token at each sign-in; sign-out, disabling, a new password, idleness and age end a session', async () => {
		const signIn = signInGate();
		const session = async () => {
			const r = await signIn(db, 'ana@example.com', PASSWORD, here);
			if (!r.ok) throw new Error(r.message);
			return r.token;
		};
		const [a, b] = [await session(), await session()];
		expect(a).not.toBe(b);
		expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
		expect(await ask('127.0.0.1', a)).toMatchObject({
			principal: { kind: 'person', email: 'ana@example.com', role: 'analyst' },
			denial: null
		});
		// The token itself is not stored: only its SHA-256.
		expect(await db.query(`SELECT count(*) AS n FROM sign_in_sessions WHERE token_hash = ?`, [a])).toEqual([{ n: 0 }]);

		await endSession(db, a);
		expect(await sessionPerson(db, a)).toBeNull();
		expect(await sessionPerson(db, b)).not.toBeNull();

		await runPeople(db, { kind: 'reset', params: { email: 'ana@example.com', password: 'a new long password' } }, localActor());
		expect(await sessionPerson(db, b)).toBeNull();
		await expect(signIn(db, 'ana@example.com', PASSWORD, here)).resolves.toMatchObject({ ok: false });

		const c = await (async () => {
			const r = await signIn(db, 'ana@example.com', 'a new long password', here);
			return r.ok ? r.token : '';
		})();
		expect(await sessionPerson(db, c)).not.toBeNull();
		await db.query(
			`UPDATE sign_in_sessions SET last_seen_at = now()::TIMESTAMP - to_milliseconds(?) WHERE person_id = (SELECT person_id FROM people WHERE email = 'ana@example.com')`,
			[IDLE_MS + 1000]
		);
		expect(await sessionPerson(db, c)).toBeNull();
		await db.query(`UPDATE sign_in_sessions SET last_seen_at = now()::TIMESTAMP, expires_at = now()::TIMESTAMP - INTERVAL 1 SECOND`);
		expect(await sessionPerson(db, c)).toBeNull();

		const d = (await signIn(db, 'lee@example.com', PASSWORD, here)) as { token: string };
		await runPeople(db, { kind: 'add', params: { email: 'max@example.com', role: 'leader', password: PASSWORD } }, localActor());
		await runPeople(db, { kind: 'disable', params: { email: 'lee@example.com' } }, localActor());
		expect(await sessionPerson(db, d.token)).toBeNull();
		const actions = (await db.query<{ action: string }>(`SELECT action FROM audit_log ORDER BY audit_id`)).map((r) => r.action);
		expect(actions.filter((x) => x === 'session.start').length).toBeGreaterThanOrEqual(5);
	});
});
