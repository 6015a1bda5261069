/**
 * The policy table covers every route and method the app has, and nothing else: a new page or endpoint
 * without a rule fails here (and is refused by the server meanwhile), and a rule for a route that is gone
 * is noticed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { authorize, POLICY, type Principal } from '../../src/lib/server/auth/policy.js';
import { ROOT } from '../helpers.js';

const ROUTES = path.join(ROOT, 'src', 'routes');

/** Every route id with the methods it answers: a page's GET (and POST when it has form actions), an endpoint's exports. */
function routes(): Record<string, string[]> {
	const out: Record<string, string[]> = {};
	const walk = (dir: string) => {
		for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
			const p = path.join(dir, entry.name);
			if (entry.isDirectory()) walk(p);
			else {
				const id = '/' + path.relative(ROUTES, dir).split(path.sep).filter(Boolean).join('/');
				const text = fs.readFileSync(p, 'utf8');
				const methods = new Set(out[id] ?? []);
				if (entry.name === '+page.svelte') methods.add('GET');
				if (entry.name === '+page.server.ts' && /export const actions/.test(text)) methods.add('POST');
				if (entry.name === '+server.ts')
					for (const m of text.matchAll(/export const (GET|POST|PUT|PATCH|DELETE|OPTIONS)\b/g)) methods.add(m[1]);
				if (methods.size) out[id] = [...methods].sort();
			}
		}
	};
	walk(ROUTES);
	return out;
}

describe('the access policy', () => {
	it('has a rule for every route and method, and none for routes that do not exist', () => {
		const found = routes();
		const ruled = Object.fromEntries(Object.entries(POLICY).map(([id, rules]) => [id, Object.keys(rules).sort()]));
		expect(ruled).toEqual(found);
	});

	it('refuses what has no rule, and asks nobody-signed-in to sign in first', () => {
		const leader: Principal = { kind: 'local', role: 'leader' };
		const url = new URL('http://x/');
		expect(authorize('/metrics', 'DELETE', leader, url)).toEqual({ status: 403, message: 'DELETE / is not open to anyone.' });
		expect(authorize('/not-a-route', 'GET', leader, url)?.status).toBe(403);
		expect(authorize('/metrics', 'GET', null, url)).toEqual({ status: 401, message: 'Sign in first.' });
		expect(authorize(null, 'GET', null, url)?.status).toBe(401);
		expect(authorize('/signin', 'POST', null, url)).toBeNull();
		expect(authorize('/metrics', 'HEAD', leader, url)).toBeNull();
	});
});
