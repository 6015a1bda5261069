/**
 * Where a source's API token is kept: encrypted (AES-256-GCM) in the database, so a copy of the file opens
 * no one's Zendesk. The key is `ADOPTION_SECRET_KEY` when set (any long random text, e.g. `openssl rand -hex
 * 32`; kept out of the database's folder), else a key file beside the database (`<db>.key`, mode 0600: only
 * its owner reads it), made on first use. A token is never printed, logged, returned by an API or shown.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const VERSION = 'v1';

/** The key file of a database file. */
export function keyFile(dbPath: string): string {
	return `${path.resolve(dbPath)}.key`;
}

function key(dbPath: string): Buffer {
	const env = process.env.ADOPTION_SECRET_KEY;
	if (env !== undefined && env.trim() !== '') {
		if (env.trim().length < 16) throw new Error('ADOPTION_SECRET_KEY must be at least 16 characters (e.g. openssl rand -hex 32)');
		return crypto.createHash('sha256').update(env.trim()).digest();
	}
	if (dbPath === ':memory:') throw new Error('an in-memory database keeps no secrets: set ADOPTION_SECRET_KEY');
	const file = keyFile(dbPath);
	try {
		return Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
	} catch (err) {
		if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
	}
	const fresh = crypto.randomBytes(32);
	// `wx`: two processes racing to make the key keep the first one.
	try {
		fs.writeFileSync(file, fresh.toString('base64'), { mode: 0o600, flag: 'wx' });
		return fresh;
	} catch (err) {
		if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
		return Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
	}
}

/** `secret` encrypted for storage in `dbPath`'s database. */
export function seal(dbPath: string, secret: string): string {
	const iv = crypto.randomBytes(12);
	const cipher = crypto.createCipheriv('aes-256-gcm', key(dbPath), iv);
	const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
	return [VERSION, iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join(':');
}

/** The secret `sealed` holds; throws a message a person can act on when the key is not the one it was sealed with. */
export function unseal(dbPath: string, sealed: string): string {
	const [version, iv, tag, body] = sealed.split(':');
	if (version !== VERSION || !iv || !tag || body === undefined) throw new Error('the stored token is not in a form this version reads');
	try {
		const decipher = crypto.createDecipheriv('aes-256-gcm', key(dbPath), Buffer.from(iv, 'base64'));
		decipher.setAuthTag(Buffer.from(tag, 'base64'));
		return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
	} catch {
		throw new Error(
			`the stored token cannot be decrypted: the key (ADOPTION_SECRET_KEY, or ${path.basename(keyFile(dbPath))}) is not the one it was stored with; give the source its token again`
		);
	}
}
