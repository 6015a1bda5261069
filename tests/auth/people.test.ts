/**
 * The team's people (`auth/people.ts`): added with a hashed password (a generated one shown once),
 * listed without hashes, disabled, given a new password; every change audited in its own transaction,
 * and a refused change leaves the table and the audit log as they were.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/lib/server/db/connection.js';
import type { Actor } from '../../src/lib/server/auth/audit.js';
import { passwordMatches } from '../../src/lib/server/auth/passwords.js';
import { PeopleError, peopleRequestSchema, runPeople, type PeopleRequest } from '../../src/lib/server/auth/people.js';
import { memoryDb } from '../helpers.js';

let db: Database;
const by: Actor = { actor: 'test', address: '127.0.0.1' };
beforeAll(async () => {
	db = await memoryDb();
	await db.query(`INSERT INTO accounts (account_id, csm, created_at) VALUES ('A1', 'Dana', '2024-01-01'), ('A2', 'Dana', '2024-01-01')`);
});
afterAll(() => db.close());

const run = (body: unknown) => runPeople(db, peopleRequestSchema.parse(body) as PeopleRequest, by);
const hashOf = async (email: string) =>
	(await db.query<{ h: string }>(`SELECT password_hash AS h FROM people WHERE email = ?`, [email]))[0].h;
const audit = () =>
	db.query<{ action: string; object: string; actor: string; before: string | null; after: string | null }>(
		`SELECT action, object, actor, before, after FROM audit_log ORDER BY audit_id`
	);
/** The refusal `body` gets: its status and message. */
async function refusal(body: unknown): Promise<[number, string]> {
	try {
		await run(body);
	} catch (err) {
		if (err instanceof PeopleError) return [err.status, err.message];
		throw err;
	}
	throw new Error(`${JSON.stringify(body)} was not refused`);
}

describe('people', () => {
	it('adds a person with a generated password shown once, stored only as an argon2id hash, and audits it', async () => {
		const doc = await run({ kind: 'add', params: { email: ' Ana@Example.COM ', role: 'leader', name: 'Ana' } });
		expect(doc).toMatchObject({
			person: { email: 'ana@example.com', name: 'Ana', role: 'leader', csm: null, time_zone: 'UTC', active: true }
		});
		expect('password_hash' in (doc as { person: object }).person).toBe(false);
		const password = (doc as { password: string }).password;
		expect(password).toMatch(/^[A-Za-z0-9_-]{20}$/);
		const hash = await hashOf('ana@example.com');
		expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
		expect(await passwordMatches(hash, password)).toBe(true);
		expect(await passwordMatches(hash, password + 'x')).toBe(false);
		const [row] = await audit();
		expect(row).toMatchObject({ action: 'person.add', object: 'person:ana@example.com', actor: 'test', before: null });
		expect(row.after).toContain('"role":"leader"');
		expect(row.after).not.toContain(hash);
	});

	it('refuses what cannot be done, naming why, and changes nothing', async () => {
		const before = [await db.query(`SELECT * FROM people ORDER BY email`), await audit()];
		expect(await refusal({ kind: 'add', params: { email: 'ANA@example.com', role: 'analyst' } })).toEqual([
			409,
			'ana@example.com is already a person here (adoption user list)'
		]);
		expect(await refusal({ kind: 'add', params: { email: 'bo@example.com', role: 'csm' } })).toEqual([
			400,
			'a CSM needs --csm: the accounts.csm value of the accounts they look after'
		]);
		expect((await refusal({ kind: 'add', params: { email: 'bo@example.com', role: 'analyst', timeZone: 'Mars/Olympus' } }))[1]).toMatch(
			/^time zone 'Mars\/Olympus' is not an IANA time zone/
		);
		expect(await refusal({ kind: 'add', params: { email: 'bo@example.com', role: 'analyst', password: 'short' } })).toEqual([
			400,
			'a password must have at least 12 characters'
		]);
		expect(await refusal({ kind: 'disable', params: { email: 'ana@example.com' } })).toEqual([
			409,
			'ana@example.com is the last active leader: add another leader first'
		]);
		expect(await refusal({ kind: 'reset', params: { email: 'nobody@example.com' } })).toEqual([
			404,
			'there is no person nobody@example.com (adoption user list)'
		]);
		expect([await db.query(`SELECT * FROM people ORDER BY email`), await audit()]).toEqual(before);
		// Malformed requests never reach the database: the schema names the field.
		for (const [body, message] of [
			[{ kind: 'add', params: { email: 'not-an-email', role: 'leader' } }, 'must be an email address'],
			[{ kind: 'add', params: { email: 'x@example.com', role: 'admin' } }, 'must be one of leader, analyst, csm'],
			[{ kind: 'add', params: { email: 'x@example.com', role: 'leader', name: 'n'.repeat(201) } }, 'must be at most 200 characters'],
			[{ kind: 'add', params: { email: 'x@example.com', role: 'leader', extra: 1 } }, 'Unrecognized key: "extra"']
		] as const) {
			const parsed = peopleRequestSchema.safeParse(body);
			expect(parsed.success).toBe(false);
			expect(parsed.error?.issues[0].message).toBe(message);
		}
	});

	it('adds a CSM with their book, disables and resets, each audited', async () => {
		const csm = await run({
			kind: 'add',
			params: { email: 'bo@example.com', role: 'csm', csm: 'Dana', timeZone: 'europe/berlin', password: 'correct horse battery' }
		});
		expect(csm).toMatchObject({ person: { role: 'csm', csm: 'Dana', time_zone: 'Europe/Berlin' }, book_accounts: 2 });
		expect('password' in csm).toBe(false);
		expect(await passwordMatches(await hashOf('bo@example.com'), 'correct horse battery')).toBe(true);

		await run({ kind: 'add', params: { email: 'cy@example.com', role: 'leader' } });
		expect(await run({ kind: 'disable', params: { email: 'ana@example.com' } })).toMatchObject({
			person: { active: false },
			changed: true
		});
		expect(await run({ kind: 'disable', params: { email: 'ana@example.com' } })).toMatchObject({ changed: false });

		const old = await hashOf('bo@example.com');
		const reset = (await run({ kind: 'reset', params: { email: 'bo@example.com' } })) as { password: string };
		const fresh = await hashOf('bo@example.com');
		expect(await passwordMatches(fresh, reset.password)).toBe(true);
		expect(await passwordMatches(fresh, 'correct horse battery')).toBe(false);
		expect(fresh).not.toBe(old);

		const { people } = (await run({ kind: 'list', params: {} })) as { people: { email: string; active: boolean }[] };
		expect(people.map((p) => [p.email, p.active])).toEqual([
			['ana@example.com', false],
			['bo@example.com', true],
			['cy@example.com', true]
		]);
		const rows = await audit();
		expect(rows.map((r) => r.action)).toEqual(['person.add', 'person.add', 'person.add', 'person.disable', 'person.reset_password']);
		expect(rows[3]).toMatchObject({ object: 'person:ana@example.com' });
		expect(JSON.parse(rows[3].before!).active).toBe(true);
		expect(JSON.parse(rows[3].after!).active).toBe(false);
		expect(rows[4].after).toBe('{"password":"changed","sessions_ended":0}');
		// No hash or password anywhere in the log.
		expect(JSON.stringify(rows)).not.toMatch(/argon2|correct horse|password_hash/);
	});
});
