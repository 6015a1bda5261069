/**
 * Kysely table types. Values are as `values.ts` returns them: timestamps are ISO strings in UTC,
 * dates `YYYY-MM-DD`, counts numbers, lists arrays.
 */
import type { Generated } from 'kysely';

type Ts = string;

export interface AccountsTable {
	account_id: string;
	name: string | null;
	domain: string | null;
	plan: string | null;
	segment: string | null;
	region: string | null;
	arr: number | null;
	created_at: Ts;
	renewal_date: string | null;
	csm: string | null;
	churned_at: Ts | null;
}

export interface UsersTable {
	user_id: string;
	account_id: string | null;
	email: string | null;
	role: string | null;
	created_at: Ts | null;
}

export interface EventsTable {
	event_id: string;
	user_id: string | null;
	account_id: string | null;
	event: string;
	timestamp: Ts;
	page: string | null;
	properties: string | null;
	anonymous: Generated<boolean>;
}

export interface TicketsTable {
	ticket_id: string;
	account_id: string | null;
	requester_id: string | null;
	created_at: Ts;
	updated_at: Ts | null;
	first_reply_at: Ts | null;
	solved_at: Ts | null;
	status: string | null;
	priority: string | null;
	channel: string | null;
	channel_raw: string | null;
	subject: string | null;
	tags: string[] | null;
	messages: number | null;
	reopened: boolean | null;
	bot_handoff: boolean | null;
	deleted: Generated<boolean>;
}

export interface KbArticlesTable {
	article_id: string;
	title: string | null;
	feature_area: string | null;
	owner: string | null;
	last_reviewed_at: Ts | null;
	updated_at: Ts | null;
	body: string | null;
}

export interface KbSearchesTable {
	search_id: string;
	user_id: string | null;
	account_id: string | null;
	query: string | null;
	timestamp: Ts;
	results: number | null;
	clicked_article_id: string | null;
}

export interface SurveysTable {
	response_id: string;
	account_id: string | null;
	user_id: string | null;
	ticket_id: string | null;
	kind: 'csat' | 'ces' | 'nps';
	score: number;
	context: string | null;
	timestamp: Ts;
}

export interface ReleasesTable {
	release_id: string;
	released_at: Ts;
	feature_area: string | null;
	ui_change: boolean | null;
}

export interface ZendeskUsersTable {
	zendesk_user_id: string;
	email: string | null;
	name: string | null;
	role: string | null;
	external_id: string | null;
	organization_id: string | null;
}

export interface ZendeskOrganizationsTable {
	zendesk_organization_id: string;
	name: string | null;
	external_id: string | null;
	domain_names: string[] | null;
}

export interface LoadsTable {
	load_id: Generated<number>;
	file: string;
	sha256: string | null;
	table_name: string | null;
	format: string | null;
	accepted: Generated<number>;
	updated: Generated<number>;
	skipped: Generated<number>;
	rejected: Generated<number>;
	started_at: Ts;
	finished_at: Ts | null;
	outcome: 'ok' | 'failed';
	message: string | null;
	derived: string | null;
	/** The live source the load came from; null for a file someone loaded. */
	source_id: number | null;
}

export interface RejectedRowsTable {
	load_id: number;
	file: string;
	table_name: string | null;
	line: number | null;
	field: string | null;
	reason: string;
	raw: string | null;
}

export interface AccountScoresTable {
	account_id: string;
	as_of: Ts;
	model: string;
	version: string;
	churn_probability: number;
	risk_percentile: number;
	risk_band: 'high' | 'medium' | 'low';
	health: number | null;
	adoption: number | null;
	sentiment: number | null;
	/** JSON: `[{feature, impact, text}]`. */
	drivers: string | null;
	scored_at: Ts;
}

export interface TruthTable {
	account_id: string;
	churned: boolean | null;
	churn_probability: number | null;
	churned_90d: boolean | null;
	churn_probability_90d: number | null;
	hazard_per_year: number | null;
	first_value_within_30d: boolean | null;
	engagement: number | null;
	friction: number | null;
	effort: number | null;
	search_failure: number | null;
	satisfaction: number | null;
}

export interface SchemaMigrationsTable {
	version: number;
	name: string;
	applied_at: Generated<Ts>;
}

/** A member of the team using the app (see `auth/people.ts`). */
export interface PeopleTable {
	person_id: number;
	email: string;
	name: string | null;
	role: string;
	csm: string | null;
	time_zone: string;
	active: boolean;
	password_hash: string;
	created_at: Ts;
	updated_at: Ts;
}

export interface SignInSessionsTable {
	token_hash: string;
	person_id: number;
	created_at: Ts;
	last_seen_at: Ts;
	expires_at: Ts;
	revoked_at: Ts | null;
	address: string | null;
	user_agent: string | null;
}

