import { and, asc, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import { cronJobRuns, cronJobs, environments } from '../../db/schema/index.ts';
import { logStreamName } from '../shared/runtime/log-lines.ts';
import { leaseStoreFor } from '../shared/runtime/leases.ts';

export type CronJobRow = typeof cronJobs.$inferSelect;
export type CronJobRunRow = typeof cronJobRuns.$inferSelect;

/** Who keeps which cron job in line with its environment (never settled while it exists). */
export const cronJobLeases = leaseStoreFor(cronJobs, cronJobs.createdAt);
/** Who records which run (settled once it finished and its output is stored). */
export const cronRunLeases = leaseStoreFor(cronJobRuns, cronJobRuns.startedAt);

export async function insertCronJob(tx: Tx, row: typeof cronJobs.$inferInsert): Promise<CronJobRow> {
  const [inserted] = await tx.insert(cronJobs).values(row).returning();
  return inserted!;
}

export async function findCronJobsByIds(tx: Tx, ids: readonly string[]): Promise<CronJobRow[]> {
  return tx.select().from(cronJobs).where(inArray(cronJobs.id, [...ids]));
}

export async function findCronJobsByEnvironments(tx: Tx, environmentIds: readonly string[]): Promise<CronJobRow[]> {
  return tx.select().from(cronJobs).where(inArray(cronJobs.environmentId, [...environmentIds])).orderBy(asc(cronJobs.name));
}

/** Compare-and-set on `version`; null when someone else changed the row first. */
export async function updateCronJob(tx: Tx, id: string, version: number, patch: Partial<typeof cronJobs.$inferInsert>): Promise<CronJobRow | null> {
  const [row] = await tx
    .update(cronJobs)
    .set({ ...patch, version: version + 1 })
    .where(and(eq(cronJobs.id, id), eq(cronJobs.version, version)))
    .returning();
  return row ?? null;
}

export async function deleteCronJob(tx: Tx, id: string): Promise<CronJobRunRow[]> {
  const runs = await tx.select().from(cronJobRuns).where(eq(cronJobRuns.cronJobId, id));
  await tx.delete(cronJobs).where(eq(cronJobs.id, id));
  return runs;
}

/** Records a run once (its id is the Job's uid): repeating it, from any process, changes nothing. */
export async function recordRun(tx: Tx, row: typeof cronJobRuns.$inferInsert): Promise<void> {
  await tx.insert(cronJobRuns).values(row).onConflictDoNothing();
}

export async function findRunsByIds(tx: Tx, ids: readonly string[]): Promise<CronJobRunRow[]> {
  return tx.select().from(cronJobRuns).where(inArray(cronJobRuns.id, [...ids]));
}

/** A page of a cron job's runs, newest first, started before `before`. */
export async function listRuns(tx: Tx, cronJobId: string, before: Date | null, limit: number): Promise<{ rows: CronJobRunRow[]; total: number }> {
  const rows = await tx
    .select()
    .from(cronJobRuns)
    .where(and(eq(cronJobRuns.cronJobId, cronJobId), before ? lt(cronJobRuns.startedAt, before) : undefined))
    .orderBy(desc(cronJobRuns.startedAt))
    .limit(limit);
  const [count] = await tx.select({ n: sql<number>`count(*)::int` }).from(cronJobRuns).where(eq(cronJobRuns.cronJobId, cronJobId));
  return { rows, total: count?.n ?? 0 };
}

/** The log streams of every run of every cron job of an app's environments (`cron-run:<id>`), to delete with the app. */
export async function runLogStreamsOfApp(tx: Tx, appId: string): Promise<string[]> {
  const rows = await tx
    .select({ id: cronJobRuns.id })
    .from(cronJobRuns)
    .innerJoin(cronJobs, eq(cronJobs.id, cronJobRuns.cronJobId))
    .innerJoin(environments, eq(environments.id, cronJobs.environmentId))
    .where(eq(environments.appId, appId));
  return rows.map((row) => logStreamName('cron-run', row.id));
}
