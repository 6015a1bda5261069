import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate } from '../../src/lib/server/generate/generate.js';
import { tempDir } from '../helpers.js';

const textFiles = (dir: string) =>
	fs
		.readdirSync(dir)
		.filter((f) => /\.(csv|jsonl?|md)$/.test(f))
		.sort();

describe('adoption generate', () => {
	it('writes byte-identical CSV and JSON files for the same seed, and different ones for another seed', async () => {
		const [a, b, c] = [tempDir(), tempDir(), tempDir()];
		await generate({ out: a, accounts: 300, seed: 7, threads: 1 });
		await generate({ out: b, accounts: 300, seed: 7, threads: 2 });
		await generate({ out: c, accounts: 300, seed: 8, threads: 1 });
		const files = textFiles(a);
		expect(files).toEqual(textFiles(b));
		expect(files).toContain('events.jsonl');
		expect(files).toContain('segment.jsonl');
		for (const f of files) expect(fs.readFileSync(path.join(b, f)).equals(fs.readFileSync(path.join(a, f))), f).toBe(true);
		for (const f of ['accounts.csv', 'events.jsonl', 'tickets.csv', 'truth.csv']) {
			expect(fs.readFileSync(path.join(c, f)).equals(fs.readFileSync(path.join(a, f))), f).toBe(false);
		}
	});

	it('refuses sizes outside 200 to 1,000,000 accounts and a bad as-of date', async () => {
		await expect(generate({ out: tempDir(), accounts: 199 })).rejects.toThrow(/from 200 to 1,000,000/);
		await expect(generate({ out: tempDir(), accounts: 300, asOf: '2026-13-45' })).rejects.toThrow(/--as-of/);
	});
});
