import type { Database } from '../../db/client.ts';
import { hashToken } from '../identity/tokens.ts';
import { unauthenticated } from '../shared/errors.ts';
import { HOST_TOKEN_PREFIX } from './model.ts';
import { findHostByTokenHash } from './repository.ts';
import type { VmHostPrincipal } from './service.ts';

/**
 * The host a VM host token names; null for any other credential (left to user authentication).
 * Looked up on every request: agents are few, and a revoked token must stop working at once.
 * @throws UNAUTHENTICATED for an unknown or revoked host token.
 */
export async function authenticateHost(db: Database, token: string | null): Promise<VmHostPrincipal | null> {
  if (!token?.startsWith(HOST_TOKEN_PREFIX)) return null;
  if (token.length > 256) throw unauthenticated('Malformed Authorization header: expected "Bearer <token>"');
  const host = await findHostByTokenHash(db, hashToken(token));
  if (!host) throw unauthenticated('Invalid VM host token');
  if (host.revokedAt) throw unauthenticated('VM host token has been revoked');
  return { hostId: host.id, environmentId: host.environmentId };
}
