/**
 * The app's main pages, in the header's order (each path is also its route id, which the policy is keyed
 * by). `filtered`: the page takes the metric filters, which the header carries between such pages.
 */
export const NAV = [
	{ path: '/', label: 'Overview' },
	{ path: '/metrics', label: 'Metrics', filtered: true },
	{ path: '/cohorts', label: 'Cohorts', filtered: true },
	{ path: '/knowledge', label: 'Knowledge', filtered: true },
	{ path: '/support', label: 'Support', filtered: true },
	{ path: '/accounts', label: 'At-risk accounts' },
	{ path: '/alerts', label: 'Alerts' },
	{ path: '/triage', label: 'Triage' },
	{ path: '/models', label: 'Models' },
	{ path: '/rejected', label: 'Rejected rows' },
	{ path: '/load', label: 'Load' },
	{ path: '/sources', label: 'Sources' },
	{ path: '/jobs', label: 'Jobs' },
	{ path: '/people', label: 'People' },
	{ path: '/audit', label: 'Audit' }
] as const;

export const NAV_PATHS = NAV.map((l) => l.path);
