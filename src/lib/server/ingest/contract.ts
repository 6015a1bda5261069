/**
 * The input data contract (PRODUCT.md) as data: for each loadable table its id column, its columns with
 * their type, whether they are required, their fixed value sets and references. Validation and merging
 * are generated from this, so a rule is written once.
 */

/** How a column's text is parsed. */
export type ColumnType = 'id' | 'text' | 'timestamp' | 'date' | 'integer' | 'double' | 'boolean' | 'json' | 'list';

/** One column of a contract table. */
export interface ColumnSpec {
	name: string;
	type: ColumnType;
	required?: boolean;
	/** Fixed set of allowed values (compared lower-cased; stored lower-cased). */
	values?: readonly string[];
	/** `accounts`: a non-empty value must name a loaded account. */
	references?: 'accounts';
}

/** A table rows can be loaded into. */
export interface TableSpec {
	name: string;
	/** Column matching rows across loads ("rows are matched by id"). */
	key: string;
	columns: ColumnSpec[];
	/** When a file supplies this column, a row older than the stored one does not overwrite it. */
	versionColumn?: string;
}

export const TICKET_STATUSES = ['new', 'open', 'pending', 'hold', 'solved', 'closed'] as const;
export const TICKET_CHANNELS = ['web', 'email', 'chat', 'bot', 'api', 'phone', 'other'] as const;
export const SURVEY_KINDS = ['csat', 'ces', 'nps'] as const;
export const SURVEY_CONTEXTS = ['self_service', 'agent', 'in_app'] as const;
/** Score range per survey kind. */
export const SURVEY_SCORE_RANGE: Record<(typeof SURVEY_KINDS)[number], [number, number]> = {
	csat: [1, 5],
	ces: [1, 7],
	nps: [0, 10]
};

const accountRef: ColumnSpec = { name: 'account_id', type: 'id', references: 'accounts' };

