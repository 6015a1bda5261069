import fs from 'node:fs';
import { z } from 'zod';

/** Default milestone checklists (see `milestones`). */
const DEFAULT_MILESTONES = [
	{ level: 1 as const, name: 'Team invited', event: 'User Invited', kind: 'commitment' as const, dueDays: 7 },
	{
		level: 1 as const,
		name: 'Integration connected',
		event: 'Integration Connected',
		kind: 'technical' as const,
		revokedBy: 'Integration Version Outdated',
		dueDays: 14
	},
	{ level: 2 as const, name: 'First workflow', event: 'Workflow Triggered', kind: 'technical' as const },
	{ level: 2 as const, name: 'Dashboard created', event: 'Dashboard Created', kind: 'commitment' as const },
	{ level: 2 as const, name: 'Report shared', event: 'Report Shared', kind: 'commitment' as const },
	{ level: 3 as const, name: 'API key created', event: 'API Key Created', kind: 'technical' as const },
	{ level: 3 as const, name: 'SSO configured', event: 'SSO Configured', kind: 'technical' as const },
	{ level: 3 as const, name: 'Automation rule', event: 'Automation Rule Created', kind: 'commitment' as const }
];

/** Default ticket topic taxonomy (see `topics`). */
const DEFAULT_TOPICS = [
	{ topic: 'SSO', tags: ['sso', 'saml'], keywords: ['sso', 'saml', 'okta', 'single sign-on', 'scim'] },
	{ topic: 'Integration', tags: ['integration'], keywords: ['integration', 'salesforce', 'hubspot', 'sync'] },
	{ topic: 'Billing', tags: ['billing'], keywords: ['invoice', 'billing', 'charged', 'payment', 'refund'] },
	{ topic: 'API', tags: ['api'], keywords: ['api', 'webhook', 'rate limit', '429'] },
	{ topic: 'Permissions', tags: ['permissions'], keywords: ['permission', 'role', 'access', 'admin'] },
	{ topic: 'Performance', tags: ['performance'], keywords: ['slow', 'timeout', 'times out', 'takes hours'] },
	{ topic: 'Data import', tags: ['data_import', 'import'], keywords: ['import', 'csv', 'duplicate'] },
	{ topic: 'Notifications', tags: ['notifications'], keywords: ['notification', 'alert', 'email alerts'] },
	{ topic: 'Workflows', tags: ['workflows'], keywords: ['workflow'] }
];

/** Default config file, read from the working folder when present. */
export const CONFIG_FILE = 'adoption.config.json';

const event = z.string().min(1, 'must be an event name');
const positive = z.number().positive();

/**
 * An event condition, where first value and milestones take an event name: the `count`-th event of that
 * name (default 1) whose properties equal `where` (every key), within `withinDays` of the account's
 * signup when given. "≥ 20 tickets managed within 30 days" is `{ "event": "Ticket Managed", "count": 20,
 * "withinDays": 30 }`; "an integration on version 3" is `{ "event": "Integration Connected", "where":
 * { "version": "3" } }`. It is reached when that event happens, so it has a date like any event.
 */
const eventCondition = z
	.object({
		event,
		where: z
			.record(z.string().min(1, 'a property name must not be empty'), z.union([z.string(), z.number(), z.boolean()]), {
				error: 'must map property names to a string, number or true/false'
			})
			.refine((w) => Object.keys(w).length > 0, 'must name at least one property')
			.optional(),
		count: z.number().int('must be a whole number').min(1, 'must be 1 or more').default(1),
		withinDays: positive.optional()
	})
	.strict();
/** A validated event condition (see `eventCondition`). */
export type EventCondition = z.output<typeof eventCondition>;
/** An event name or an event condition. */
const eventOrCondition = z.union([event, eventCondition], { error: 'must be an event name or { event, where?, count?, withinDays? }' });

/**
 * The name a condition goes by wherever an event name would (the key events, the account page, alerts):
 * `Ticket Managed ×20 within 30 days of signup where channel = email`. A plain name is itself.
 */
