import { AccessMonitor, deliverWhileAllowed } from '../access/revalidation.ts';
import type { AppRow } from '../apps/repository.ts';
import type { RequestScope } from '../scope.ts';
import { Channel } from '../shared/channel.ts';
import { badInput } from '../shared/errors.ts';
import { idOf } from '../shared/ids.ts';
import { pageRequest, toConnection, type Connection, type PageArgs } from '../shared/pagination.ts';
import { pageLogLines, parseLogLineCursor, type LogLineRow } from '../shared/runtime/log-lines.ts';
import { requireBuildableApp, requireVisibleBuild } from './access.ts';
import * as repo from './repository.ts';

/** Build event types after which a build's log never grows. */
export const FINAL_BUILD_EVENTS: readonly string[] = ['SUCCEEDED', 'FAILED', 'CANCELED'];

/** The log line stream of a build. */
export const buildStream = (buildId: string) => `build:${buildId}`;

/** `build(id:)`. @throws NOT_FOUND for missing and invisible alike. */
export function buildById(scope: RequestScope, globalId: string): Promise<repo.BuildRow> {
  return requireVisibleBuild(scope, idOf('Build', globalId, 'id'));
}

/** An app's builds, newest first (the app is already known to be visible). */
export async function buildsOf(scope: RequestScope, app: AppRow, args: PageArgs): Promise<Connection<repo.BuildRow>> {
  await requireBuildableApp(scope, app.id, 'build.read');
  const page = pageRequest(args);
  const before = page.after === null ? null : Number(page.after);
  if (before !== null && !Number.isSafeInteger(before)) throw badInput('after', 'after is not a valid cursor');
  const { rows, total } = await repo.listAppBuilds(scope.db, app.id, { beforeNumber: before, limit: page.first + 1 });
  for (const row of rows) scope.loaders.buildById.prime(row.id, row);
  return toConnection(rows, page, total, (b) => b.number);
}

/** `Build.log`: the stored output, oldest first. */
export function logOf(scope: RequestScope, build: repo.BuildRow, args: PageArgs) {
  return pageLogLines(scope.db, buildStream(build.id), { first: args.first, after: args.after ?? null });
}

function parseSequence(value: string | null, field: string): number {
  if (value === null) return 0;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw badInput(field, `${field} is not a valid cursor`);
  return n;
}

/**
 * `buildProgress(buildId, after)`: the events after the cursor, then live ones, each once and in
 * order; completes after the final event. Access is re-checked before every event.
 */
export async function subscribeProgress(scope: RequestScope, globalId: string, after: string | null | undefined): Promise<AsyncIterableIterator<repo.BuildEventRow>> {
  const build = await requireVisibleBuild(scope, idOf('Build', globalId, 'buildId'));
  const afterSequence = parseSequence(pageRequest({ after: after ?? null }).after, 'after');
  const app = (await scope.loaders.appById.load(build.appId))!;
  const channel = new Channel<repo.BuildEventRow>();
  if (build.finishedAt && afterSequence >= build.eventCount) {
    channel.close();
    return channel;
  }
  const access = new AccessMonitor(scope, scope.principal!, app.projectId, 'build.read');
  const pushAll = (events: readonly repo.BuildEventRow[]) => {
    for (const event of events) {
      channel.push(event);
      if (FINAL_BUILD_EVENTS.includes(event.type)) return channel.close();
    }
  };
  const stop = scope.builds.events.listen(build.id, afterSequence, deliverWhileAllowed(access, 'Build', pushAll, (error) => channel.fail(error)));
  channel.onClose(() => {
    stop();
    access.close();
  });
  return channel;
}

/**
 * `buildLogs(buildId, after)`: stored lines after the cursor, then live ones, each once and in
 * order; completes once the build has settled and every line it wrote was delivered (the runner
 * writes a build's last lines before its final event).
 */
export async function subscribeLogs(scope: RequestScope, globalId: string, after: string | null | undefined): Promise<AsyncIterableIterator<LogLineRow>> {
  const build = await requireVisibleBuild(scope, idOf('Build', globalId, 'buildId'));
  const stream = buildStream(build.id);
  let delivered = parseLogLineCursor(stream, after) ?? 0;
  const app = (await scope.loaders.appById.load(build.appId))!;
  const access = new AccessMonitor(scope, scope.principal!, app.projectId, 'build.read');
  const channel = new Channel<LogLineRow>();
  let total: number | null = null;
  let closed = false;
  const closeIfComplete = () => {
    if (total !== null && delivered >= total) channel.close();
  };
  const deliver = (lines: readonly LogLineRow[]) => {
    for (const line of lines) {
      channel.push(line);
      delivered = line.sequence;
    }
    closeIfComplete();
  };
  // Once the build has settled its stream is complete: learn its length, close when delivered.
  let watching = false;
  const awaitSettled = async () => {
    if (watching) return;
    watching = true;
    for (let i = 0; i < 300 && !closed; i++) {
      const [row] = await repo.findBuildsByIds(scope.db, [build.id]).catch(() => []);
      if (row?.settledAt) {
        total = (await pageLogLines(scope.db, stream, { first: 0 })).totalCount ?? 0;
        return closeIfComplete();
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    watching = false;
  };
  const stopLines = scope.logLines.listen(stream, delivered, deliverWhileAllowed(access, 'Build', deliver, (error) => channel.fail(error)));
  const stopEvents = scope.builds.events.listen(build.id, Math.max(0, build.eventCount - 1), (events) => {
    if (events.some((e) => FINAL_BUILD_EVENTS.includes(e.type))) void awaitSettled();
  });
  channel.onClose(() => {
    closed = true;
    stopLines();
    stopEvents();
    access.close();
  });
  return channel;
}
