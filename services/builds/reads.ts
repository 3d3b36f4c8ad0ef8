import { AccessMonitor, deliverWhileAllowed } from '../access/revalidation.ts';
import type { AppRow } from '../apps/repository.ts';
import type { RequestScope } from '../scope.ts';
import { Channel } from '../shared/channel.ts';
import { badInput } from '../shared/errors.ts';
import { idOf } from '../shared/ids.ts';
import { pageRequest, toConnection, type Connection, type PageArgs } from '../shared/pagination.ts';
import { logLineSequence, pageLogLines, type LogLineRow } from '../shared/runtime/log-lines.ts';
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
  const page = pageRequest({ first: args.first, after: null });
  return pageLogLines(scope.db, buildStream(build.id), { first: page.first, after: args.after ?? null });
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
 * `buildLogs(buildId, after)`: stored lines after the cursor, then live ones; completes once the
 * build has ended and every line it wrote was delivered.
 */
export async function subscribeLogs(scope: RequestScope, globalId: string, after: string | null | undefined): Promise<AsyncIterableIterator<LogLineRow>> {
  const build = await requireVisibleBuild(scope, idOf('Build', globalId, 'buildId'));
  let afterSequence = 0;
  if (after != null) {
    const seq = logLineSequence(after);
    if (seq === null) throw badInput('after', 'after is not a valid cursor');
    afterSequence = seq;
  }
  const app = (await scope.loaders.appById.load(build.appId))!;
  const access = new AccessMonitor(scope, scope.principal!, app.projectId, 'build.read');
  const channel = new Channel<LogLineRow>();
  const stream = buildStream(build.id);
  // The build's end is an event; its last lines are written before it. Once the build is settled
  // and the feed has delivered everything stored, the stream is complete.
  let ended = false;
  const checkEnd = async () => {
    const [row] = await repo.findBuildsByIds(scope.db, [build.id]);
    if (!row?.settledAt) return;
    const rest = await pageLogLines(scope.db, stream, { first: 1, after: lastCursor });
    if (rest.nodes.length === 0) {
      ended = true;
      channel.close();
    }
  };
  let lastCursor: string | null = after ?? null;
  const deliver = (lines: readonly LogLineRow[]) => {
    for (const line of lines) {
      channel.push(line);
      lastCursor = line.cursor;
    }
  };
  const stopLines = scope.builds.logs.listen(stream, afterSequence, deliverWhileAllowed(access, 'Build', deliver, (error) => channel.fail(error)));
  const stopEvents = scope.builds.events.listen(build.id, build.eventCount, (events) => {
    if (events.some((e) => FINAL_BUILD_EVENTS.includes(e.type))) void waitSettled();
  });
  const waitSettled = async () => {
    for (let i = 0; i < 600 && !ended && !channel_closed; i++) {
      await checkEnd().catch(() => {});
      if (ended) return;
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  let channel_closed = false;
  if (build.finishedAt) void waitSettled();
  channel.onClose(() => {
    channel_closed = true;
    stopLines();
    stopEvents();
    access.close();
  });
  return channel;
}