export function conditionLabel(c: string | EventCondition): string {
	if (typeof c === 'string') return c;
	const where = Object.entries(c.where ?? {})
		.map(([k, v]) => `${k} = ${v}`)
		.join(', ');
	return [
		c.event,
		c.count > 1 ? ` ×${c.count}` : '',
		c.withinDays ? ` within ${c.withinDays} days of signup` : '',
		where ? ` where ${where}` : ''
	].join('');
}

function validTimeZone(tz: string): boolean {
	try {
		new Intl.DateTimeFormat('en-US', { timeZone: tz });
		return true;
	} catch {
		return false;
	}
}
const timeZone = z.string().refine(validTimeZone, 'must be an IANA time zone such as UTC or Europe/Berlin');

/**
 * Settings every alert rule has: on or off, severity, the response time in business hours of the CSM's
 * calendar (0: due at once), and hysteresis: the condition must hold for `openAfter` evaluations in a row
 * and at least `openAfterHours` before an alert opens, and be clear for `resolveAfter` evaluations in a
 * row before the alert resolves itself, so a value hovering at a threshold does not flap.
 */
type Severity = 'low' | 'medium' | 'high';
/**
 * Who a rule's alerts are told to: the account's CSM, the managers (leaders), the product channel, or the
 * customer (a nudge to the account's admin, sent only when the config's `nextSteps` give the step a link).
 */
export const AUDIENCES = ['csm', 'manager', 'product', 'customer'] as const;
type Audience = (typeof AUDIENCES)[number];
const rule = <T extends z.ZodRawShape>(severity: Severity, respondWithinHours: number, notify: Audience[], extra: T) =>
	z
		.object({
			enabled: z.boolean().default(true),
			severity: z.enum(['low', 'medium', 'high']).default(severity),
			respondWithinHours: z.number().min(0).default(respondWithinHours),
			notify: z.array(z.enum(AUDIENCES)).default(notify),
			openAfter: z.number().int().min(1).default(1),
			openAfterHours: z.number().min(0).default(0),
			resolveAfter: z.number().int().min(1).default(1),
			...extra
		})
		.strict()
		// Generic over the extra keys, so the checker cannot see that {} is a valid input.
		.prefault({} as never);

/** The alert rules of PRODUCT.md with their defaults; a rule the file leaves out keeps its defaults. */
const alertsSchema = z
	.object({
		rules: z
			.object({
				/** Enterprise (plan or segment) with sentiment below `sentimentBelow`, or risk in the top `riskPercentileAbove` with ARR above `arrAbove`. */
				high_value_risk: rule('high', 2, ['csm'], {
					sentimentBelow: z.number().min(-100).max(100).default(-40),
					arrAbove: z.number().min(0).default(100000),
					riskPercentileAbove: z.number().min(0).max(1).default(0.9)
				}),
				/** A milestone with `dueDays` not reached `overdueHours` after it was due, for accounts at most `maxAgeDays` old. */
				onboarding_stall: rule('medium', 8, ['customer', 'manager'], {
					overdueHours: z.number().min(0).default(24),
					maxAgeDays: positive.default(90)
				}),
				/** At least `accounts` distinct accounts opening tickets on one topic within `withinDays`. */
				product_gap: rule('high', 0, ['product'], { accounts: z.number().int().min(2).default(3), withinDays: positive.default(7) }),
				/** A live account past the first-value window (`windows.firstValueDays`), at most `maxAgeDays` old, without first value. */
				first_value_miss: rule('medium', 8, ['csm'], { maxAgeDays: positive.default(90) }),
				/** An automation repeating for one account (the `repeatAutomation` definition) within the last `withinDays`. */
				repeat_automation: rule('low', 24, ['product'], { withinDays: positive.default(7) })
			})
			.strict()
			.prefault({}),
		/** The server evaluates every rule this often, besides after each load and scoring job. */
		evaluateEveryMinutes: positive.default(60)
	})
	.strict()
	.prefault({});

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'must be a time HH:MM');
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** A working calendar: its time zone, working windows per weekday (a day left out has none) and holidays. */
const calendarSchema = z
	.object({
		timeZone,
		hours: z
			.partialRecord(
				z.enum(WEEKDAYS),
				z
					.array(z.tuple([clock, clock]))
					.refine((ws) => ws.every(([a, b]) => a < b), 'each window must start before it ends')
					.refine((ws) => ws.every((w, i) => i === 0 || ws[i - 1][1] <= w[0]), 'windows must be in order and not overlap')
			)
			.refine((h) => Object.values(h).some((ws) => ws && ws.length > 0), 'needs at least one working window'),
		holidays: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be dates YYYY-MM-DD')).default([])
	})
	.strict();