export const TABLES = {
	accounts: {
		name: 'accounts',
		key: 'account_id',
		columns: [
			{ name: 'account_id', type: 'id', required: true },
			{ name: 'name', type: 'text' },
			{ name: 'domain', type: 'text' },
			{ name: 'plan', type: 'text' },
			{ name: 'segment', type: 'text' },
			{ name: 'region', type: 'text' },
			{ name: 'arr', type: 'double' },
			{ name: 'created_at', type: 'timestamp', required: true },
			{ name: 'renewal_date', type: 'date' },
			{ name: 'csm', type: 'text' },
			{ name: 'churned_at', type: 'timestamp' }
		]
	},
	users: {
		name: 'users',
		key: 'user_id',
		columns: [
			{ name: 'user_id', type: 'id', required: true },
			accountRef,
			{ name: 'email', type: 'text' },
			{ name: 'role', type: 'text' },
			{ name: 'created_at', type: 'timestamp' }
		]
	},
	events: {
		name: 'events',
		key: 'event_id',
		columns: [
			{ name: 'event_id', type: 'id', required: true },
			{ name: 'user_id', type: 'id' },
			accountRef,
			{ name: 'event', type: 'text', required: true },
			{ name: 'timestamp', type: 'timestamp', required: true },
			{ name: 'page', type: 'text' },
			{ name: 'properties', type: 'json' },
			{ name: 'anonymous', type: 'boolean' }
		]
	},
	tickets: {
		name: 'tickets',
		key: 'ticket_id',
		versionColumn: 'updated_at',
		columns: [
			{ name: 'ticket_id', type: 'id', required: true },
			accountRef,
			{ name: 'requester_id', type: 'id' },
			{ name: 'created_at', type: 'timestamp', required: true },
			{ name: 'updated_at', type: 'timestamp' },
			{ name: 'first_reply_at', type: 'timestamp' },
			{ name: 'solved_at', type: 'timestamp' },
			{ name: 'status', type: 'text', values: TICKET_STATUSES },
			{ name: 'priority', type: 'text' },
			{ name: 'channel', type: 'text', values: TICKET_CHANNELS },
			{ name: 'channel_raw', type: 'text' },
			{ name: 'subject', type: 'text' },
			{ name: 'tags', type: 'list' },
			{ name: 'messages', type: 'integer' },
			{ name: 'reopened', type: 'boolean' },
			{ name: 'bot_handoff', type: 'boolean' },
			{ name: 'deleted', type: 'boolean' }
		]
	},
	kb_articles: {
		name: 'kb_articles',
		key: 'article_id',
		versionColumn: 'updated_at',
		columns: [
			{ name: 'article_id', type: 'id', required: true },
			{ name: 'title', type: 'text' },
			{ name: 'feature_area', type: 'text' },
			{ name: 'owner', type: 'text' },
			{ name: 'last_reviewed_at', type: 'timestamp' },
			{ name: 'updated_at', type: 'timestamp' },
			{ name: 'body', type: 'text' }
		]
	},
	kb_searches: {
		name: 'kb_searches',
		key: 'search_id',
		columns: [
			{ name: 'search_id', type: 'id', required: true },
			{ name: 'user_id', type: 'id' },
			accountRef,
			{ name: 'query', type: 'text' },
			{ name: 'timestamp', type: 'timestamp', required: true },
			{ name: 'results', type: 'integer' },
			{ name: 'clicked_article_id', type: 'id' }
		]
	},
	surveys: {
		name: 'surveys',
		key: 'response_id',
		columns: [
			{ name: 'response_id', type: 'id', required: true },
			accountRef,
			{ name: 'user_id', type: 'id' },
			{ name: 'ticket_id', type: 'id' },
			{ name: 'kind', type: 'text', required: true, values: SURVEY_KINDS },
			{ name: 'score', type: 'double', required: true },
			{ name: 'context', type: 'text', values: SURVEY_CONTEXTS },
			{ name: 'timestamp', type: 'timestamp', required: true }
		]
	},
	releases: {
		name: 'releases',
		key: 'release_id',
		columns: [
			{ name: 'release_id', type: 'id', required: true },
			{ name: 'released_at', type: 'timestamp', required: true },
			{ name: 'feature_area', type: 'text' },
			{ name: 'ui_change', type: 'boolean' }
		]
	},
	zendesk_users: {
		name: 'zendesk_users',
		key: 'zendesk_user_id',
		columns: [
			{ name: 'zendesk_user_id', type: 'id', required: true },
			{ name: 'email', type: 'text' },
			{ name: 'name', type: 'text' },
			{ name: 'role', type: 'text' },
			{ name: 'external_id', type: 'id' },
			{ name: 'organization_id', type: 'id' }
		]
	},
	zendesk_organizations: {
		name: 'zendesk_organizations',
		key: 'zendesk_organization_id',
		columns: [
			{ name: 'zendesk_organization_id', type: 'id', required: true },
			{ name: 'name', type: 'text' },
			{ name: 'external_id', type: 'id' },
			{ name: 'domain_names', type: 'list' }
		]
	},
	truth: {
		name: 'truth',
		key: 'account_id',
		columns: [
			{ name: 'account_id', type: 'id', required: true, references: 'accounts' },
			{ name: 'churned', type: 'boolean' },
			{ name: 'churn_probability', type: 'double' },
			{ name: 'churned_90d', type: 'boolean' },
			{ name: 'churn_probability_90d', type: 'double' },
			{ name: 'hazard_per_year', type: 'double' },
			{ name: 'first_value_within_30d', type: 'boolean' },
			{ name: 'engagement', type: 'double' },
			{ name: 'friction', type: 'double' },
			{ name: 'effort', type: 'double' },
			{ name: 'search_failure', type: 'double' },
			{ name: 'satisfaction', type: 'double' }
		]
	}
} as const satisfies Record<string, TableSpec>;

/** A table name of the contract (plus the Zendesk identity map). */
export type TableName = keyof typeof TABLES;

/** Whether `name` is a loadable table. */
export function isTableName(name: string): name is TableName {
	return Object.hasOwn(TABLES, name);
}

/** The spec of a table, typed loosely for generic code. */
export function tableSpec(name: TableName): TableSpec {
	return TABLES[name] as TableSpec;
}

/**
 * Order in which several files load in one call: referenced tables first (accounts and Zendesk
 * organizations, users and Zendesk users), then the rest; ticket metrics after tickets.
 */
export const LOAD_ORDER: readonly string[] = [
	'accounts',
	'zendesk_organizations',
	'users',
	'zendesk_users',
	'events',
	'tickets',
	'ticket_metrics',
	'kb_articles',
	'kb_searches',
	'surveys',
	'releases',
	'truth'
];
