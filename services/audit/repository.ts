import { and, desc, eq, lt, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import { auditEntries } from '../../db/schema/index.ts';

export type AuditRow = typeof auditEntries.$inferSelect;
export type NewAuditRow = typeof auditEntries.$inferInsert;

export async function insertAuditEntry(tx: Tx, row: NewAuditRow): Promise<void> {
  await tx.insert(auditEntries).values(row);
}

/** A page of a project's audit log, newest first, strictly older than `beforeSeq`. */
export async function listAuditEntries(
  tx: Tx,
  projectId: string,
  options: { beforeSeq: number | null; limit: number },
): Promise<{ rows: AuditRow[]; total: number }> {
  const rows = await tx
    .select()
    .from(auditEntries)
    .where(and(eq(auditEntries.projectId, projectId), options.beforeSeq !== null ? lt(auditEntries.seq, options.beforeSeq) : undefined))
    .orderBy(desc(auditEntries.seq))
    .limit(options.limit);
  const [count] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(auditEntries)
    .where(eq(auditEntries.projectId, projectId));
  return { rows, total: count?.n ?? 0 };
}

export async function findAuditEntryById(tx: Tx, id: string): Promise<AuditRow | null> {
  const [row] = await tx.select().from(auditEntries).where(eq(auditEntries.id, id));
  return row ?? null;
}
