import { and, asc, desc, eq, gt, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import type { Database, Tx } from '../../db/client.ts';
import { anyKey, columnsRead, keyArray, preparedPerColumns, preparedStatements } from '../../db/prepared.ts';
import { environments, releaseEvents, releases } from '../../db/schema/index.ts';
import type { NewReleaseEvent, ReleaseState } from './model.ts';
import { encodeState } from './state-codec.ts';

export type ReleaseRow = typeof releases.$inferSelect;
export type ReleaseEventRow = typeof releaseEvents.$inferSelect;

/** The columns of a release that lists and dashboards show: not its state document nor the engine's bookkeeping. */
const summaryColumns = {
  id: releases.id,
  environmentId: releases.environmentId,
  image: releases.image,
  version: releases.version,
  strategy: releases.strategy,
  status: releases.status,
  statusMessage: releases.statusMessage,
  isRollback: releases.isRollback,
  createdBy: releases.createdBy,
  createdAt: releases.createdAt,
  finishedAt: releases.finishedAt,
  eventCount: releases.eventCount,
  /** Small, and what `Release.configRevision` needs. */
  configRevision: releases.configRevision,
};
export type ReleaseSummary = Pick<ReleaseRow, keyof typeof summaryColumns>;
/** A release as GraphQL resolves it: a whole row, or a summary whose state is read when a field needs it. */
export type ReleaseView = ReleaseSummary & Partial<ReleaseRow>;

const summaryReads = preparedStatements((db: Database) => ({
  byIds: db.select(summaryColumns).from(releases).where(anyKey(releases.id, 'uuid')).prepare('release_summaries_by_ids'),
}));

export type ReleaseSummaryColumn = keyof typeof summaryColumns;

const narrowSummaries = preparedPerColumns((db: Database, columns: readonly ReleaseSummaryColumn[]) =>
  columnsRead<typeof summaryColumns, ReleaseSummaryColumn, ReleaseSummary>(summaryColumns, columns, (selection) =>
    db.select(selection).from(releases).where(anyKey(releases.id, 'uuid')).prepare(`release_summaries_by_ids:${columns.join(',')}`),
  ),
);

/**
 * Release summaries by id, in one prepared statement (the state JSON, often kilobytes, stays in
 * the database). With `columns`, rows carry only those: for a selection that reads no other
 * (services/apps/columns.ts).
 */
export async function findReleaseSummariesByIds(db: Database, ids: readonly string[], columns?: readonly ReleaseSummaryColumn[]): Promise<ReleaseSummary[]> {
  const narrow = columns && narrowSummaries(db, columns);
  if (narrow) return narrow.run({ keys: keyArray(ids) });
  return summaryReads(db).byIds.execute({ keys: keyArray(ids) });
}

export async function insertRelease(tx: Tx, row: typeof releases.$inferInsert): Promise<ReleaseRow> {
  const [inserted] = await tx.insert(releases).values(row).returning();
  return inserted!;
}

/** The config revision a release runs with; null when the release does not exist. */
export async function configRevisionOfRelease(tx: Tx, releaseId: string): Promise<number | null> {
  const [row] = await tx.select({ n: releases.configRevision }).from(releases).where(eq(releases.id, releaseId));
  return row?.n ?? null;
}

export async function findReleasesByIds(tx: Tx, ids: readonly string[]): Promise<ReleaseRow[]> {
  return tx.select().from(releases).where(inArray(releases.id, [...ids]));
}

/** The row, locked until the transaction ends: commands and the engine serialise on it. */
export async function lockRelease(tx: Tx, id: string): Promise<ReleaseRow | null> {
  const [row] = await tx.select().from(releases).where(eq(releases.id, id)).for('update');
  return row ?? null;
}

/** Locks the environment row: serialises release creation per environment. */
export async function lockEnvironment(tx: Tx, id: string) {
  const [row] = await tx.select().from(environments).where(eq(environments.id, id)).for('update');
  return row ?? null;
}

export async function activeReleaseOf(tx: Tx, environmentId: string): Promise<ReleaseRow | null> {
  const [row] = await tx
    .select()
    .from(releases)
    .where(and(eq(releases.environmentId, environmentId), isNull(releases.finishedAt)));
  return row ?? null;
}

/** Active releases of several environments (at most one each). */
export async function activeReleasesOf(tx: Tx, environmentIds: readonly string[]): Promise<ReleaseRow[]> {
  return tx
    .select()
    .from(releases)
    .where(and(inArray(releases.environmentId, [...environmentIds]), isNull(releases.finishedAt)));
}

/** Newest release of each environment: it owns the environment's router objects. */
export async function newestReleaseNumber(tx: Tx, environmentId: string): Promise<number> {
  const [row] = await tx.select({ n: sql<number>`coalesce(max(${releases.number}), 0)::int` }).from(releases).where(eq(releases.environmentId, environmentId));
  return row?.n ?? 0;
}

/**
 * Writes the machine's next state and appends its events with the next sequence numbers, in
 * the caller's transaction (which holds the row lock). With `fence`, writes only if the caller
 * still holds the lease at that epoch; returns false otherwise.
 */
export async function saveTransition(
  tx: Tx,
  row: ReleaseRow,
  next: ReleaseState,
  events: readonly NewReleaseEvent[],
  fence?: { owner: string; epoch: number },
): Promise<{ saved: boolean; events: ReleaseEventRow[] }> {
  const finishedAt = next.finishedAt ?? null;
  const updated = await tx
    .update(releases)
    .set({
      state: encodeState(next),
      status: next.status,
      statusMessage: next.statusMessage,
      finishedAt,
      eventCount: row.eventCount + events.length,
      rowVersion: row.rowVersion + 1,
    })
    .where(
      and(
        eq(releases.id, row.id),
        eq(releases.rowVersion, row.rowVersion),
        fence ? and(eq(releases.leaseOwner, fence.owner), eq(releases.leaseEpoch, fence.epoch)) : undefined,
      ),
    )
    .returning({ id: releases.id });
  if (updated.length === 0) return { saved: false, events: [] };
  if (events.length === 0) return { saved: true, events: [] };
  const rows = events.map((e, i) => ({
    releaseId: row.id,
    sequence: row.eventCount + i + 1,
    at: e.at,
    type: e.type,
    message: e.message,
    stepIndex: e.stepIndex,
    weight: e.weight,
    readyReplicas: e.readyReplicas,
  }));
  return { saved: true, events: await tx.insert(releaseEvents).values(rows).returning() };
}

export async function listEvents(tx: Tx, releaseId: string, afterSequence: number, limit: number): Promise<ReleaseEventRow[]> {
  return tx
    .select()
    .from(releaseEvents)
    .where(and(eq(releaseEvents.releaseId, releaseId), gt(releaseEvents.sequence, afterSequence)))
    .orderBy(asc(releaseEvents.sequence))
    .limit(limit);
}

/** A page of an environment's releases, newest first, older than release number `beforeNumber`. */
export async function listEnvironmentReleases(
  tx: Tx,
  environmentId: string,
  options: { beforeNumber: number | null; limit: number },
): Promise<{ rows: ReleaseRow[]; total: number }> {
  const rows = await tx
    .select()
    .from(releases)
    .where(and(eq(releases.environmentId, environmentId), options.beforeNumber !== null ? lt(releases.number, options.beforeNumber) : undefined))
    .orderBy(desc(releases.number))
    .limit(options.limit);
  const [count] = await tx.select({ n: sql<number>`count(*)::int` }).from(releases).where(eq(releases.environmentId, environmentId));
  return { rows, total: count?.n ?? 0 };
}

/** Succeeded releases of an environment, newest first: [current stable, the one before, …]. */
export async function succeededReleases(tx: Tx, environmentId: string, limit: number): Promise<ReleaseRow[]> {
  return tx
    .select()
    .from(releases)
    .where(and(eq(releases.environmentId, environmentId), eq(releases.status, 'SUCCEEDED')))
    .orderBy(desc(releases.finishedAt), desc(releases.number))
    .limit(limit);
}
