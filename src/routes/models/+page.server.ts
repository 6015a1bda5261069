import { isHttpError } from '@sveltejs/kit';
import { ScoresRepository } from '$lib/server/scores/repository.js';
import { readDatabase } from '../db.server.js';
import { readEvaluations } from './evaluations.server.js';
import type { PageServerLoad } from './$types';

/**
 * The models page: the latest churn model's held-out evaluation, the CSAT and CES models' when trained,
 * and which model version the worklist was scored with.
 */
export const load: PageServerLoad = async () => {
	const evaluations = readEvaluations();
	return { ...evaluations, scored: await scoredRun() };
};

/** The worklist's latest scoring run, or null when there is none or no database to ask. */
async function scoredRun() {
	try {
		return await readDatabase((db) => new ScoresRepository(db.kysely).latestRun());
	} catch (err) {
		// The evaluations live in files: without a database (a 503) they are still worth showing.
		if (isHttpError(err)) return null;
		throw err;
	}
}
