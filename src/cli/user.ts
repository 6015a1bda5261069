import { performPeople } from '../lib/server/jobs/channel.js';
import type { Person } from '../lib/server/db/repositories/people.repository.js';
import { readStdinSecret, type Output } from './output.js';

/** The password piped on stdin (`--password-stdin`). */
const stdinPassword = () => readStdinSecret('--password-stdin reads the password from a pipe: echo "$PASSWORD" | adoption user …');

const describe = (p: Person) => `${p.email}${p.name ? ` (${p.name})` : ''}: ${p.role}${p.csm ? ` for csm '${p.csm}'` : ''}, ${p.time_zone}`;

/** `adoption user add EMAIL --role R`: a person of the team; a generated password is printed once when none is piped in. */
export async function userAddCommand(
	email: string,
	opts: { db: string; role?: string; name?: string; csm?: string; timeZone?: string; passwordStdin?: boolean },
	out: Output
) {
	const password = opts.passwordStdin ? await stdinPassword() : undefined;
	const doc = await performPeople(opts.db, {
		kind: 'add',
		params: { email, role: opts.role as never, name: opts.name, csm: opts.csm, timeZone: opts.timeZone, password }
	});
	out.result(doc);
	out.info(`Added ${describe(doc.person)}.`);
	if (doc.password) out.info(`Password (shown once, give it to them privately): ${doc.password}`);
	if (doc.book_accounts === 0) out.info(`No account has csm '${opts.csm}' yet: check the spelling against accounts.csm.`);
	else if (doc.book_accounts !== undefined) out.info(`Their book: ${doc.book_accounts.toLocaleString('en-US')} accounts.`);
}

/** `adoption user list`: everyone, active or not. */
export async function userListCommand(opts: { db: string }, out: Output) {
	const { people } = await performPeople(opts.db, { kind: 'list', params: {} });
	out.result({ people });
	if (!people.length) out.info('No people yet: the app runs in local mode. Add a leader: adoption user add EMAIL --role leader');
	for (const p of people) out.info(`  ${p.active ? ' ' : '✕'} ${describe(p)}${p.active ? '' : ' (disabled)'}`);
}

/** `adoption user disable EMAIL`: they can no longer sign in; their history stays. */
export async function userDisableCommand(email: string, opts: { db: string }, out: Output) {
	const doc = await performPeople(opts.db, { kind: 'disable', params: { email } });
	out.result(doc);
	out.info(doc.changed ? `Disabled ${doc.person.email}.` : `${doc.person.email} was already disabled.`);
}

/** `adoption user reset EMAIL`: a new password (piped in, or generated and printed once). */
export async function userResetCommand(email: string, opts: { db: string; passwordStdin?: boolean }, out: Output) {
	const password = opts.passwordStdin ? await stdinPassword() : undefined;
	const doc = await performPeople(opts.db, { kind: 'reset', params: { email, password } });
	out.result(doc);
	out.info(
		doc.password ? `New password for ${doc.person.email} (shown once): ${doc.password}` : `Password of ${doc.person.email} changed.`
	);
}
