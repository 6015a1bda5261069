/**
 * The secrets sign-in hands out (session tokens, API tokens): 256 random bits, stored only as their SHA-256
 * (a copy of the database opens nothing), and compared in time that does not depend on where they differ.
 */
import crypto from 'node:crypto';

/** A new secret: 256 random bits as base64url, after `prefix`. */
export function newSecret(prefix = ''): string {
	return prefix + crypto.randomBytes(32).toString('base64url');
}

/** What is stored of a secret: its SHA-256, hex. */
export function secretHash(secret: string): string {
	return crypto.createHash('sha256').update(secret).digest('hex');
}

/** Whether two secrets are equal, in time that does not depend on where they differ. */
export function sameSecret(a: string, b: string): boolean {
	const [x, y] = [Buffer.from(a), Buffer.from(b)];
	return x.length === y.length && crypto.timingSafeEqual(x, y);
}
