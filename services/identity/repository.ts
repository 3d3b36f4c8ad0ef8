import { and, asc, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Tx } from '../../db/client.ts';
import { apiTokens, projectMembers, users } from '../../db/schema/index.ts';

export type UserRow = typeof users.$inferSelect;
export type ApiTokenRow = typeof apiTokens.$inferSelect;

export async function insertUser(tx: Tx, row: typeof users.$inferInsert): Promise<UserRow> {
  const [inserted] = await tx.insert(users).values(row).returning();
  return inserted!;
}

export async function findUsersByIds(tx: Tx, ids: readonly string[]): Promise<UserRow[]> {
  return tx.select().from(users).where(inArray(users.id, [...ids]));
}

export async function findUsersByLogins(tx: Tx, logins: readonly string[]): Promise<UserRow[]> {
  return tx.select().from(users).where(inArray(users.login, [...logins]));
}

export async function countUsers(tx: Tx): Promise<number> {
  const [row] = await tx.select({ n: sql<number>`count(*)::int` }).from(users);
  return row?.n ?? 0;
}

export async function insertApiToken(tx: Tx, row: typeof apiTokens.$inferInsert): Promise<ApiTokenRow> {
  const [inserted] = await tx.insert(apiTokens).values(row).returning();
  return inserted!;
}

/** The token with this hash and its owner, whatever its state (callers check expiry/revocation). */
export async function findTokenByHash(tx: Tx, tokenHash: string): Promise<{ token: ApiTokenRow; user: UserRow } | null> {
  const [row] = await tx
    .select({ token: apiTokens, user: users })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(eq(apiTokens.tokenHash, tokenHash));
  return row ?? null;
}

export async function findTokensByIds(tx: Tx, ids: readonly string[]): Promise<ApiTokenRow[]> {
  return tx.select().from(apiTokens).where(inArray(apiTokens.id, [...ids]));
}

/** Tokens not revoked, per user, oldest first. */
export async function findActiveTokensByUsers(tx: Tx, userIds: readonly string[]): Promise<ApiTokenRow[]> {
  return tx
    .select()
    .from(apiTokens)
    .where(and(inArray(apiTokens.userId, [...userIds]), isNull(apiTokens.revokedAt)))
    .orderBy(asc(apiTokens.createdAt), asc(apiTokens.id));
}

/** Marks a token revoked; false if it already was. */
export async function revokeToken(tx: Tx, id: string, at: Date): Promise<boolean> {
  const rows = await tx
    .update(apiTokens)
    .set({ revokedAt: at })
    .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
    .returning({ id: apiTokens.id });
  return rows.length > 0;
}

/**
 * Records use of tokens, at most once per `resolution` each: writing on every request would
 * turn every read into a write (and several processes may record the same minute).
 */
export async function touchTokens(tx: Tx, ids: readonly string[], at: Date, resolutionMs: number): Promise<void> {
  const threshold = new Date(at.getTime() - resolutionMs);
  await tx
    .update(apiTokens)
    .set({ lastUsedAt: at })
    .where(and(inArray(apiTokens.id, [...ids]), or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, threshold))));
}



/** True when the two users are members of at least one common project. */
export async function shareAProject(tx: Tx, userId: string, otherUserId: string): Promise<boolean> {
  const other = alias(projectMembers, 'other_member');
  const rows = await tx
    .select({ projectId: projectMembers.projectId })
    .from(projectMembers)
    .innerJoin(other, eq(other.projectId, projectMembers.projectId))
    .where(and(eq(projectMembers.userId, userId), eq(other.userId, otherUserId)))
    .limit(1);
  return rows.length > 0;
}