const DEFAULT_CALENDAR = {
	timeZone: 'UTC',
	hours: Object.fromEntries(WEEKDAYS.slice(0, 5).map((d) => [d, [['09:00', '17:00']]])),
	holidays: []
};

/**
 * Notifications: where messages go (a Slack-compatible incoming webhook for the product channel, SMTP email
 * for people), who the managers are, how often anyone hears about one account or at all (what is held back
 * goes into a digest), and how deliveries are retried. See README "Notifications".
 */
const notifySchema = z
	.object({
		/** The app's address as people reach it, for the links in messages (default: the server's own). */
		baseUrl: z.url({ message: 'must be a URL such as https://adoption.example.com' }).optional(),
		webhook: z
			.object({
				/** A Slack-compatible incoming webhook (`text` plus `blocks`). */
				url: z.url({ message: 'must be the webhook URL' }),
				/** Extra headers (e.g. an authorization for a non-Slack receiver). */
				headers: z.record(z.string(), z.string()).default({})
			})
			.strict()
			.optional(),
		email: z
			.object({
				host: z.string().min(1),
				port: z.number().int().min(1).max(65535).default(587),
				/** TLS from the start (port 465); otherwise STARTTLS when the server offers it. */
				secure: z.boolean().default(false),
				/** Refuse to send without TLS (STARTTLS required). */
				requireTls: z.boolean().default(false),
				user: z.string().optional(),
				/** The password, or the name of the environment variable that holds it (keeps it out of the file). */
				password: z.string().optional(),
				passwordEnv: z.string().optional(),
				from: z.string().min(3)
			})
			.strict()
			.optional(),
		/** Who "manager" means (emails); default: every active leader. */
		managers: z.array(z.email()).optional(),
		caps: z
			.object({
				perAccountPerDay: z.number().int().min(1).default(3),
				perRecipientPerDay: z.number().int().min(1).default(20)
			})
			.strict()
			.prefault({}),
		/** Emails to a person wait for their calendar's working hours. */
		quietHours: z.boolean().default(true),
		maxAttempts: z.number().int().min(1).max(50).default(8),
		backoffSeconds: positive.default(30),
		maxBackoffSeconds: positive.default(3600)
	})
	.strict()
	.prefault({});

/**
 * SLA clocks: calendars by name, which one each CSM works by (keyed by `accounts.csm` value or the
 * person's email; the default otherwise), and how the response time tightens for an account in poor
 * health or near its renewal (factors multiply).
 */
const slaSchema = z
	.object({
		calendars: z.record(z.string().min(1), calendarSchema).default({ default: DEFAULT_CALENDAR } as never),
		defaultCalendar: z.string().min(1).default('default'),
		csmCalendars: z.record(z.string().min(1), z.string().min(1)).default({}),
		tighten: z
			.object({
				healthBelow: z.number().min(0).max(100).default(40),
				healthFactor: z.number().gt(0).max(1).default(0.5),
				renewalWithinDays: z.number().min(0).default(60),
				renewalFactor: z.number().gt(0).max(1).default(0.5)
			})
			.strict()
			.prefault({}),
		/** An open alert is "due soon" (a warning is recorded and sent) this many hours before it is due. */
		dueSoonHours: z.number().min(0).default(1)
	})
	.strict()
	.superRefine((s, ctx) => {
		if (!s.calendars[s.defaultCalendar])
			ctx.addIssue({ code: 'custom', path: ['defaultCalendar'], message: `names no calendar in sla.calendars ('${s.defaultCalendar}')` });
		for (const [who, name] of Object.entries(s.csmCalendars))
			if (!s.calendars[name])
				ctx.addIssue({ code: 'custom', path: ['csmCalendars', who], message: `names no calendar in sla.calendars ('${name}')` });
	})
	.prefault({});

