import { performSources } from '../lib/server/jobs/channel.js';
import type { SourceView } from '../lib/server/sources/registry.js';
import { CliError, readStdinSecret, type Output } from './output.js';

/** A token piped on stdin (`--token-stdin`); an empty one is refused. */
async function stdinToken(): Promise<string> {
	const token = await readStdinSecret('--token-stdin reads the token from a pipe: echo "$ZENDESK_TOKEN" | adoption sources …');
	if (!token) throw new CliError('--token-stdin: nothing was piped in', 2);
	return token;
}

const when = (t: string | null) => (t ? t.replace('T', ' ').replace(/\.\d+Z$/, ' UTC') : 'never');

function describe(s: SourceView): string {
	const head = `#${s.id} ${s.name} (${s.kind}${s.key_hint ? `, key ${s.key_hint}` : ''}): ${s.state}`;
	const activity =
		s.kind === 'segment'
			? `${s.received.toLocaleString('en-US')} calls received, last ${when(s.last_received_at)}`
			: `last sync ${when(s.last_run_at)}, next ${when(s.next_run_at)}`;
	const rows = `${s.rows_in.toLocaleString('en-US')} rows in, ${s.rejected.toLocaleString('en-US')} rejected`;
	return `${head}; ${activity}; ${rows}${s.last_error ? `\n      last error: ${s.last_error}` : ''}`;
}

/** `adoption sources add segment --name NAME`: a write key for Segment's tracking API, printed once. */
export async function sourcesAddCommand(
	kind: string,
	opts: {
		db: string;
		name?: string;
		subdomain?: string;
		email?: string;
		url?: string;
		every?: string;
		oauth?: boolean;
		tokenStdin?: boolean;
	},
	out: Output
) {
	if (kind === 'segment') {
		if (!opts.name) throw new CliError('adoption sources add segment needs --name NAME (e.g. "web app")', 2);
		const doc = await performSources(opts.db, { kind: 'add_segment', params: { name: opts.name } });
		out.result(doc);
		out.info(`Added Segment source #${doc.id} '${doc.name}'. Its write key (shown this once, keep it secret):`);
		out.info(`  ${doc.write_key}`);
		out.info(
			`Point a Segment library or the Segment pipeline at this app's address (POST /v1/batch, HTTP Basic with the key as user name).`
		);
		return;
	}
	if (kind === 'zendesk') {
		if (!opts.subdomain || !opts.email) throw new CliError('adoption sources add zendesk needs --subdomain S and --email E', 2);
		if (!opts.tokenStdin) throw new CliError('adoption sources add zendesk reads the API token from stdin: add --token-stdin', 2);
		const every = opts.every === undefined ? undefined : Number(opts.every);
		if (every !== undefined && !Number.isFinite(every)) throw new CliError(`--every must be a number of minutes, not '${opts.every}'`, 2);
		const doc = await performSources(opts.db, {
			kind: 'add_zendesk',
			params: {
				name: opts.name,
				subdomain: opts.subdomain,
				email: opts.email,
				url: opts.url,
				token: await stdinToken(),
				auth: opts.oauth ? 'oauth' : 'token',
				everyMinutes: every
			}
		});
		out.result(doc);
		out.info(`Added Zendesk source #${doc.id} '${doc.name}'. A running server syncs it on its schedule; adoption sync zendesk syncs now.`);
		return;
	}
	throw new CliError(`adoption sources add takes segment or zendesk, not '${kind}'`, 2);
}

/** `adoption sources list`: every source with its state and what it brought in. */
export async function sourcesListCommand(opts: { db: string }, out: Output) {
	const doc = await performSources(opts.db, { kind: 'list', params: {} });
	out.result(doc);
	if (!doc.sources.length) out.info('No live sources yet: adoption sources add segment --name NAME, or adoption sources add zendesk …');
	for (const s of doc.sources) out.info(`  ${describe(s)}`);
}

/** The source a command names: its id when it is a number, else its name. */
const ref = (s: string) => (/^\d+$/.test(s) ? Number(s) : s);

/** `adoption sources pause|resume|revoke SOURCE`. */
export async function sourcesStateCommand(kind: 'pause' | 'resume' | 'revoke', source: string, opts: { db: string }, out: Output) {
	const doc = await performSources(opts.db, { kind, params: { source: ref(source) } });
	out.result(doc);
	const done = { pause: 'paused', resume: 'resumed', revoke: 'revoked' }[kind];
	out.info(doc.changed ? `Source '${doc.source.name}' ${done}.` : `Source '${doc.source.name}' was already ${doc.source.state}.`);
	if (kind === 'pause' && doc.source.kind === 'segment') out.info('Its calls are still taken and kept; they load when it is resumed.');
}

/** `adoption sources rotate SOURCE`: a new write key (printed once); the old one stops working at once. */
export async function sourcesRotateCommand(source: string, opts: { db: string }, out: Output) {
	const doc = await performSources(opts.db, { kind: 'rotate', params: { source: ref(source) } });
	out.result(doc);
	out.info(`New write key of '${doc.source.name}' (shown this once; the old one no longer works):`);
	out.info(`  ${doc.write_key}`);
}

/** `adoption sources token SOURCE --token-stdin`: a Zendesk source's new API token. */
export async function sourcesTokenCommand(source: string, opts: { db: string; tokenStdin?: boolean }, out: Output) {
	if (!opts.tokenStdin) throw new CliError('adoption sources token reads the token from stdin: add --token-stdin', 2);
	const doc = await performSources(opts.db, { kind: 'token', params: { source: ref(source), token: await stdinToken() } });
	out.result({ source: doc.source });
	out.info(`Token of '${doc.source.name}' replaced.`);
}
