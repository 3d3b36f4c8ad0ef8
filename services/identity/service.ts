import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { API_TOKEN_SCOPES } from '../../db/schema/enums.ts';
import type { ApiTokenScope } from '../../resolvers/types.generated.ts';
import { requireAdmin, requirePrincipal, type Principal } from '../access/policy.ts';
import { notifyAccessChanged } from '../access/revalidation.ts';
import { recordAudit } from '../audit/record.ts';
import type { RequestScope } from '../scope.ts';
import type { Clock } from '../shared/clock.ts';
import { badInput, conflict, isUniqueViolation, notFound, unauthenticated } from '../shared/errors.ts';
import { idOf } from '../shared/ids.ts';
import { requireDnsLabel, requireText } from '../shared/validation.ts';
import * as repo from './repository.ts';
import { tokenCacheOf, tokenUseOf } from './token-cache.ts';
import { generateToken, hashToken } from './tokens.ts';

/** Arbitrary constant: serialises concurrent first starts of several processes. */
const BOOTSTRAP_LOCK = sql`select pg_advisory_xact_lock(7429001)`;

/** lastUsedAt is recorded at this resolution, so reads do not become writes. */
const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * Resolves the principal behind a bearer token: from the token cache when it was verified in the
 * last few seconds (no statement at all), else from the database. Its use is recorded off the
 * request path.
 * @param token null when the request carried no credentials.
 * @returns null for anonymous requests.
 * @throws UNAUTHENTICATED for an unknown, malformed, revoked or expired token.
 */
export async function authenticate(db: Database, token: string | null, clock: Clock): Promise<Principal | null> {
  if (token === null) return null;
  if (token.length === 0 || token.length > 256) throw unauthenticated('Malformed Authorization header: expected "Bearer <token>"');
  const hash = hashToken(token);
  const cache = tokenCacheOf(db);
  let entry = cache.get(hash, Date.now());
  if (!entry) {
    const generation = cache.generation;
    const found = await repo.findTokenByHash(db, hash);
    if (!found) throw unauthenticated('Invalid API token');
    if (found.token.revokedAt) throw unauthenticated('API token has been revoked');
    const principal: Principal = Object.freeze({ userId: found.user.id, login: found.user.login, isAdmin: found.user.isAdmin, tokenId: found.token.id, scopes: Object.freeze([...found.token.scopes]) });
    entry = { principal, expiresAt: found.token.expiresAt, cachedAt: Date.now() };
    // A lookup that began before a revocation must not be remembered after it.
    if (cache.generation === generation) cache.set(hash, entry);
  }
  const now = clock.now();
  if (entry.expiresAt && entry.expiresAt <= now) throw unauthenticated('API token has expired');
  tokenUseOf(db, LAST_USED_RESOLUTION_MS).record(entry.principal.tokenId, now);
  return entry.principal;
}

/**
 * Who may look a user up by ID: the user themself, platform admins, and users who share a
 * project with them. Anyone else gets NOT_FOUND, as for any object they cannot see, so user
 * IDs do not reveal who exists.
 */
export async function requireVisibleUser(scope: RequestScope, userId: string): Promise<repo.UserRow> {
  const principal = requirePrincipal(scope.principal);
  const user = await scope.loaders.userById.load(userId);
  if (!user) throw notFound('User');
  if (user.id !== principal.userId && !principal.isAdmin && !(await repo.shareAProject(scope.db, principal.userId, user.id))) {
    throw notFound('User');
  }
  return user;
}

/** `isAdmin` as the caller may see it: the truth for themself and for admins, false for anyone else. */
export function visibleIsAdmin(principal: Principal | null, user: repo.UserRow): boolean {
  if (!principal) return false;
  return principal.userId === user.id || principal.isAdmin ? user.isAdmin : false;
}

export interface CreateUserInput {
  login: string;
  name?: string | null;
  isAdmin?: boolean | null;
}

