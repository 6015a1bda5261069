/**
 * The metric filters' query parameters, shared by the pages that take them (`routes/metrics/query.ts`)
 * and the header, which carries them from one such page to the next so a view's scope survives a click.
 */
export const FILTER_KEYS = ['from', 'to', 'plan', 'segment', 'region', 'csm', 'cohort'] as const;
