/**
 * Passwords: hashed with argon2id (`@node-rs/argon2`, prebuilt for each platform from the npm registry)
 * at OWASP's recommended cost (19 MiB, two passes, one lane), checked against the hash in constant time
 * by the library, never stored, logged or returned in clear. A generated password has 120 random bits.
 */
import crypto from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

const COST = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

/** The shortest password accepted: long enough that a generated-looking passphrase beats guessing. */
export const MIN_PASSWORD_LENGTH = 12;
/** The longest: hashing cost must not depend on what a client sends. */
export const MAX_PASSWORD_LENGTH = 256;

/** Why `password` cannot be used, or null when it can. */
export function passwordProblem(password: string): string | null {
	if (password.length < MIN_PASSWORD_LENGTH) return `a password must have at least ${MIN_PASSWORD_LENGTH} characters`;
	if (password.length > MAX_PASSWORD_LENGTH) return `a password must have at most ${MAX_PASSWORD_LENGTH} characters`;
	return null;
}

/** The argon2id hash (PHC string: algorithm, cost, salt and hash) of `password`. */
export function hashPassword(password: string): Promise<string> {
	return hash(password, COST);
}

/** Whether `password` is the one `stored` was made from. */
export async function passwordMatches(stored: string, password: string): Promise<boolean> {
	return verify(stored, password).catch(() => false);
}

/** A random password (20 characters of base64url) for a person added without one. */
export function generatePassword(): string {
	return crypto.randomBytes(15).toString('base64url');
}
