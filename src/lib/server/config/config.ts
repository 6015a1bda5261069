import fs from 'node:fs';
import { z } from 'zod';

/** Default milestone checklists (see `milestones`). */
const DEFAULT_MILESTONES = [
	{ level: 1 as const, name: 'Team invited', event: 'User Invited', kind: 'commitment' as const },
	{
		level: 1 as const,
		name: 'Integration connected',
		event: 'Integration Connected',
		kind: 'technical' as const,
		revokedBy: 'Integration Version Outdated'
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
 * The app's configuration: every window, event list, taxonomy and target the metrics use. All keys are
 * optional in the file; what it leaves out takes the default shown here. See README "Configuration".
 */
export const configSchema = z
	.object({
		/** Events that count as a customer's first value (time to first value). */
		firstValueEvents: z.array(event).min(1).default(['Integration Connected', 'Workflow Triggered']),
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
						event,
						kind: z.enum(['technical', 'commitment']),
						revokedBy: event.optional()
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
				timeZone: z.string().refine(validTimeZone, 'must be an IANA time zone such as UTC or Europe/Berlin').default('UTC'),
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
				seed: z.number().int().default(42)
			})
			.strict()
			.default({ labelDays: 90, trainingSnapshots: 12, snapshotEveryDays: 30, seed: 42 }),
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
		/** Targets shown on dashboards, by metric id (rates as fractions). */
		targets: z
			.record(z.string(), z.number())
			.default({ deflection_rate: 0.4, kb_search_success: 0.8, zero_result_rate: 0.1, portal_adoption_rate: 0.7, self_service_csat: 4.0 })
	})
	.strict();

/** The resolved configuration. */
export type Config = z.infer<typeof configSchema>;

function validTimeZone(tz: string): boolean {
	try {
		new Intl.DateTimeFormat('en-US', { timeZone: tz });
		return true;
	} catch {
		return false;
	}
}

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
