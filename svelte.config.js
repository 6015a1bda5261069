import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
export default {
	preprocess: vitePreprocess(),
	kit: {
		adapter: adapter({ out: 'build' }),
		// Scripts only from the app itself, plus SvelteKit's own inline start-up script, which it gives a nonce
		// (hashes when prerendered). Inline style attributes (a progress bar's width, a grid's columns) are
		// allowed: they cannot run code. Nothing may frame the app.
		csp: {
			mode: 'auto',
			directives: {
				'default-src': ['self'],
				'script-src': ['self'],
				'style-src': ['self', 'unsafe-inline'],
				'img-src': ['self', 'data:'],
				'connect-src': ['self'],
				'object-src': ['none'],
				'base-uri': ['self'],
				'form-action': ['self'],
				'frame-ancestors': ['none']
			}
		},
		// Cross-site requests are refused by the app's own guard (`auth/guard.ts`: Origin, else Sec-Fetch-Site, for
		// every change not made with a token), which also lets a mail client's one-click opt-out through: an
		// RFC 8058 POST from a mail server carries neither header, and SvelteKit's own check would refuse it.
		csrf: { trustedOrigins: ['*'] },
		// The benchmarks and scripts are type-checked with the app and the tests.
		typescript: { config: (config) => void config.include.push('../bench/**/*.ts', '../scripts/**/*.ts') }
	}
};
