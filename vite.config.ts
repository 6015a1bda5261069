import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
	plugins: [sveltekit()],
	// The ECharts chunk (line + bar + SVG, ~565 KB, loaded after the page appears) is expected to be large.
	build: { chunkSizeWarningLimit: 700 },
	// DuckDB's native binding must stay an external require, never bundled.
	ssr: { external: ['@duckdb/node-api'] },
	test: {
		include: ['tests/**/*.test.ts'],
		globalSetup: ['tests/global-setup.ts'],
		environment: 'node',
		testTimeout: 60_000,
		hookTimeout: 120_000,
		// Each worker opens its own DuckDB instances; two workers fit the 2-core CI machine.
		maxWorkers: 2
	}
});