/**
 * The app's configuration: every window, event list, taxonomy and target the metrics use. All keys are
 * optional in the file; what it leaves out takes the default shown here. See README "Configuration".
 */
const configObject = z
	.object({
		/** Events that count as a customer's first value (time to first value). */
		firstValueEvents: z.array(eventOrCondition).min(1).default(['Integration Connected', 'Workflow Triggered']),
		/** Events that, with `kb_searches` rows, are self-service activity. */
		selfServiceEvents: z.array(event).min(1).default(['Article Viewed', 'Bot Conversation Started']),
		funnel: z
			.object({
				/** Ordered steps; a step may have its own window in days from entry. */
				steps: z
					.array(z.object({ event, windowDays: positive.optional() }).strict())
					.min(2)
					.default([
						{ event: 'Account Created' },
						{ event: 'User Invited' },
						{ event: 'Integration Connected' },
						{ event: 'Workflow Triggered' }
					]),
				/** Days from entry within which the steps must happen. */
				windowDays: positive.default(90)
			})
			.strict()
			.default({
				steps: [
					{ event: 'Account Created' },
					{ event: 'User Invited' },
					{ event: 'Integration Connected' },
					{ event: 'Workflow Triggered' }
				],
				windowDays: 90
			}),
		/**
		 * Milestone checklists per level (1 onboarding, 2 feature adoption, 3 advanced): an account holds a
		 * milestone once its event happened, until a later `revokedBy` event (e.g. the integration going
		 * outdated) takes it away; a later repeat of the event earns it back.
		 */
		milestones: z
			.array(
				z
					.object({
						level: z.union([z.literal(1), z.literal(2), z.literal(3)]),
						name: z.string().min(1),
						event: eventOrCondition,
						kind: z.enum(['technical', 'commitment']),
						revokedBy: eventOrCondition.optional(),
						/** Days after signup by which the milestone is due (the `onboarding_stall` alert); none: no due date. */
						dueDays: positive.optional()
					})
					.strict()
			)
			.min(1)
			.default(DEFAULT_MILESTONES),
		/** Ticket topics: a ticket takes the first topic whose tag it carries, else whose keyword is in its subject. */
		topics: z
			.array(
				z.object({ topic: z.string().min(1), tags: z.array(z.string()).default([]), keywords: z.array(z.string()).default([]) }).strict()
			)
			.default(DEFAULT_TOPICS),
		/** Events whose presence in a week makes an account retained that week (empty: any event). */
		retentionEvents: z.array(event).default([]),
		/** A user viewing the same page at least `views` times within `withinMinutes` is confused. */
		confusion: z
			.object({ views: z.number().int().min(2).default(3), withinMinutes: positive.default(2) })
			.strict()
			.default({ views: 3, withinMinutes: 2 }),
		/** An automation (`Automation Run`, `properties.automation`) firing `runs` times within `withinHours` for one account repeats. */
		repeatAutomation: z
			.object({ event: event.default('Automation Run'), runs: z.number().int().min(2).default(3), withinHours: positive.default(1) })
			.strict()
			.default({ event: 'Automation Run', runs: 3, withinHours: 1 }),
		windows: z
			.object({
				/** A ticket within this many hours after a self-service session means it was not deflected. */
				deflectionHours: positive.default(24),
				/** Self-service activities with gaps under this many minutes form one session. */
				sessionGapMinutes: positive.default(30),
				/** Days from signup within which first value counts as on time. */
				firstValueDays: positive.default(30)
			})
			.strict()
			.default({ deflectionHours: 24, sessionGapMinutes: 30, firstValueDays: 30 }),
		reporting: z
			.object({
				/** IANA time zone for trends (days, weeks, months). Storage is always UTC. */
				timeZone: timeZone.default('UTC'),
				weekStart: z.enum(['monday', 'sunday']).default('monday')
			})
			.strict()
			.default({ timeZone: 'UTC', weekStart: 'monday' }),
		churn: z
			.object({
				/** A snapshot's label: churned within this many days after its as-of date. */
				labelDays: z.number().int().min(7).max(365).default(90),
				/** Snapshots the backtest trains on: the latest `labelDays` before the test snapshot, then every `snapshotEveryDays` before it. */
				trainingSnapshots: z.number().int().min(1).max(36).default(12),
				snapshotEveryDays: z.number().int().min(7).max(365).default(30),
				/** Seed of every shuffle and initialisation: the same data and seed give the same model. */
				seed: z.number().int().default(42),
				/** Model kinds tried (see `models/core/classifier.ts`); the simplest is kept unless another is clearly better. */
				kinds: z
					.array(z.enum(['logistic', 'gbdt', 'mlp']))
					.min(1)
					.refine((k) => new Set(k).size === k.length, 'a kind is listed twice')
					.default(['logistic', 'gbdt', 'mlp'])
			})
			.strict()
			.default({ labelDays: 90, trainingSnapshots: 12, snapshotEveryDays: 30, seed: 42, kinds: ['logistic', 'gbdt', 'mlp'] }),
		/** Health score weights (normalised to sum 1; a missing part's weight goes to the others). */
		health: z
			.object({
				weights: z
					.object({
						risk: z.number().min(0).default(0.5),
						adoption: z.number().min(0).default(0.3),
						sentiment: z.number().min(0).default(0.2)
					})
					.strict()
					.refine((w) => w.risk + w.adoption + w.sentiment > 0, 'at least one weight must be above 0')
					.default({ risk: 0.5, adoption: 0.3, sentiment: 0.2 })
			})
			.strict()
			.default({ weights: { risk: 0.5, adoption: 0.3, sentiment: 0.2 } }),
		alerts: alertsSchema,
		sla: slaSchema,
		notify: notifySchema,
		/** Live sources (see `sources/`): how the tracking API's spool is loaded, and how Zendesk is synced. */
		sources: z
			.object({
				segment: z
					.object({
						/** Spooled calls are loaded at most this often (one transaction each, with their facts)… */
						flushEveryMs: z.number().int().min(100).max(60_000).default(1000),
						/** …or as soon as this many calls wait. */
						flushAtCalls: z.number().int().min(100).default(5000),
						/** Most calls one load takes (a spool segment is closed at this size): a backlog loads in steps, not one huge load. */
						maxLoadCalls: z.number().int().min(100).default(50_000),
						/** Past this many calls waiting to load, the tracking API answers 429 (Retry-After) until the loader catches up. */
						maxWaitingCalls: z.number().int().min(1000).default(1_000_000)
					})
					.strict()
					.prefault({}),
				zendesk: z
					.object({
						/** A Zendesk source is synced this often (a source's own `--every` wins). */
						everyMinutes: z.number().min(1).default(10),
						/** Requests a minute to Zendesk's incremental exports (Zendesk allows 10, more with the High Volume add-on). */
						requestsPerMinute: z.number().min(1).max(1000).default(10),
						/** A sync that cannot get a page for this long (429s, 5xx, a dropped network) stops and shows the error. */
						giveUpAfterMinutes: z.number().min(0.01).default(15),
						/** Records per page asked for (Zendesk's maximum is 1000). */
						pageSize: z.number().int().min(1).max(1000).default(1000)
					})
					.strict()
					.prefault({})
			})
			.strict()
			.prefault({}),
		/**
		 * Ticket triage: the queue a new ticket is suggested for, by the first routing rule whose conditions it
		 * meets (its topic, its account's plan and risk band; a rule without conditions catches the rest).
		 */
		triage: z
			.object({
				routing: z
					.array(
						z
							.object({
								topic: z.string().min(1).optional(),
								plan: z.string().min(1).optional(),
								risk: z.enum(['high', 'medium', 'low']).optional(),
								queue: z.string().min(1)
							})
							.strict()
					)
					.min(1)
					.default([
						{ risk: 'high', plan: 'enterprise', queue: 'Enterprise escalations' },
						{ topic: 'Billing', queue: 'Billing' },
						{ topic: 'SSO', queue: 'Identity & access' },
						{ topic: 'Permissions', queue: 'Identity & access' },
						{ risk: 'high', queue: 'At-risk accounts' },
						{ queue: 'Support' }
					]),
				/** Tickets created this many days before the end of the data are "new" on the Triage page. */
				recentDays: positive.default(7)
			})
			.strict()
			.prefault({}),
		/**
		 * Next best steps: for a milestone (by name), a page (a confusion hot spot) or an alert rule, the KB
		 * article or self-service automation that helps, shown on alerts and in messages.
		 */
		nextSteps: z
			.array(
				z
					.object({
						milestone: z.string().min(1).optional(),
						page: z.string().min(1).optional(),
						rule: z.enum(['high_value_risk', 'onboarding_stall', 'product_gap', 'first_value_miss', 'repeat_automation']).optional(),
						title: z.string().min(1),
						url: z.url({ message: 'must be a URL' }).optional()
					})
					.strict()
					.refine(
						(s) => [s.milestone, s.page, s.rule].filter((x) => x !== undefined).length === 1,
						'needs exactly one of milestone, page or rule'
					)
			)
			.default([]),
		/** Targets shown on dashboards, by metric id (rates as fractions). */
		targets: z
			.record(z.string(), z.number())
			.default({ deflection_rate: 0.4, kb_search_success: 0.8, zero_result_rate: 0.1, portal_adoption_rate: 0.7, self_service_csat: 4.0 })
	})
	.strict();

