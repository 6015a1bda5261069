import { z } from 'zod';
import { DEFAULT_ORDER, WORKLIST_SORTS, type WorklistOrder, type WorklistSort } from '../../scores/order.js';

/** The risk bands, riskiest first (see `models/health.ts`: top decile high, next 20 % medium). */
const RISK_BANDS = ['high', 'medium', 'low'] as const;
/** A risk band. */
export type RiskBand = (typeof RISK_BANDS)[number];

const text = z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters');

/**
 * The worklist's filters: a risk band, the account attributes a CSM narrows by (exact values), and a
 * search `q` matching the account's name or id anywhere, ignoring case. Unknown keys are refused.
 */
export const worklistFiltersSchema = z
	.object({
		band: z.enum(RISK_BANDS, { error: 'must be high, medium or low' }).optional(),
		csm: text.optional(),
		plan: text.optional(),
		segment: text.optional(),
		region: text.optional(),
		q: text.optional()
	})
	.strict();

/** Validated worklist filters. */
export type WorklistFilters = z.infer<typeof worklistFiltersSchema>;
/** A filter's query parameter. */
export type WorklistFilterKey = keyof WorklistFilters;
/** The filters' query parameters. */
export const WORKLIST_FILTER_KEYS = Object.keys(worklistFiltersSchema.shape) as WorklistFilterKey[];

/** A request's non-empty filter values, as typed (an empty field means "any"). */
export function worklistFilterValues(url: URL): Partial<Record<WorklistFilterKey, string>> {
	const values: Partial<Record<WorklistFilterKey, string>> = {};
	for (const k of WORKLIST_FILTER_KEYS) {
		const v = url.searchParams.get(k)?.trim();
		if (v) values[k] = v;
	}
	return values;
}

/** The result of {@link parseWorklistFilters}: the filters, or the first bad parameter and what is wrong. */
export type ParsedWorklistFilters =
	{ filters: WorklistFilters; error: null } | { filters: null; error: { key: WorklistFilterKey; message: string } };

/**
 * Validates the filter values of {@link worklistFilterValues}. The caller words an error for its reader:
 * the API as a 400 naming the parameter, the page as a notice next to the filter bar.
 */
export function parseWorklistFilters(values: Partial<Record<WorklistFilterKey, string>>): ParsedWorklistFilters {
	const parsed = worklistFiltersSchema.safeParse(values);
	if (parsed.success) return { filters: parsed.data, error: null };
	const issue = parsed.error.issues[0];
	return { filters: null, error: { key: issue.path[0] as WorklistFilterKey, message: issue.message } };
}

const orderSchema = z.object({
	sort: z.enum(Object.keys(WORKLIST_SORTS) as [WorklistSort, ...WorklistSort[]], {
		error: `must be one of ${Object.keys(WORKLIST_SORTS).join(', ')}`
	}),
	dir: z.enum(['asc', 'desc'], { error: 'must be asc or desc' }).optional()
});

/**
 * The `sort` and `dir` parameters: the default order when `sort` is absent, the column's own direction
 * when `dir` is, or the first bad parameter and what is wrong with it.
 */
export function parseWorklistOrder(
	url: URL
): { order: WorklistOrder; error: null } | { order: null; error: { key: 'sort' | 'dir'; message: string } } {
	const sort = url.searchParams.get('sort')?.trim() || undefined;
	const dir = url.searchParams.get('dir')?.trim() || undefined;
	if (sort === undefined && dir === undefined) return { order: DEFAULT_ORDER, error: null };
	const parsed = orderSchema.safeParse({ sort: sort ?? DEFAULT_ORDER.sort, dir });
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		return { order: null, error: { key: issue.path[0] as 'sort' | 'dir', message: issue.message } };
	}
	return { order: { sort: parsed.data.sort, dir: parsed.data.dir ?? WORKLIST_SORTS[parsed.data.sort] }, error: null };
}
