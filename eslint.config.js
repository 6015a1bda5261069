import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import svelte from 'eslint-plugin-svelte';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import importX from 'eslint-plugin-import-x';
import ts from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

export default defineConfig(
	{ ignores: ['build/', '.svelte-kit/', 'data/', 'models/', 'bench/out/', 'node_modules/'] },
	js.configs.recommended,
	ts.configs.recommended,
	svelte.configs.recommended,
	prettier,
	svelte.configs.prettier,
	{
		plugins: { 'import-x': importX },
		// SvelteKit's virtual modules are not packages.
		settings: {
			'import-x/core-modules': [
				'$app/paths',
				'$app/state',
				'$app/types',
				'$app/navigation',
				'$app/environment',
				'$app/forms',
				'$env/dynamic/private',
				'$env/static/private'
			]
		},
		languageOptions: { globals: { ...globals.browser, ...globals.node } },
		rules: {
			// TypeScript checks undefined names itself (svelte-check runs in the test command).
			'no-undef': 'off',
			// Every package imported is declared in package.json (not merely hoisted from another's dependencies).
			'import-x/no-extraneous-dependencies': ['error', { devDependencies: true, optionalDependencies: false }],
			// `_`-prefixed names mark what is deliberately unused; a rest sibling omits keys from a copy.
			'@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }]
		}
	},
	{
		files: ['**/*.svelte', '**/*.svelte.ts'],
		languageOptions: { parserOptions: { projectService: true, extraFileExtensions: ['.svelte'], parser: ts.parser, svelteConfig } }
	}
);