/** The config as written, event conditions and all. */
type RawConfig = z.output<typeof configObject>;
/** A milestone once its event (and what revokes it) are names. */
type Milestone = Omit<RawConfig['milestones'][number], 'event' | 'revokedBy'> & { event: string; revokedBy?: string };

/**
 * First value and milestones with every event condition replaced by its label, and the conditions by
 * label in `eventConditions`: the rest of the app reads event names, and only the key events
 * (`facts/key-events.ts`) turn a condition into dated rows.
 */
function resolveConditions(c: RawConfig): Omit<RawConfig, 'firstValueEvents' | 'milestones'> & {
	firstValueEvents: string[];
	milestones: Milestone[];
	eventConditions: Record<string, EventCondition>;
} {
	const eventConditions: Record<string, EventCondition> = {};
	const label = (e: string | EventCondition): string => {
		if (typeof e === 'string') return e;
		const l = conditionLabel(e);
		eventConditions[l] = e;
		return l;
	};
	const firstValueEvents = c.firstValueEvents.map(label);
	const milestones = c.milestones.map(({ event, revokedBy, ...m }) => ({
		...m,
		event: label(event),
		...(revokedBy === undefined ? {} : { revokedBy: label(revokedBy) })
	}));
	return { ...c, firstValueEvents, milestones, eventConditions };
}

/** Validates a config object and resolves its event conditions (see `resolveConditions`). */
export const configSchema = configObject.transform(resolveConditions);

/** The resolved configuration. */
export type Config = z.output<typeof configSchema>;

/** A configuration problem, with the file and key in its message. */
export class ConfigError extends Error {}

/** Validates a configuration object; the error names the first bad key (`funnel.windowDays: …`). */
export function parseConfig(raw: unknown, source = CONFIG_FILE): Config {
	const result = configSchema.safeParse(raw ?? {});
	if (!result.success) {
		const issue = result.error.issues[0];
		const key = issue.path.length ? issue.path.join('.') : '(top level)';
		throw new ConfigError(`${source}: ${key}: ${issue.message}`);
	}
	return result.data;
}

/** Reads and validates the config file when it exists; otherwise the defaults. */
export function loadConfig(file: string = process.env.ADOPTION_CONFIG || CONFIG_FILE): Config {
	if (!fs.existsSync(file)) return parseConfig({}, file);
	let raw: unknown;
	try {
		raw = JSON.parse(fs.readFileSync(file, 'utf8'));
	} catch (err) {
		throw new ConfigError(`${file}: not valid JSON: ${(err as Error).message}`);
	}
	return parseConfig(raw, file);
}
