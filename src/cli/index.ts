import { Command, Option } from 'commander';
import { resolveDbPath } from '../lib/server/db/connection.js';
import { alertsEvaluateCommand, alertsListCommand } from './alerts.js';
import { cohortsCommand } from './cohorts.js';
import { demoCommand } from './demo.js';
import { deriveCommand } from './derive.js';
import { generateCommand } from './generate.js';
import { loadCommand } from './load.js';
import { metricsCommand } from './metrics.js';
import { CliError, makeOutput } from './output.js';
import { serveCommand } from './serve.js';
import { sourcesAddCommand, sourcesListCommand, sourcesRotateCommand, sourcesStateCommand, sourcesTokenCommand } from './sources.js';
import { scoreCommand } from './score.js';
import { exportCommand } from './export.js';
import { statusCommand } from './status.js';
import { syncCommand } from './sync.js';
import { tokenCreateCommand, tokenListCommand, tokenRevokeCommand } from './token.js';
import { trainCommand } from './train.js';
import { triageCommand } from './triage.js';
import { userAddCommand, userDisableCommand, userListCommand, userResetCommand } from './user.js';

/** Options of the commands: `--db` and `--json` on all, the rest where declared. */
interface Opts {
	db: string;
	json?: boolean;
	table?: string;
	format?: string;
	port?: string;
	host?: string;
	out?: string;
	accounts?: string;
	seed?: string;
	asOf?: string;
	formats?: string;
	from?: string;
	to?: string;
	plan?: string;
	segment?: string;
	region?: string;
	csm?: string;
	cohort?: string;
	metric?: string;
	trend?: string;
	by?: string;
	list?: string;
	weeks?: string;
	skipDerived?: boolean;
	rebuild?: boolean;
	model?: string;
	features?: string;
	label?: string;
	id?: string;
	role?: string;
	name?: string;
	timeZone?: string;
	passwordStdin?: boolean;
	user?: string;
	state?: string;
	subdomain?: string;
	email?: string;
	url?: string;
	every?: string;
	oauth?: boolean;
	tokenStdin?: boolean;
	source?: string;
	stream?: string | boolean;
	writeKey?: string;
	rate?: string;
}

const program = new Command('adoption')
	.description('Adoption & support analytics on an embedded DuckDB database')
	.showHelpAfterError()
	.exitOverride();

/** Adds the common options and runs the action with uniform error handling (a subcommand of `parent` when given). */
function command<A extends unknown[]>(
	name: string,
	description: string,
	action: (...args: [...A, Opts]) => Promise<void>,
	parent = program
) {
	return parent
		.command(name)
		.description(description)
		.option('--db <file>', 'database file (default data/adoption.duckdb, or ADOPTION_DB)')
		.option('--json', 'print one JSON document on stdout')
		.action(async (...args: unknown[]) => {
			const opts = args[args.length - 2] as Partial<Opts>;
			await action(...(args.slice(0, -2) as A), { ...opts, db: resolveDbPath(opts.db) });
		});
}

command<[string[]]>('load <paths...>', 'load files into their tables (CSV, JSON Lines, Parquet, Segment, Zendesk)', (paths, o) =>
	loadCommand(paths, { db: o.db, table: o.table, format: o.format, skipDerived: o.skipDerived }, makeOutput(!!o.json))
)
	.option('--skip-derived', 'do not rebuild stale fact tables afterwards (metrics compute from raw data until `adoption derive`)')
	.option('--table <name>', 'the table to load into (default: from the file name)')
	.option('--format <format>', 'csv, jsonl, parquet, segment or zendesk (default: detected from the content)');

command<[]>('status', 'rows per table and the latest loads', (o) => statusCommand({ db: o.db }, makeOutput(!!o.json)));

command<[]>('derive', 'rebuild the stale fact tables (all of them with --rebuild)', (o) =>
	deriveCommand({ db: o.db, rebuild: o.rebuild }, makeOutput(!!o.json))
).option('--rebuild', 'rebuild every fact table, fresh or not');

/**
 * The web server's address: flags, else `PORT` and `HOST` as adapter-node reads them, else 3000 on
 * 127.0.0.1 (another interface is refused while nobody has been added to sign in).
 */
