/**
 * The sample data's generating model: every share, rate and effect the generator plants, in one place.
 * `docs/sample-data.md` explains them and what each metric and model should find; the tests measure
 * them back from the generated files.
 */

/** Days of history before as-of over which accounts sign up (18 months). */
export const HISTORY_DAYS = 540;

/** Default as-of date: fixed, so the same seed gives the same files on any day. */
export const DEFAULT_AS_OF = '2026-10-31';

export const PLANS = [
	{ plan: 'starter', share: 0.5, arrMedian: 6_000 },
	{ plan: 'pro', share: 0.35, arrMedian: 30_000 },
	{ plan: 'enterprise', share: 0.15, arrMedian: 140_000 }
] as const;

/** Segment shares given the plan (smb, mid-market, enterprise), ARR multiplier and users median. */
export const SEGMENTS = {
	smb: { byPlan: { starter: 0.85, pro: 0.35, enterprise: 0 }, arrFactor: 0.8, usersMedian: 4 },
	'mid-market': { byPlan: { starter: 0.15, pro: 0.55, enterprise: 0.3 }, arrFactor: 1.2, usersMedian: 14 },
	enterprise: { byPlan: { starter: 0, pro: 0.1, enterprise: 0.7 }, arrFactor: 1.8, usersMedian: 45 }
} as const;

export const REGIONS = [
	{ region: 'NA', share: 0.45, utcOffsetHours: -5 },
	{ region: 'EMEA', share: 0.35, utcOffsetHours: 1 },
	{ region: 'APAC', share: 0.2, utcOffsetHours: 8 }
] as const;

/** CSMs by region, each with a manager. */
export const CSMS = [
	{ csm: 'Dana Whitfield', manager: 'Morgan Lee', region: 'NA' },
	{ csm: 'Eli Navarro', manager: 'Morgan Lee', region: 'NA' },
	{ csm: 'Priya Raman', manager: 'Morgan Lee', region: 'NA' },
	{ csm: 'Tom Becker', manager: 'Sofia Marquez', region: 'EMEA' },
	{ csm: 'Aisha Okafor', manager: 'Sofia Marquez', region: 'EMEA' },
	{ csm: 'Lars Holm', manager: 'Sofia Marquez', region: 'EMEA' },
	{ csm: 'Kenji Sato', manager: 'Wei Chen', region: 'APAC' },
	{ csm: 'Mei Lin', manager: 'Wei Chen', region: 'APAC' }
] as const;

/** Activation funnel and first value. */
export const FUNNEL = {
	/** Share of accounts whose admin invites teammates (the others provision users by SSO). */
	invited: 0.85,
	/** Median days from signup to the first invite (log-normal, σ 0.9). */
	inviteMedianDays: 1.5,
	/** Share of accounts that ever connect an integration (= reach first value): the cliff step. */
	integrated: 0.62,
	/** Median days from signup to the integration (log-normal, σ `ttfvSigma`): skewed TTFV. */
	ttfvMedianDays: 10,
	ttfvSigma: 0.95,
	/** Share of integrated accounts that trigger a workflow, median days after integrating. */
	workflow: 0.86,
	workflowMedianDays: 3
} as const;

/**
 * Churn: each account has a constant hazard λ (per year) from 30 days after signup; churned_at =
 * created_at + 30 d + Exponential(λ). log λ = log(base) + Σ effect × driver + noise, with independent
 * standard-normal drivers, so the first-value multiplier shows as a ratio of churn rates close to itself.
 */
export const CHURN = {
	baseHazardPerYear: 0.11,
	graceDays: 30,
	/** Hazard multiplier for accounts without first value within 30 days of signup. */
	firstValueMissMultiplier: 3.4,
	/** Effects on log λ per standard deviation of each latent driver. */
	friction: 0.35,
	effort: 0.3,
	searchFailure: 0.3,
	/** Satisfaction lowers churn. */
	satisfaction: -0.3,
	noiseSigma: 0.25,
	plan: { starter: 0.15, pro: 0, enterprise: -0.25 },
	/** Effect per unit of log(ARR / plan median). */
	logArr: -0.1,
	/** Usage fades over the days before churn (rate × days-left / this, floored at 0.15). */
	usageFadeDays: 60
} as const;

