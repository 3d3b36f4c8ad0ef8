import { createHash, randomBytes } from 'node:crypto';

/** Prefix that makes Gantry tokens recognisable to secret scanners and humans. */
export const TOKEN_PREFIX = 'gnt_';

/** A new secret: 32 random bytes, base64url, prefixed. */
export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/** What is stored: SHA-256 of the secret. Tokens have 256 bits of entropy, so no salt/KDF is needed. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Extracts the token from an `Authorization` header value; null when absent or not Bearer. */
export function bearerToken(header: string | undefined | null): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : '';
}
