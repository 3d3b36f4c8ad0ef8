import { and, asc, desc, eq, gt, inArray, isNull, lt, notInArray, or, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import { logStreamName } from '../shared/runtime/log-lines.ts';
import { buildEvents, buildPrepareClaims, builds, buildSettings, type StoredArtifact, type StoredStage } from '../../db/schema/index.ts';
import type { BuildEventType, BuildStatus } from '../../resolvers/types.generated.ts';

export type BuildRow = typeof builds.$inferSelect;
export type BuildEventRow = typeof buildEvents.$inferSelect;
export type BuildSettingsRow = typeof buildSettings.$inferSelect;
export type { StoredArtifact, StoredStage };

/** An event to append to a build's log. */
export interface NewBuildEvent {
  type: BuildEventType;
  stage?: string | null;
  message: string;
  at: Date;
}

/** Which process may write a build: its lease owner and epoch (a stale process's writes match nothing). */
export interface Fence {
  owner: string;
  epoch: number;
}

export const FINAL_BUILD_STATUSES: readonly BuildStatus[] = ['SUCCEEDED', 'FAILED', 'CANCELED'];

export async function findSettings(tx: Tx, appIds: readonly string[]): Promise<BuildSettingsRow[]> {
  return tx.select().from(buildSettings).where(inArray(buildSettings.appId, [...appIds]));
}

export async function saveSpec(tx: Tx, appId: string, spec: string, at: Date): Promise<void> {
  await tx
    .insert(buildSettings)
    .values({ appId, spec, updatedAt: at })
    .onConflictDoUpdate({ target: buildSettings.appId, set: { spec, updatedAt: at } });
}

export async function saveWebhookSecretHash(tx: Tx, appId: string, hash: string, at: Date): Promise<void> {
  await tx
    .insert(buildSettings)
    .values({ appId, webhookSecretHash: hash, updatedAt: at })
    .onConflictDoUpdate({ target: buildSettings.appId, set: { webhookSecretHash: hash, updatedAt: at } });
}

/** The app's next build number, taken atomically (concurrent creations get distinct numbers). */
export async function nextBuildNumber(tx: Tx, appId: string): Promise<number> {
  const [row] = await tx
    .insert(buildSettings)
    .values({ appId, buildCount: 1 })
    .onConflictDoUpdate({ target: buildSettings.appId, set: { buildCount: sql`${buildSettings.buildCount} + 1` } })
    .returning({ n: buildSettings.buildCount });
  return row!.n;
}

export async function insertBuild(tx: Tx, row: typeof builds.$inferInsert, first: NewBuildEvent): Promise<BuildRow> {
  const [inserted] = await tx.insert(builds).values({ ...row, eventCount: 0 }).returning();
  await appendEvents(tx, inserted!.id, [first]);
  return { ...inserted!, eventCount: 1 };
}

export async function findBuildsByIds(tx: Tx, ids: readonly string[]): Promise<BuildRow[]> {
  return tx.select().from(builds).where(inArray(builds.id, [...ids]));
}

/** A page of an app's builds, newest first, older than build `beforeNumber`. */
export async function listAppBuilds(tx: Tx, appId: string, options: { beforeNumber: number | null; limit: number }): Promise<{ rows: BuildRow[]; total: number }> {
  const rows = await tx
    .select()
    .from(builds)
    .where(and(eq(builds.appId, appId), options.beforeNumber !== null ? lt(builds.number, options.beforeNumber) : undefined))
    .orderBy(desc(builds.number))
    .limit(options.limit);
  const [count] = await tx.select({ n: sql<number>`count(*)::int` }).from(builds).where(eq(builds.appId, appId));
  return { rows, total: count?.n ?? 0 };
}

/**
 * Appends events with the next sequence numbers. The UPDATE that reserves them locks the build
 * row until the transaction ends, so concurrent appends to one build serialise.
 */
export async function appendEvents(tx: Tx, buildId: string, events: readonly NewBuildEvent[]): Promise<BuildEventRow[]> {
  if (events.length === 0) return [];
  const [row] = await tx
    .update(builds)
    .set({ eventCount: sql`${builds.eventCount} + ${events.length}` })
    .where(eq(builds.id, buildId))
    .returning({ count: builds.eventCount });
  const last = row!.count;
  const first = last - events.length + 1;
  return tx
    .insert(buildEvents)
    .values(events.map((e, i) => ({ buildId, sequence: first + i, at: e.at, type: e.type, stage: e.stage ?? null, message: e.message })))
    .returning();
}

export async function listEvents(tx: Tx, buildId: string, afterSequence: number, limit: number): Promise<BuildEventRow[]> {
  return tx
    .select()
    .from(buildEvents)
    .where(and(eq(buildEvents.buildId, buildId), gt(buildEvents.sequence, afterSequence)))
    .orderBy(asc(buildEvents.sequence))
    .limit(limit);
}

/** The row, locked until the transaction ends. */
export async function lockBuild(tx: Tx, id: string): Promise<BuildRow | null> {
  const [row] = await tx.select().from(builds).where(eq(builds.id, id)).for('update');
  return row ?? null;
}

/**
 * Updates a build if `fence` still holds its lease and its status is one of `from`.
 * @returns the updated row, or null when another process or a command got there first.
 */
export async function updateBuild(
  tx: Tx,
  id: string,
  set: Partial<typeof builds.$inferInsert>,
  guard: { fence?: Fence; from?: readonly BuildStatus[] },
): Promise<BuildRow | null> {
  const [row] = await tx
    .update(builds)
    .set(set)
    .where(
      and(
        eq(builds.id, id),
        guard.fence ? and(eq(builds.leaseOwner, guard.fence.owner), eq(builds.leaseEpoch, guard.fence.epoch)) : undefined,
        guard.from ? inArray(builds.status, [...guard.from]) : undefined,
      ),
    )
    .returning();
  return row ?? null;
}

/** The oldest QUEUED builds, in creation order: the ones a free slot may start. */
export async function oldestQueued(tx: Tx, limit: number, excluding: readonly string[]): Promise<string[]> {
  const rows = await tx
    .select({ id: builds.id })
    .from(builds)
    .where(and(eq(builds.status, 'QUEUED'), isNull(builds.settledAt), excluding.length ? notInArray(builds.id, [...excluding]) : undefined))
    .orderBy(asc(builds.createdAt), asc(builds.number))
    .limit(limit);
  return rows.map((r) => r.id);
}

/**
 * Claims the building of prepare image `image` for `owner` for `ttlMs` (or renews its own claim).
 * @returns whether `owner` holds it now.
 */
export async function claimPrepare(tx: Tx, image: string, owner: string, ttlMs: number): Promise<boolean> {
  const expiresAt = sql`now() + (${ttlMs} * interval '1 millisecond')`;
  const rows = await tx
    .insert(buildPrepareClaims)
    .values({ image, owner, expiresAt: expiresAt as never })
    .onConflictDoUpdate({
      target: buildPrepareClaims.image,
      set: { owner, expiresAt: expiresAt as never },
      setWhere: or(eq(buildPrepareClaims.owner, owner), lt(buildPrepareClaims.expiresAt, sql`now()`)),
    })
    .returning({ owner: buildPrepareClaims.owner });
  return rows.length > 0 && rows[0]!.owner === owner;
}

export async function releasePrepare(tx: Tx, image: string, owner: string): Promise<void> {
  await tx.delete(buildPrepareClaims).where(and(eq(buildPrepareClaims.image, image), eq(buildPrepareClaims.owner, owner)));
}

/** The statuses of builds (the worker's per-tick look at its work list). */
export async function statusesOf(tx: Tx, ids: readonly string[]): Promise<Map<string, BuildStatus>> {
  const rows = await tx.select({ id: builds.id, status: builds.status }).from(builds).where(inArray(builds.id, [...ids]));
  return new Map(rows.map((r) => [r.id, r.status]));
}

/** The log streams of every build of an app (`build:<id>`), to delete with the app. */
export async function buildLogStreamsOfApp(tx: Tx, appId: string): Promise<string[]> {
  const rows = await tx.select({ id: builds.id }).from(builds).where(eq(builds.appId, appId));
  return rows.map((row) => logStreamName('build', row.id));
}