function withAddress(cmd: Command): Command {
	return cmd
		.addOption(new Option('--port <n>', 'port').env('PORT').default('3000'))
		.addOption(new Option('--host <host>', 'interface to listen on').env('HOST').default('127.0.0.1'));
}

withAddress(
	command<[]>('serve', 'serve the web app on the database', (o) =>
		serveCommand({ db: o.db, port: o.port ?? '3000', host: o.host ?? '127.0.0.1' }, makeOutput(!!o.json))
	)
);

command<[]>('generate', 'write a realistic sample data set with planted effects and ground truth', async (o) => {
	await generateCommand(
		{
			out: o.out!,
			accounts: o.accounts,
			seed: o.seed,
			asOf: o.asOf,
			formats: o.formats,
			stream: o.stream as string | undefined,
			writeKey: o.writeKey,
			rate: o.rate
		},
		makeOutput(!!o.json)
	);
})
	.requiredOption('--out <dir>', 'folder to write the files into')
	.option('--accounts <n>', 'number of accounts (200 to 1,000,000)', '2000')
	.option('--seed <s>', 'random seed: the same seed gives the same files', '42')
	.option('--as-of <date>', 'the end of the data, YYYY-MM-DD')
	.option('--formats <list>', "events' formats: parquet,jsonl (default: JSON Lines too up to 100,000 accounts)")
	.option('--stream <url>', "then send the generated Segment calls (segment.jsonl) to this app's tracking API, e.g. http://127.0.0.1:3000")
	.option('--write-key <key>', "the Segment source's write key for --stream (or ADOPTION_WRITE_KEY)")
	.option('--rate <n>', '--stream: calls a second (default: as fast as the API answers)');

command<[]>('metrics', 'adoption and self-service metrics, with filters', (o) =>
	metricsCommand(
		{
			db: o.db,
			from: o.from,
			to: o.to,
			plan: o.plan,
			segment: o.segment,
			region: o.region,
			csm: o.csm,
			cohort: o.cohort,
			asOf: o.asOf,
			metric: o.metric,
			trend: o.trend,
			by: o.by,
			list: o.list
		},
		makeOutput(!!o.json)
	)
)
	.option('--from <date>', 'first UTC day of activity to include (YYYY-MM-DD)')
	.option('--to <date>', 'last UTC day of activity to include (YYYY-MM-DD)')
	.option('--plan <plan>', 'only accounts on this plan')
	.option('--segment <segment>', 'only accounts in this segment')
	.option('--region <region>', 'only accounts in this region')
	.option('--csm <name>', 'only accounts of this CSM')
	.option('--cohort <month>', 'only accounts that signed up in this month (YYYY-MM)')
	.option('--as-of <date>', 'treat this UTC day as the end of the data')
	.option('--metric <ids>', 'only these metrics (comma-separated ids)')
	.option('--trend <grain>', 'also each metric per day, week or month')
	.option('--by <dimension>', 'also each metric per plan, segment, region, csm or cohort')
	.option(
		'--list <name>',
		'a list to act on instead: zero_result_queries, stale_articles, topics_trending, confusion_accounts, repeat_automations, activation_funnel, missed_first_value'
	);

command<[string]>(
	'cohorts <view>',
	'signup-month cohorts: activation or retention by week since signup, or the TTFV distribution',
	(view, o) => cohortsCommand(view, { ...o, db: o.db } as never, makeOutput(!!o.json))
)
	.option('--weeks <n>', 'weeks since signup to show', '12')
	.option('--from <date>', 'first signup day (YYYY-MM-DD)')
	.option('--to <date>', 'last signup day (YYYY-MM-DD)')
	.option('--plan <plan>', 'only accounts on this plan')
	.option('--segment <segment>', 'only accounts in this segment')
	.option('--region <region>', 'only accounts in this region')
	.option('--csm <name>', 'only accounts of this CSM')
	.option('--as-of <date>', 'treat this UTC day as the end of the data');

command<[string]>(
	'export <what>',
	'write the latest scores or the feature snapshot they came from as Parquet: scores or features',
	(what, o) => exportCommand(what, { db: o.db, out: o.out }, makeOutput(!!o.json))
).option('--out <file>', 'the Parquet file to write (FILE.parquet)');

