/**
 * The worklist's orders, shared by the server (which validates and sorts) and the page (which builds the
 * column headers' links): nothing server-only here.
 */

/**
 * Each order with the direction a CSM reads it in by default. `stake` (the default) is the expected ARR
 * at risk, churn probability × ARR: a 40 % risk on $200k comes before a 90 % risk on $5k.
 */
export const WORKLIST_SORTS = {
	stake: 'desc',
	risk: 'desc',
	name: 'asc',
	arr: 'desc',
	csm: 'asc',
	renewal: 'asc',
	health: 'asc',
	sentiment: 'asc'
} as const satisfies Record<string, 'asc' | 'desc'>;
/** A worklist order. */
export type WorklistSort = keyof typeof WORKLIST_SORTS;
/** The worklist's order: a column and a direction. */
export interface WorklistOrder {
	sort: WorklistSort;
	dir: 'asc' | 'desc';
}
/** The default order: expected ARR at risk, largest first. */
export const DEFAULT_ORDER: WorklistOrder = { sort: 'stake', dir: 'desc' };

/** The query parameters for an order: none for the default, no `dir` when it is the column's own. */
export function orderParams(order: WorklistOrder): Record<string, string> {
	if (order.sort === DEFAULT_ORDER.sort && order.dir === DEFAULT_ORDER.dir) return {};
	return order.dir === WORKLIST_SORTS[order.sort] ? { sort: order.sort } : { sort: order.sort, dir: order.dir };
}

/** The order a column header's link asks for: the column in its own direction, or reversed when it is already the order. */
export function nextOrder(current: WorklistOrder, sort: WorklistSort): WorklistOrder {
	if (current.sort !== sort) return { sort, dir: WORKLIST_SORTS[sort] };
	return { sort, dir: current.dir === 'asc' ? 'desc' : 'asc' };
}
