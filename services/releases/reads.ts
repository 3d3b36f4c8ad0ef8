import { requireVisibleEnvironment } from '../apps/service.ts';
import type { EnvironmentRow } from '../apps/repository.ts';
import { AccessMonitor, deliverWhileAllowed } from '../access/revalidation.ts';
import type { RequestScope } from '../scope.ts';
import { Channel } from '../shared/channel.ts';
import { badInput, notFound } from '../shared/errors.ts';
import { idOf } from '../shared/ids.ts';
import { pageRequest, toConnection, type Connection, type PageArgs } from '../shared/pagination.ts';
import { FINAL_EVENT_TYPES } from './progress.ts';
import * as repo from './repository.ts';
import { requireVisibleRelease } from './service.ts';

/** `release(id:)`. @throws NOT_FOUND for missing and invisible alike. */
export function releaseById(scope: RequestScope, globalId: string): Promise<repo.ReleaseRow> {
  return requireVisibleRelease(scope, idOf('Release', globalId, 'id'));
}

/**
 * A release's state document. A summary row (as `currentRelease` reads them) does not carry it:
 * it is read then, once per request, for the fields that show it (steps, weights).
 */
export async function stateOfRelease(scope: RequestScope, release: repo.ReleaseView): Promise<unknown> {
  if (release.state !== undefined) return release.state;
  const row = await scope.loaders.releaseById.load(release.id);
  if (!row) throw notFound('Release');
  return row.state;
}

/**
 * The release an environment serves all traffic with, as a summary (see {@link stateOfRelease});
 * with `columns`, of only those (the selection's: services/apps/columns.ts).
 */
export function currentReleaseOf(
  scope: RequestScope,
  environment: EnvironmentRow,
  columns?: readonly repo.ReleaseSummaryColumn[] | null,
): Promise<repo.ReleaseView | null> | null {
  if (!environment.stableReleaseId) return null;
  return (columns ? scope.loaders.releaseSummaryByIdWith(columns) : scope.loaders.releaseSummaryById).load(environment.stableReleaseId);
}

/** An environment's releases, newest first (the environment is already known to be visible). */
export async function releasesOf(scope: RequestScope, environment: EnvironmentRow, args: PageArgs): Promise<Connection<repo.ReleaseRow>> {
  const page = pageRequest(args);
  const before = page.after === null ? null : Number(page.after);
  if (before !== null && !Number.isSafeInteger(before)) throw badInput('after', 'after is not a valid cursor');
  const { rows, total } = await repo.listEnvironmentReleases(scope.db, environment.id, { beforeNumber: before, limit: page.first + 1 });
  for (const row of rows) scope.loaders.releaseById.prime(row.id, row);
  return toConnection(rows, page, total, (r) => r.number);
}

/** A release's event log in sequence order. */
export async function eventsOf(scope: RequestScope, release: repo.ReleaseView, args: PageArgs): Promise<Connection<repo.ReleaseEventRow>> {
  const page = pageRequest(args);
  const after = parseSequence(page.after, 'after');
  const rows = await repo.listEvents(scope.db, release.id, after, page.first + 1);
  return toConnection(rows, page, release.eventCount, (e) => e.sequence);
}

function parseSequence(value: string | null, field: string): number {
  if (value === null) return 0;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw badInput(field, `${field} is not a valid cursor`);
  return n;
}

/**
 * `releaseProgress(releaseId, after)`: the events after the cursor, then live ones, each exactly
 * once and in order; completes after the release's final event. Access is checked per event.
 */
export async function subscribeProgress(scope: RequestScope, releaseGlobalId: string, after: string | null | undefined): Promise<AsyncIterableIterator<repo.ReleaseEventRow>> {
  const release = await requireVisibleRelease(scope, idOf('Release', releaseGlobalId, 'releaseId'));
  const afterSequence = parseSequence(pageRequest({ after: after ?? null }).after, 'after');
  const { app } = await requireVisibleEnvironment(scope, release.environmentId, 'release.read');
  const access = new AccessMonitor(scope, scope.principal!, app.projectId, 'release.read');
  const channel = new Channel<repo.ReleaseEventRow>();
  if (release.finishedAt && afterSequence >= release.eventCount) {
    // Already past the final event: nothing will ever follow.
    access.close();
    channel.close();
    return channel;
  }
  const pushAll = (events: readonly repo.ReleaseEventRow[]) => {
    for (const event of events) {
      channel.push(event);
      if (FINAL_EVENT_TYPES.includes(event.type)) return channel.close();
    }
  };
  const stop = scope.releaseFeeds.listen(
    release.id,
    afterSequence,
    deliverWhileAllowed(access, 'Release', pushAll, (error) => channel.fail(error)),
  );
  channel.onClose(() => {
    stop();
    access.close();
  });
  return channel;
}