/** Product activity. */
export const ACTIVITY = {
	/** Events per account-day = base × users^usersExponent × e^(0.4 engagement) × day factors. */
	base: 0.3,
	usersExponent: 0.75,
	weekendFactor: 0.25,
	holidayFactor: 0.3,
	/** The first two weeks are busier (setup). */
	onboardingFactor: 1.6,
	/** Page views on these pages sometimes come as confusion bursts (3–5 views within 2 minutes). */
	confusingPages: ['/settings/sso', '/integrations/salesforce/config', '/billing/invoices'],
	confusionBurstShare: 0.3,
	/** Share of integrated accounts whose integration version later goes outdated (milestone lost). */
	outdatedIntegration: 0.25,
	/** Share of accounts whose self-service automation misfires repeatedly. */
	repeatAutomation: 0.08
} as const;

/** Self-service sessions, searches, escalation to tickets. */
export const SELF_SERVICE = {
	/** Sessions per account-day = sessionBase × users^0.7 × e^(0.3 friction) × day factors. */
	sessionBase: 0.022,
	/** Share of searches whose query is one of the known zero-result queries (× e^(0.4 search failure)). */
	zeroResultShare: 0.1,
	/** Share of searches with results that get a click. */
	clickShare: 0.84,
	/** Probability a session escalates to a ticket within 24 h: base, + if a search found nothing. */
	escalation: 0.52,
	escalationZeroResult: 0.2,
	/** Bot answers flagged wrong. */
	botFlagged: 0.05,
	/** Sessions answering an in-app CSAT survey. */
	csatShare: 0.06
} as const;

/** Tickets and their satisfaction. */
export const SUPPORT = {
	/** Tickets not preceded by self-service, per account-day = base × users^0.6 × e^(0.45 friction). */
	directBase: 0.006,
	reopenShare: 0.11,
	/** CSAT (1–5) latent = mean + effects + N(0, sd), rounded and clamped. */
	csat: {
		answered: 0.22,
		mean: 4.2,
		reopened: -0.9,
		perLogReplyHour: -0.2,
		perExtraMessage: -0.08,
		billing: -0.3,
		chat: 0.2,
		botHandoff: -0.3,
		accountSatisfaction: 0.25,
		sd: 0.65
	},
	/** CES (1–7, 7 = very easy) latent. */
	ces: {
		answered: 0.12,
		mean: 5.3,
		reopened: -0.8,
		perLogReplyHour: -0.25,
		perExtraMessage: -0.15,
		/** Technical topics take more effort (the topic, channel and handoff effects issue 4 asks CES to have). */
		technicalTopic: -0.5,
		technicalTopics: ['integration', 'api', 'sso', 'data import'],
		chat: 0.4,
		botHandoff: -0.5,
		accountEffort: -0.45,
		sd: 0.8
	}
} as const;

