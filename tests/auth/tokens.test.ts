/**
 * API tokens (`auth/tokens.ts` through `runPeople`): shown once, stored as SHA-256 only, acting as their
 * person with their role, refused once revoked or when the person is disabled, each change audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/lib/server/db/connection.js';
import { localActor } from '../../src/lib/server/auth/audit.js';
import { guard } from '../../src/lib/server/auth/guard.js';
import { PeopleError, runPeople, type PeopleRequest } from '../../src/lib/server/auth/people.js';
import { memoryDb } from '../helpers.js';

let db: Database;
beforeAll(async () => {
	db = await memoryDb();
});
afterAll(() => db.close());

const run = (r: PeopleRequest) => runPeople(db, r, localActor());
/** The guard's view of a POST to `/api/uploads` from another machine with `Authorization: Bearer token`. */
const ask = (token: string) =>
	guard(db, {
		routeId: '/api/uploads',
		method: 'POST',
		url: new URL('http://app/api/uploads'),
		headers: new Headers({ authorization: `Bearer ${token}`, origin: 'https://elsewhere.example' }),
		cookies: { get: () => undefined },
		address: '10.1.2.3'
	});

describe('API tokens', () => {
	it('act as their person, until revoked or the person is disabled', async () => {
		await run({ kind: 'add', params: { email: 'lee@example.com', role: 'leader', password: 'correct horse battery' } });
		await run({ kind: 'add', params: { email: 'max@example.com', role: 'leader', password: 'correct horse battery' } });
		await run({ kind: 'add', params: { email: 'ana@example.com', role: 'analyst', password: 'correct horse battery' } });
		const lee = (await run({ kind: 'token_create', params: { email: 'lee@example.com', name: 'nightly export' } })) as {
			token: string;
			token_id: number;
		};
		const ana = (await run({ kind: 'token_create', params: { email: 'ana@example.com' } })) as { token: string };
		expect(lee.token).toMatch(/^adp_[A-Za-z0-9_-]{43}$/);
		expect(await db.query(`SELECT count(*) AS n FROM api_tokens WHERE token_hash = ? OR name = ?`, [lee.token, lee.token])).toEqual([
			{ n: 0 }
		]);

		// A token is sent on purpose, so it may change things from anywhere (no cookie rides along).
		expect(await ask(lee.token)).toMatchObject({
			principal: { kind: 'person', email: 'lee@example.com', role: 'leader', via: 'token' },
			denial: null
		});
		expect((await ask(ana.token)).denial).toEqual({ status: 403, message: 'This needs the role leader; you are an analyst.' });
		expect((await ask('adp_not-a-token')).denial?.status).toBe(401);

		const listed = (await run({ kind: 'token_list', params: {} })) as {
			tokens: { token_id: number; email: string; last_used_at: string | null }[];
		};
		expect(listed.tokens.map((t) => t.email)).toEqual(['ana@example.com', 'lee@example.com']);
		expect(listed.tokens.find((t) => t.email === 'lee@example.com')!.last_used_at).not.toBeNull();
		expect(JSON.stringify(listed)).not.toContain(lee.token);

		expect(await run({ kind: 'token_revoke', params: { id: lee.token_id } })).toMatchObject({
			changed: true,
			token: { email: 'lee@example.com' }
		});
		expect(await run({ kind: 'token_revoke', params: { id: lee.token_id } })).toMatchObject({ changed: false });
		expect((await ask(lee.token)).denial).toMatchObject({ status: 401 });

		await run({ kind: 'disable', params: { email: 'ana@example.com' } });
		expect((await ask(ana.token)).denial).toMatchObject({ status: 401 });
		await expect(run({ kind: 'token_create', params: { email: 'ana@example.com' } })).rejects.toThrow(
			new PeopleError('ana@example.com is disabled: a token of theirs would not work', 409)
		);
		await expect(run({ kind: 'token_revoke', params: { id: 99 } })).rejects.toThrow('there is no token 99 (adoption token list)');

		const actions = (
			await db.query<{ action: string; object: string }>(
				`SELECT action, object FROM audit_log WHERE action LIKE 'token.%' ORDER BY audit_id`
			)
		).map((r) => `${r.action} ${r.object}`);
		expect(actions).toEqual([`token.create token:${lee.token_id}`, 'token.create token:2', `token.revoke token:${lee.token_id}`]);
	});
});