/** Admins only. @throws CONFLICT when the login is taken. */
export async function createUser(scope: RequestScope, input: CreateUserInput): Promise<repo.UserRow> {
  requireAdmin(scope.principal, 'create users');
  const login = requireDnsLabel('input.login', input.login);
  const name = input.name == null ? null : requireText('input.name', input.name, 200);
  try {
    return await scope.db.transaction(async (tx) => {
      const user = await repo.insertUser(tx, { id: randomUUID(), login, name, isAdmin: input.isAdmin ?? false });
      await recordAudit(tx, scope, { action: 'user.create', targetType: 'User', targetId: user.id, projectId: null, details: input });
      return user;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(`A user with this login already exists`, { field: 'input.login' });
    throw error;
  }
}

export interface CreateApiTokenInput {
  name: string;
  login?: string | null;
  expiresAt?: Date | null;
  scopes?: readonly ApiTokenScope[] | null;
}

/**
 * A new token's scopes, in API_TOKEN_SCOPES order without repeats. Default: all of them (what
 * every token could do before scopes existed).
 * @throws BAD_USER_INPUT on `input.scopes` when READ is missing: even a write-only robot reads the
 *   fields its mutations select.
 */
function tokenScopes(scopes: readonly ApiTokenScope[] | null | undefined): ApiTokenScope[] {
  if (scopes == null) return [...API_TOKEN_SCOPES];
  if (!scopes.includes('READ')) throw badInput('input.scopes', 'input.scopes must include READ (mutations read the fields they select); add WRITE to allow mutations');
  return API_TOKEN_SCOPES.filter((scope) => scopes.includes(scope));
}

/**
 * Mints a token for the caller, or (admins only) for `login`.
 * @returns the row and the secret, which is never stored or shown again.
 */
export async function createApiToken(
  scope: RequestScope,
  input: CreateApiTokenInput,
): Promise<{ apiToken: repo.ApiTokenRow; token: string }> {
  const principal = requirePrincipal(scope.principal);
  const name = requireText('input.name', input.name, 100);
  let userId = principal.userId;
  if (input.login != null && input.login !== principal.login) {
    requireAdmin(principal, 'create tokens for other users');
    const user = await scope.loaders.userByLogin.load(input.login);
    if (!user) throw notFound('User');
    userId = user.id;
  }
  if (input.expiresAt && input.expiresAt <= scope.clock.now()) {
    throw badInput('input.expiresAt', 'input.expiresAt must be in the future');
  }
  const scopes = tokenScopes(input.scopes);
  const token = generateToken();
  const apiToken = await scope.db.transaction(async (tx) => {
    const row = await repo.insertApiToken(tx, {
      id: randomUUID(),
      userId,
      name,
      tokenHash: hashToken(token),
      createdAt: scope.clock.now(),
      expiresAt: input.expiresAt ?? null,
      scopes,
    });
    await recordAudit(tx, scope, {
      action: 'apiToken.create',
      targetType: 'ApiToken',
      targetId: row.id,
      projectId: null,
      details: { name, login: input.login ?? principal.login, expiresAt: input.expiresAt ?? null, scopes },
    });
    return row;
  });
  return { apiToken, token };
}

/** Revokes the caller's own token (admins: any). Foreign tokens are NOT_FOUND. */
export async function revokeApiToken(scope: RequestScope, globalId: string): Promise<boolean> {
  const principal = requirePrincipal(scope.principal);
  const id = idOf('ApiToken', globalId, 'id');
  const token = await scope.loaders.tokenById.load(id);
  if (!token || (token.userId !== principal.userId && !principal.isAdmin)) throw notFound('API token');
  await scope.db.transaction(async (tx) => {
    const revoked = await repo.revokeToken(tx, id, scope.clock.now());
    if (!revoked) throw conflict('API token is already revoked');
    await recordAudit(tx, scope, { action: 'apiToken.revoke', targetType: 'ApiToken', targetId: id, projectId: null, details: { id: globalId } });
  });
  notifyAccessChanged(scope.db);
  return true;
}

/**
 * On a database with no users, creates the platform admin `admin` with `adminToken`, or with a
 * generated token that is returned so the caller can print it once. No-op otherwise.
 */
export async function bootstrapAdmin(
  db: Database,
  adminToken: string | undefined,
  clock: Clock,
): Promise<{ created: boolean; generatedToken: string | null }> {
  return db.transaction(async (tx) => {
    await tx.execute(BOOTSTRAP_LOCK);
    if ((await repo.countUsers(tx)) > 0) return { created: false, generatedToken: null };
    const token = adminToken ?? generateToken();
    const user = await repo.insertUser(tx, { id: randomUUID(), login: 'admin', name: 'Platform admin', isAdmin: true });
    await repo.insertApiToken(tx, { id: randomUUID(), userId: user.id, name: 'bootstrap', tokenHash: hashToken(token), createdAt: clock.now() });
    return { created: true, generatedToken: adminToken ? null : token };
  });
}