export interface ApiTokensTable {
	token_id: number;
	person_id: number;
	name: string | null;
	token_hash: string;
	created_at: Ts;
	last_used_at: Ts | null;
	revoked_at: Ts | null;
}

export interface AuditLogTable {
	audit_id: number;
	changed_at: Ts;
	actor: string;
	address: string | null;
	action: string;
	object: string;
	before: string | null;
	after: string | null;
}

/** An alert a rule opened (see `alerts/evaluate.ts`); JSON columns as text. */
export interface AlertsTable {
	alert_id: number;
	fingerprint: string;
	rule: string;
	account_id: string | null;
	topic: string | null;
	severity: string;
	evidence: string;
	state: string;
	created_at: Ts;
	respond_hours: number;
	sla_factor: number;
	sla_reasons: string;
	calendar: string;
	due_at: Ts;
	responded_at: Ts | null;
	due_soon_at: Ts | null;
	breached_at: Ts | null;
	snoozed_until: Ts | null;
	pauses: string;
	assignee: string | null;
	acknowledged_at: Ts | null;
	acknowledged_by: string | null;
	resolved_at: Ts | null;
	resolved_by: string | null;
	outcome: string | null;
	resolution: string | null;
	version: number;
	updated_at: Ts;
}

export interface AlertEventsTable {
	alert_id: number;
	happened_at: Ts;
	kind: string;
	actor: string | null;
	text: string | null;
	detail: string | null;
}

export interface AlertConditionsTable {
	fingerprint: string;
	rule: string;
	account_id: string | null;
	topic: string | null;
	held_from: number | null;
	cleared_from: number | null;
	since: Ts | null;
	value: number | null;
	evidence: string | null;
	suppressed: boolean;
}

export interface AlertEvaluationsTable {
	evaluation_id: number;
	rule: string;
	as_of: Ts;
	clock: Ts;
	ran_at: Ts;
	trigger: string;
	settings: string;
	matched: number;
	opened: number;
	resolved: number;
	/** Subjects whose condition holds but not yet long enough (hysteresis). */
	waiting: number;
	/** Subjects whose condition holds but whose alert a person resolved while it held. */
	suppressed: number;
	ms: number;
}

/** A message of the durable outbox (see `notify/outbox.ts`). */
export interface OutboxTable {
	message_id: number;
	idempotency_key: string;
	alert_id: number | null;
	rule: string | null;
	account_id: string | null;
	event: string;
	channel: string;
	recipient: string;
	subject: string;
	body: string;
	payload: string;
	state: string;
	reason: string | null;
	attempts: number;
	next_attempt_at: Ts;
	lease_until: Ts | null;
	last_error: string | null;
	digest_id: number | null;
	created_at: Ts;
	sent_at: Ts | null;
}

export interface NotificationOptoutsTable {
	recipient: string;
	channel: string;
	rule: string | null;
	opted_out_at: Ts;
}

export interface AppSecretsTable {
	name: string;
	value: string;
	created_at: Ts;
}

export interface SourcesTable {
	source_id: number;
	kind: 'segment' | 'zendesk';
	name: string;
	state: 'active' | 'paused' | 'revoked';
	key_hash: string | null;
	key_hint: string | null;
	settings: string;
	secret: string | null;
	spooled_through: Generated<number>;
	received: Generated<number>;
	last_received_at: Ts | null;
	last_run_at: Ts | null;
	last_success_at: Ts | null;
	next_run_at: Ts | null;
	last_error: string | null;
	last_error_at: Ts | null;
	created_at: Ts;
	updated_at: Ts;
}

export interface SourceCursorsTable {
	source_id: number;
	stream: string;
	cursor: string;
	updated_at: Ts;
}

export interface Schema {
	accounts: AccountsTable;
	users: UsersTable;
	events: EventsTable;
	tickets: TicketsTable;
	kb_articles: KbArticlesTable;
	kb_searches: KbSearchesTable;
	surveys: SurveysTable;
	releases: ReleasesTable;
	zendesk_users: ZendeskUsersTable;
	zendesk_organizations: ZendeskOrganizationsTable;
	truth: TruthTable;
	account_scores: AccountScoresTable;
	loads: LoadsTable;
	rejected_rows: RejectedRowsTable;
	schema_migrations: SchemaMigrationsTable;
	people: PeopleTable;
	sign_in_sessions: SignInSessionsTable;
	api_tokens: ApiTokensTable;
	audit_log: AuditLogTable;
	alerts: AlertsTable;
	alert_events: AlertEventsTable;
	alert_conditions: AlertConditionsTable;
	alert_evaluations: AlertEvaluationsTable;
	outbox: OutboxTable;
	notification_optouts: NotificationOptoutsTable;
	app_secrets: AppSecretsTable;
	sources: SourcesTable;
	source_cursors: SourceCursorsTable;
}
