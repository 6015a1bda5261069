import type { Config } from '../config/config.js';
import type { Database } from '../db/connection.js';
import { learnedSteps } from '../alerts/next-step.js';
import { cachedRead } from '../cache/reads.js';
import { freshDerived } from '../derive/derived.js';
import {
	AccountRepository,
	type AccountProfile,
	type AccountUser,
	type ConfusingPage,
	type MilestoneState,
	type ScorePoint,
	type Timeline,
	type TimelineKind
} from './account.js';
import { rowsCsv } from '../metrics/export.js';
import { suggestedSteps, type SuggestedStep } from './next-step.js';

/** Everything the account page shows but its alerts (which change without the data changing). */
export interface AccountView {
	profile: AccountProfile;
	/** Every scoring run, oldest first; the last is the current score. */
	scores: ScorePoint[];
	milestones: MilestoneState[];
	/** The highest level L whose milestones, and every lower level's, are all held (as the metrics count it). */
	level: number;
	steps: SuggestedStep[];
	pages: ConfusingPage[];
	users: AccountUser[];
	timeline: Timeline;
}

/** The milestone level: the highest L such that every milestone of levels 1…L is held. */
export function milestoneLevel(milestones: MilestoneState[]): number {
	let level = 0;
	for (const l of [...new Set(milestones.map((m) => m.level))].sort()) {
		if (!milestones.every((m) => m.level !== l || m.state === 'reached')) break;
		level = l;
	}
	return level;
}

/**
 * The account `id` with a page of its timeline (`kinds`, from `offset`), or null when there is no such
 * account. What the data learned about milestones (`learnedSteps`, a scan of every account's reads) is
 * cached on its own, so it is read once per data version and only when a milestone is open.
 */
export async function accountView(
	db: Database,
	config: Config,
	id: string,
	timeline: { kinds: readonly TimelineKind[]; offset: number }
): Promise<AccountView | null> {
	const derived = await freshDerived(db.kysely, config);
	const repo = new AccountRepository(db.kysely, { config, derived });
	const profile = await repo.profile(id);
	if (!profile) return null;
	const [scores, milestones, pages, users, page] = await Promise.all([
		repo.scores(id),
		repo.milestones(id, config),
		repo.confusingPages(id),
		repo.users(id),
		repo.timeline(id, timeline.kinds, timeline.offset)
	]);
	const learned = milestones.some((m) => m.state !== 'reached')
		? await cachedRead(db, ['learned-steps', config.milestones, config.firstValueEvents], () => learnedSteps(db.kysely, config, derived))
		: undefined;
	return {
		profile,
		scores,
		milestones,
		level: milestoneLevel(milestones),
		steps: suggestedSteps(config, milestones, pages, learned),
		pages,
		users,
		timeline: page
	};
}

/** The account's whole timeline of `kinds` (every row, newest first) as CSV, or null when there is no such account. */
export async function timelineCsv(db: Database, config: Config, id: string, kinds: readonly TimelineKind[]): Promise<string | null> {
	const repo = new AccountRepository(db.kysely, { config, derived: await freshDerived(db.kysely, config) });
	if (!(await repo.profile(id))) return null;
	const { items } = await repo.timeline(id, kinds, 0, null);
	return items.length ? rowsCsv(items.map((t) => ({ ...t }))) : 'kind,at,title,detail,user_id\n';
}
