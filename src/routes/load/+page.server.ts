import { isOwner } from '$lib/server/db/owner.js';
import { uploadLimit } from '$lib/server/uploads/store.js';
import type { PageServerLoad } from './$types';

/** The Load page: whether this server can take uploads (it owns its database), and its size cap. */
export const load: PageServerLoad = () => ({ owner: isOwner(), limitBytes: uploadLimit() });
