import { randomUUID } from 'node:crypto';
import { and, asc, desc, eq, gt, inArray, lt, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import { configRevisions, environments } from '../../db/schema/index.ts';

export type ConfigRevisionRow = typeof configRevisions.$inferSelect;

export async function insertRevision(tx: Tx, row: typeof configRevisions.$inferInsert): Promise<ConfigRevisionRow> {
  const [inserted] = await tx.insert(configRevisions).values(row).returning();
  return inserted!;
}

/** Locks the environment row: serialises revisions of one environment (and their numbers). */
export async function lockEnvironment(tx: Tx, environmentId: string): Promise<boolean> {
  const rows = await tx.select({ id: environments.id }).from(environments).where(eq(environments.id, environmentId)).for('update');
  return rows.length > 0;
}

/** The newest revision of each environment given. */
export async function latestRevisions(tx: Tx, environmentIds: readonly string[]): Promise<ConfigRevisionRow[]> {
  if (environmentIds.length === 0) return [];
  return tx
    .selectDistinctOn([configRevisions.environmentId])
    .from(configRevisions)
    .where(inArray(configRevisions.environmentId, [...environmentIds]))
    .orderBy(configRevisions.environmentId, desc(configRevisions.number));
}

export async function findRevisionsByIds(tx: Tx, ids: readonly string[]): Promise<ConfigRevisionRow[]> {
  return tx.select().from(configRevisions).where(inArray(configRevisions.id, [...ids]));
}

/** Revision `number` of an environment; null when there is none. */
export async function findRevision(tx: Tx, environmentId: string, number: number): Promise<ConfigRevisionRow | null> {
  const [row] = await tx
    .select()
    .from(configRevisions)
    .where(and(eq(configRevisions.environmentId, environmentId), eq(configRevisions.number, number)));
  return row ?? null;
}

/** Revisions by (environment, number) pairs, for loaders: keys `environmentId#number`. */
export async function findRevisionsByNumbers(tx: Tx, keys: readonly string[]): Promise<ConfigRevisionRow[]> {
  if (keys.length === 0) return [];
  const pairs = keys.map((k) => {
    const [environmentId, number] = k.split('#');
    return sql`(${environmentId}::uuid, ${Number(number)}::int)`;
  });
  return tx
    .select()
    .from(configRevisions)
    .where(sql`(${configRevisions.environmentId}, ${configRevisions.number}) in (${sql.join(pairs, sql`, `)})`);
}

/** A page of an environment's revisions, newest first, older than `beforeNumber`. */
export async function listRevisions(tx: Tx, environmentId: string, beforeNumber: number | null, limit: number): Promise<{ rows: ConfigRevisionRow[]; total: number }> {
  const rows = await tx
    .select()
    .from(configRevisions)
    .where(and(eq(configRevisions.environmentId, environmentId), beforeNumber !== null ? lt(configRevisions.number, beforeNumber) : undefined))
    .orderBy(desc(configRevisions.number))
    .limit(limit);
  const [count] = await tx.select({ n: sql<number>`count(*)::int` }).from(configRevisions).where(eq(configRevisions.environmentId, environmentId));
  return { rows, total: count?.n ?? 0 };
}

/** Revisions after `afterNumber`, oldest first: what the config feed reads. */
export async function revisionsAfter(tx: Tx, environmentId: string, afterNumber: number, limit: number): Promise<ConfigRevisionRow[]> {
  return tx
    .select()
    .from(configRevisions)
    .where(and(eq(configRevisions.environmentId, environmentId), gt(configRevisions.number, afterNumber)))
    .orderBy(asc(configRevisions.number))
    .limit(limit);
}

/** Revision 1, empty: every environment has it from its creation on (in the creating transaction). */
export async function insertFirstRevision(tx: Tx, environmentId: string, createdBy: string | null, at: Date): Promise<void> {
  await insertRevision(tx, { id: randomUUID(), environmentId, number: 1, variables: [], files: [], secrets: [], message: null, createdBy, createdAt: at });
}
