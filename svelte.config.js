import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
export default {
	preprocess: vitePreprocess(),
	kit: {
		adapter: adapter({ out: 'build' }),
		// The benchmarks and scripts are type-checked with the app and the tests.
		typescript: { config: (config) => void config.include.push('../bench/**/*.ts', '../scripts/**/*.ts') }
	}
};
