import type { Config } from '../config/config.js';
import { configStep, learnedStep, type LearnedSteps, type NextStep } from '../alerts/next-step.js';
import type { ConfusingPage, MilestoneState } from './account.js';

/** A suggested step and what about the account calls for it. */
export interface SuggestedStep extends NextStep {
	because: string;
}

const day = (iso: string) => iso.slice(0, 10);

/**
 * What a CSM should do next for the account, at most one step per cause:
 * - the first milestone it does not hold, lowest level first, a lost one before a missing one at the
 *   same level (it had it, so something broke): the config's step for that milestone, else the article
 *   accounts read before reaching it (`learnedSteps`), else the milestone in words;
 * - the page its users were most confused on: the config's step for that page, else a walk-through.
 * The same sources, in the same order, as an alert's next step (`alerts/next-step.ts`).
 */
export function suggestedSteps(
	config: Config,
	milestones: MilestoneState[],
	pages: ConfusingPage[],
	learned?: LearnedSteps
): SuggestedStep[] {
	const steps: SuggestedStep[] = [];
	const open = milestones
		.filter((m) => m.state !== 'reached')
		.sort((a, b) => a.level - b.level || (a.state === 'lost' ? 0 : 1) - (b.state === 'lost' ? 0 : 1))[0];
	if (open) {
		const because =
			open.state === 'lost'
				? `Level ${open.level} milestone "${open.name}" was lost on ${day(open.lost_at!)} (${open.lost_by}).`
				: `Level ${open.level} milestone "${open.name}" is not reached yet${open.due_at ? ` (due ${day(open.due_at)})` : ''}.`;
		const step = configStep(config, (s) => s.milestone === open.name) ??
			learnedStep(learned, [open.event], `"${open.name}"`) ?? {
				text:
					open.state === 'lost'
						? `Help them restore "${open.name}": ${open.lost_by} undid it.`
						: `Help them reach "${open.name}" (${open.event}).`,
				url: null,
				source: 'rule' as const
			};
		steps.push({ ...step, because });
	}
	const page = pages[0];
	if (page) {
		const because = `Their users kept coming back to ${page.page}: ${page.bursts} confusion ${page.bursts === 1 ? 'burst' : 'bursts'}, the last on ${day(page.last_at)}.`;
		const step = configStep(config, (s) => s.page === page.page) ?? {
			text: `Walk them through ${page.page}, or point them to its help article.`,
			url: null,
			source: 'rule' as const
		};
		steps.push({ ...step, because });
	}
	return steps;
}
