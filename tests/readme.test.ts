/** The README's dependency table names exactly the packages package.json declares. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

describe('README', () => {
	it('explains every declared dependency and no other', () => {
		const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
		const section = readme.slice(readme.indexOf('## Dependencies and why'));
		const table = section.split('\n\n')[0];
		// The first cell of each row lists the packages in backticks.
		const named = table
			.split('\n')
			.filter((l) => l.startsWith('| `'))
			.flatMap((l) => [...l.split('|')[1].matchAll(/`([^`]+)`/g)].map((m) => m[1]));
		const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
		const declared = [...Object.keys(pkg.dependencies), ...Object.keys(pkg.devDependencies)];
		expect([...new Set(named)].sort()).toEqual(declared.sort());
	});
});
