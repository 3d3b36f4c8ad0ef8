import { randomUUID } from 'node:crypto';
import type { Database } from '../../db/client.ts';
import { redact } from '../audit/record.ts';
import { insertAuditEntry } from '../audit/repository.ts';
import type { Clock } from '../shared/clock.ts';
import * as repo from './repository.ts';
import { generateToken, hashToken } from './tokens.ts';

/** The platform admin created on the first start; `npm run admin-token` mints tokens for it. */
export const ADMIN_LOGIN = 'admin';

/**
 * Mints a new API token for the platform admin `admin` (creating `admin` if the database has
 * none), for `npm run admin-token`. Local access to the database is the only proof asked: whoever
 * can open it can write these rows anyway. Audit-logged with no actor, in the same transaction.
 * @returns the secret, which is not stored and never shown again.
 */
export async function mintAdminToken(db: Database, clock: Clock): Promise<string> {
  const token = generateToken();
  const now = clock.now();
  const name = `admin-token ${now.toISOString()}`;
  await db.transaction(async (tx) => {
    const [existing] = await repo.findUsersByLogins(tx, [ADMIN_LOGIN]);
    const admin =
      existing ?? (await repo.insertUser(tx, { id: randomUUID(), login: ADMIN_LOGIN, name: 'Platform admin', isAdmin: true }));
    const row = await repo.insertApiToken(tx, { id: randomUUID(), userId: admin.id, name, tokenHash: hashToken(token), createdAt: now });
    await insertAuditEntry(tx, {
      id: randomUUID(),
      at: now,
      actorId: null,
      projectId: null,
      action: 'apiToken.create',
      targetType: 'ApiToken',
      targetId: row.id,
      details: redact({ name, login: ADMIN_LOGIN, via: 'npm run admin-token' }) as object,
      requestId: null,
    });
  });
  return token;
}

/**
 * Whether `token` currently authenticates a platform admin, without recording a use: the start-up
 * check of a GANTRY_ADMIN_TOKEN that was not used because the admin already existed.
 */
export async function isLiveAdminToken(db: Database, token: string, clock: Clock): Promise<boolean> {
  const found = await repo.findTokenByHash(db, hashToken(token));
  if (!found || !found.user.isAdmin || found.token.revokedAt) return false;
  return !found.token.expiresAt || found.token.expiresAt > clock.now();
}
