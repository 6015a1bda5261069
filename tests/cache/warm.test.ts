/** The server's warming: it asks itself for the first views, one after another, and shrugs off failures. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WARM_PATHS, warmViews, warmWhenListening } from '../../src/lib/server/cache/warm.js';

let server: http.Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

/** A loopback HTTP server recording the paths asked for; `/metrics` fails; the worklist's first account is A7. */
function recorder(): Promise<{ base: string; paths: string[] }> {
	const paths: string[] = [];
	server = http.createServer((req, res) => {
		paths.push(req.url!);
		res.statusCode = req.url === '/metrics' ? 500 : 200;
		res.end(req.url === '/api/accounts?limit=1' ? JSON.stringify({ rows: [{ account_id: 'A7' }] }) : 'ok');
	});
	return new Promise((resolve) =>
		server!.listen(0, '127.0.0.1', () => resolve({ base: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, paths }))
	);
}

describe('warming the first views', () => {
	it('asks for each view once, in order, going on past one that fails', async () => {
		const { base, paths } = await recorder();
		await warmViews(base);
		expect(paths).toEqual([...WARM_PATHS, '/api/accounts?limit=1', '/accounts/A7']);
	});

	it('waits until the server answers, then warms', async () => {
		const { base, paths } = await recorder();
		await warmWhenListening(base);
		expect(paths).toEqual(['/api/status', ...WARM_PATHS, '/api/accounts?limit=1', '/accounts/A7']);
	});

	it('gives up quietly when nothing listens', async () => {
		await expect(warmViews('http://127.0.0.1:9')).resolves.toBeUndefined();
	});
});