command<[]>('train', 'train a model, evaluate it on held-out data and save it under models/', (o) =>
	trainCommand({ db: o.db, model: o.model, asOf: o.asOf, features: o.features, label: o.label, id: o.id }, makeOutput(!!o.json))
)
	.option('--model <name>', 'churn, csat, ces or triage (the ticket-topic classifier)', 'churn')
	.option('--as-of <date>', 'the date the model looks from (default: the day after the last data)')
	.option('--features <file>', 'train on your own account-level table instead (CSV or Parquet)')
	.option('--label <column>', 'with --features: the column to predict (Yes/No, true/false, 1/0)')
	.option('--id <column>', 'with --features: the identifier column (dropped from the inputs)');

command<[]>('score', 'score every account with the latest models and store the scores', (o) =>
	scoreCommand({ db: o.db, asOf: o.asOf, features: o.features, model: o.model, out: o.out }, makeOutput(!!o.json))
)
	.option('--as-of <date>', 'score as of this date (default: the day after the last data)')
	.option('--features <file>', 'score the rows of your own account-level table instead (CSV or Parquet); no database')
	.option('--model <name>', 'with --features: the model `train --features` saved, features-NAME')
	.option('--out <file>', "with --features: write every row's score to this .csv or .parquet file");

withAddress(
	command<[]>('demo', 'generate sample data if there is none, load it and serve the app', (o) =>
		demoCommand({ db: o.db, port: o.port ?? '3000', host: o.host ?? '127.0.0.1', stream: !!o.stream, rate: o.rate }, makeOutput(!!o.json))
	)
)
	.option(
		'--stream',
		"send the sample's Segment calls through the tracking API once the app is up (a live source moving), instead of loading them"
	)
	.option('--rate <n>', '--stream: calls a second', '200');

const alerts = program.command('alerts').description('alerts from the rules: evaluate them now, list them');
command<[]>(
	'evaluate',
	'evaluate every enabled rule (opens and resolves alerts; running it again with no change opens nothing)',
	(o) => alertsEvaluateCommand({ db: o.db, asOf: o.asOf }, makeOutput(!!o.json)),
	alerts
).option('--as-of <time>', 'evaluate as of this ISO 8601 time or date (default: now)');
command<[]>(
	'list',
	'the alerts, unresolved ones by due time first',
	(o) => alertsListCommand({ db: o.db, state: o.state }, makeOutput(!!o.json)),
	alerts
).option('--state <state>', 'only open, acknowledged, snoozed or resolved alerts');

command<[string[]]>(
	'triage [tickets...]',
	"tickets' topic, suggested queue and the requester's self-service trail before each",
	(tickets, o) => triageCommand(tickets ?? [], { db: o.db }, makeOutput(!!o.json))
);

const user = program.command('user').description("the team's people: add, list, disable, reset a password");
command<[string]>(
	'add <email>',
	'add a person (a generated password is printed once unless --password-stdin)',
	(email, o) =>
		userAddCommand(
			email,
			{ db: o.db, role: o.role, name: o.name, csm: o.csm, timeZone: o.timeZone, passwordStdin: o.passwordStdin },
			makeOutput(!!o.json)
		),
	user
)
	.requiredOption('--role <role>', 'leader, analyst or csm')
	.option('--name <name>', 'their name')
	.option('--csm <value>', 'the accounts.csm value of the accounts they look after (required for --role csm)')
	.option('--time-zone <zone>', 'IANA time zone for their SLA clocks (default: the reporting time zone)')
	.option('--password-stdin', 'read the password from stdin instead of generating one');
command<[]>('list', 'everyone, active or not', (o) => userListCommand({ db: o.db }, makeOutput(!!o.json)), user);
command<[string]>(
	'disable <email>',
	'stop a person signing in (their history stays)',
	(email, o) => userDisableCommand(email, { db: o.db }, makeOutput(!!o.json)),
	user
);
command<[string]>(
	'reset <email>',
	'give a person a new password (generated and printed once unless --password-stdin)',
	(email, o) => userResetCommand(email, { db: o.db, passwordStdin: o.passwordStdin }, makeOutput(!!o.json)),
	user
).option('--password-stdin', 'read the password from stdin instead of generating one');