/** Support topics: share of direct tickets, subject templates (keywords the taxonomy matches), feature area. */
export const TOPICS = [
	{
		topic: 'integration',
		share: 0.22,
		area: 'integrations',
		subjects: ['Salesforce integration not syncing', 'Integration connection fails with 401', 'HubSpot sync is missing records']
	},
	{
		topic: 'sso',
		share: 0.12,
		area: 'sso',
		subjects: ['SSO login loops back to sign-in', 'Okta SAML assertion rejected', 'Cannot enforce SSO for all users']
	},
	{
		topic: 'billing',
		share: 0.12,
		area: 'billing',
		subjects: ['Invoice shows wrong amount', 'Update billing contact', 'Charged twice this month']
	},
	{
		topic: 'api',
		share: 0.1,
		area: 'api',
		subjects: ['API returns 429 rate limit', 'API key stopped working', 'Webhook payload missing fields']
	},
	{
		topic: 'permissions',
		share: 0.1,
		area: 'permissions',
		subjects: ['User cannot see shared dashboard', 'Role permissions not applied', 'Need admin access transferred']
	},
	{
		topic: 'performance',
		share: 0.08,
		area: 'reporting',
		subjects: ['Reports load very slowly', 'Dashboard times out', 'Export takes hours']
	},
	{
		topic: 'data import',
		share: 0.1,
		area: 'data-import',
		subjects: ['CSV import fails on row 1200', 'Import mapped columns wrong', 'Duplicate records after import']
	},
	{
		topic: 'notifications',
		share: 0.08,
		area: 'notifications',
		subjects: ['Not receiving email alerts', 'Too many notifications', 'Slack notifications stopped']
	},
	{
		topic: 'workflows',
		share: 0.08,
		area: 'workflows',
		subjects: ['Workflow did not trigger', 'Workflow runs twice', 'Cannot edit workflow step']
	}
] as const;

export const FEATURE_AREAS = [
	'integrations',
	'sso',
	'billing',
	'api',
	'permissions',
	'reporting',
	'data-import',
	'notifications',
	'workflows'
] as const;

/** KB search queries by feature area; `zero` ones never find an article (the recurring zero-result queries). */
export const QUERIES: { q: string; area: string; zero?: boolean }[] = [
	{ q: 'connect salesforce', area: 'integrations' },
	{ q: 'integration sync error', area: 'integrations' },
	{ q: 'hubspot missing records', area: 'integrations' },
	{ q: 'saml sso setup', area: 'sso' },
	{ q: 'okta', area: 'sso' },
	{ q: 'enforce sso', area: 'sso' },
	{ q: 'invoice', area: 'billing' },
	{ q: 'change plan', area: 'billing' },
	{ q: 'api rate limit', area: 'api' },
	{ q: 'rotate api key', area: 'api' },
	{ q: 'webhooks', area: 'api' },
	{ q: 'user roles', area: 'permissions' },
	{ q: 'share dashboard', area: 'permissions' },
	{ q: 'slow reports', area: 'reporting' },
	{ q: 'export report', area: 'reporting' },
	{ q: 'import csv', area: 'data-import' },
	{ q: 'duplicate records', area: 'data-import' },
	{ q: 'email alerts', area: 'notifications' },
	{ q: 'slack notifications', area: 'notifications' },
	{ q: 'workflow not triggering', area: 'workflows' },
	{ q: 'edit workflow', area: 'workflows' },
	{ q: 'okta scim provisioning', area: 'sso', zero: true },
	{ q: 'netsuite export', area: 'integrations', zero: true },
	{ q: 'gdpr dpa', area: 'billing', zero: true },
	{ q: 'audit log retention', area: 'permissions', zero: true },
	{ q: 'sandbox environment', area: 'api', zero: true },
	{ q: 'custom domain ssl', area: 'sso', zero: true }
];

/** Knowledge base: articles per feature area, share without owner, share missing a section. */
export const KB = {
	articlesPerArea: 12,
	noOwner: 0.12,
	incomplete: 0.25,
	owners: ['Ana Silva', 'Ben Ortiz', 'Chloe Park', 'Dev Patel']
} as const;

/** Releases: about two a month, each touching one feature area. */
export const RELEASES = { everyDays: 15, uiChange: 0.4 } as const;

/** Shares of accounts whose data comes only in the other real formats. */
export const SOURCES = {
	/** Accounts (outside EMEA) whose users and events come only as Segment calls. */
	segment: 0.1,
	/** Tickets of this region come only as a Zendesk export. */
	zendeskRegion: 'EMEA'
} as const;
