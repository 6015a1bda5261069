// See https://svelte.dev/docs/kit/types#app.d.ts
import type { Principal } from '$lib/server/auth/policy.js';

declare global {
	namespace App {
		interface Locals {
			/** Who is asking, as the server hook found (null: nobody signed in, on a public page). */
			principal: Principal | null;
		}
	}
}

export {};