const token = program.command('token').description("API tokens for scripts: Authorization: Bearer TOKEN acts as the token's person");
command<[]>(
	'create',
	'make a token for a person (printed once)',
	(o) => tokenCreateCommand({ db: o.db, user: o.user, name: o.name }, makeOutput(!!o.json)),
	token
)
	.requiredOption('--user <email>', 'whose token it is (it has their role)')
	.option('--name <name>', 'what it is for, e.g. the script');
command<[]>(
	'list',
	'every token, never the token itself',
	(o) => tokenListCommand({ db: o.db, user: o.user }, makeOutput(!!o.json)),
	token
).option('--user <email>', "only this person's tokens");
command<[string]>('revoke <id>', 'stop a token working', (id, o) => tokenRevokeCommand(id, { db: o.db }, makeOutput(!!o.json)), token);

const sources = program.command('sources').description('live sources: a Segment write key for the tracking API, a Zendesk account to sync');
command<[string]>(
	'add <kind>',
	'add a source: segment (prints its write key once) or zendesk (the API token from stdin)',
	(kind, o) =>
		sourcesAddCommand(
			kind,
			{
				db: o.db,
				name: o.name,
				subdomain: o.subdomain,
				email: o.email,
				url: o.url,
				every: o.every,
				oauth: o.oauth,
				tokenStdin: o.tokenStdin
			},
			makeOutput(!!o.json)
		),
	sources
)
	.option('--name <name>', 'what the source is called (required for segment; zendesk: "zendesk SUBDOMAIN")')
	.option('--subdomain <s>', 'zendesk: the account, as in S.zendesk.com')
	.option('--email <e>', 'zendesk: the agent the API token belongs to')
	.option('--url <base>', 'zendesk: replaces https://S.zendesk.com (a proxy, or a test server)')
	.option('--every <minutes>', 'zendesk: sync this often (default: sources.zendesk.everyMinutes, 10)')
	.option('--oauth', 'zendesk: the piped token is an OAuth access token, not an API token')
	.option('--token-stdin', 'zendesk: read the API token from stdin');
command<[]>(
	'list',
	'every source: state, what it brought in, the last error',
	(o) => sourcesListCommand({ db: o.db }, makeOutput(!!o.json)),
	sources
);
for (const [verb, what] of [
	['pause', 'stop loading a source (a Segment source keeps taking calls, loaded on resume)'],
	['resume', 'load a paused source again'],
	['revoke', 'stop a source for good: its key opens nothing, its token is forgotten, its rows stay']
] as const) {
	command<[string]>(
		`${verb} <source>`,
		what,
		(source, o) => sourcesStateCommand(verb, source, { db: o.db }, makeOutput(!!o.json)),
		sources
	);
}
command<[string]>(
	'rotate <source>',
	'a new write key for a Segment source (printed once); the old one stops working',
	(source, o) => sourcesRotateCommand(source, { db: o.db }, makeOutput(!!o.json)),
	sources
);
command<[string]>(
	'token <source>',
	"replace a Zendesk source's API token (from stdin)",
	(source, o) => sourcesTokenCommand(source, { db: o.db, tokenStdin: o.tokenStdin }, makeOutput(!!o.json)),
	sources
).option('--token-stdin', 'read the token from stdin');

command<[string]>('sync <kind>', 'sync a live source now: zendesk (every active Zendesk source, or --source)', (kind, o) =>
	syncCommand(kind, { db: o.db, source: o.source }, makeOutput(!!o.json))
).option('--source <source>', 'only this source (its id or name)');

// Output piped into `head` and the like: stop quietly when the reader goes away.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
	if (err.code === 'EPIPE') process.exit(0);
	throw err;
});

try {
	await program.parseAsync(process.argv);
} catch (err) {
	const e = err as Error & { code?: string; exitCode?: number };
	if (e.code?.startsWith('commander.')) {
		// Commander has printed its own message (help, version, usage error).
		process.exitCode = e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? 0 : 2;
	} else {
		process.stderr.write(`adoption: ${e.message.split('\n')[0]}\n`);
		process.exitCode = err instanceof CliError ? e.exitCode : 1;
	}
}
