import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Database, Tx } from '../../db/client.ts';
import { vmHosts, vmPools } from '../../db/schema/index.ts';

export type VmHostRow = typeof vmHosts.$inferSelect;
export type VmPoolRow = typeof vmPools.$inferSelect;

export async function insertHost(tx: Tx, row: typeof vmHosts.$inferInsert): Promise<VmHostRow> {
  const [inserted] = await tx.insert(vmHosts).values(row).returning();
  return inserted!;
}

/** Live (not revoked) hosts by id. */
export async function findHostsByIds(db: Database | Tx, ids: readonly string[]): Promise<VmHostRow[]> {
  if (ids.length === 0) return [];
  return db.select().from(vmHosts).where(and(inArray(vmHosts.id, [...ids]), isNull(vmHosts.revokedAt)));
}

/** A live host by its token's hash (agent authentication). */
export async function findHostByTokenHash(db: Database, tokenHash: string): Promise<VmHostRow | null> {
  const [row] = await db.select().from(vmHosts).where(eq(vmHosts.tokenHash, tokenHash));
  return row ?? null;
}

/** Live hosts of the environments given, by name. */
export async function hostsOfEnvironments(db: Database | Tx, environmentIds: readonly string[]): Promise<VmHostRow[]> {
  if (environmentIds.length === 0) return [];
  return db
    .select()
    .from(vmHosts)
    .where(and(inArray(vmHosts.environmentId, [...environmentIds]), isNull(vmHosts.revokedAt)))
    .orderBy(asc(vmHosts.environmentId), asc(vmHosts.name));
}

export async function revokeHost(tx: Tx, id: string, at: Date): Promise<VmHostRow | null> {
  const [row] = await tx
    .update(vmHosts)
    .set({ revokedAt: at, version: sql`${vmHosts.version} + 1` })
    .where(and(eq(vmHosts.id, id), isNull(vmHosts.revokedAt)))
    .returning();
  return row ?? null;
}

/** The agent's report: contact time, version, health, address, message. */
export async function recordReport(
  db: Database,
  id: string,
  report: { at: Date; version: string | null; healthy: boolean; address: string; message: string | null },
): Promise<VmHostRow | null> {
  const [row] = await db
    .update(vmHosts)
    .set({ lastSeenAt: report.at, reportedVersion: report.version, healthy: report.healthy, address: report.address, message: report.message, version: sql`${vmHosts.version} + 1` })
    .where(and(eq(vmHosts.id, id), isNull(vmHosts.revokedAt)))
    .returning();
  return row ?? null;
}

/** Points the host at a release (the engine's rollout), or at nothing. */
export async function setDesiredRelease(tx: Database | Tx, id: string, releaseId: string | null): Promise<void> {
  await tx.update(vmHosts).set({ desiredReleaseId: releaseId, version: sql`${vmHosts.version} + 1` }).where(eq(vmHosts.id, id));
}

export async function findPool(db: Database | Tx, environmentId: string): Promise<VmPoolRow | null> {
  const [row] = await db.select().from(vmPools).where(eq(vmPools.environmentId, environmentId));
  return row ?? null;
}

/** The pool of an environment, created with `frontendPort` if it has none (ports are never changed after). */
export async function ensurePool(tx: Tx, environmentId: string, frontendPort: number): Promise<VmPoolRow> {
  await tx.insert(vmPools).values({ environmentId, frontendPort }).onConflictDoNothing();
  return (await findPool(tx, environmentId))!;
}

/** Every pool, for the load balancer's layout (a retired one keeps its frontend, cloud only). */
export async function allPools(db: Database): Promise<VmPoolRow[]> {
  return db.select().from(vmPools);
}

export async function recordApplied(db: Database | Tx, environmentId: string, cloudWeight: number, at: Date): Promise<void> {
  await db.update(vmPools).set({ cloudWeight, appliedAt: at, version: sql`${vmPools.version} + 1` }).where(eq(vmPools.environmentId, environmentId));
}

export async function retirePool(tx: Tx, environmentId: string, at: Date): Promise<void> {
  await tx.update(vmPools).set({ retiredAt: at, version: sql`${vmPools.version} + 1` }).where(eq(vmPools.environmentId, environmentId));
}
