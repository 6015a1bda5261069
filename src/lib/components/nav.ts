/**
 * The app's main pages, in the header's order (each path is also its route id, which the policy is keyed
 * by). `filtered`: the page takes the metric filters, which the header carries between such pages.
 * `admin`: the data and people pages, under the header's "Admin" menu so the pages people work in fit.
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
	{ path: '/rejected', label: 'Rejected rows', admin: true },
	{ path: '/load', label: 'Load', admin: true },
	{ path: '/sources', label: 'Sources', admin: true },
	{ path: '/jobs', label: 'Jobs', admin: true },
	{ path: '/people', label: 'People', admin: true },
	{ path: '/audit', label: 'Audit', admin: true }
] as const;

export const NAV_PATHS = NAV.map((l) => l.path);
