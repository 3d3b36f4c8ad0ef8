import { requireVisibleEnvironment, type EnvironmentRow } from '../apps/service.ts';
import { authorizeProject } from '../access/guard.ts';
import { AccessMonitor, deliverWhileAllowed } from '../access/revalidation.ts';
import type { RequestScope } from '../scope.ts';
import { Channel } from '../shared/channel.ts';
import { badInput, notFound } from '../shared/errors.ts';
import { idOf } from '../shared/ids.ts';
import { logLineCursor, parseLogLineCursor } from '../shared/runtime/log-lines.ts';
import { checkFilter, matchesFilter, type LogFilter, type LogFilterInput } from './filter.ts';
import { environmentStream, type LogLineRow } from './store.ts';

/** `LogLineConnection` as the resolvers return it: counting is left out (null). */
export interface LogPage {
  edges: { cursor: string; node: LogLineRow }[];
  nodes: LogLineRow[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  totalCount: null;
}

const MAX_FIRST = 100;
/** Rows a regex search examines per page at most; past that the page ends early (hasNextPage). */
const REGEX_SCAN_BUDGET = 20_000;
const SCAN_CHUNK = 1_000;
/** A tail whose client has this many lines unread stops reading and catches up from the store later. */
const TAIL_HIGH_WATER = 2_000;

/**
 * The filter with its release turned into a version. The release must be visible (NOT_FOUND
 * otherwise, like any lookup) and of this environment (BAD_USER_INPUT otherwise).
 */
async function resolveFilter(scope: RequestScope, environment: EnvironmentRow, input: LogFilterInput | null | undefined): Promise<LogFilter> {
  const filter = checkFilter(input);
  if (input?.releaseId != null) {
    const id = idOf('Release', input.releaseId, 'filter.releaseId');
    const release = await scope.loaders.releaseById.load(id);
    if (!release) throw notFound('Release');
    if (release.environmentId !== environment.id) {
      const [otherEnvironment] = [await scope.loaders.environmentById.load(release.environmentId)];
      const app = otherEnvironment ? await scope.loaders.appById.load(otherEnvironment.appId) : null;
      if (!app) throw notFound('Release');
      await authorizeProject(scope, app.projectId, 'release.read', 'Release');
      throw badInput('filter.releaseId', 'filter.releaseId is a release of another environment');
    }
    filter.version = release.version;
  }
  return filter;
}

/**
 * `Environment.logs`: stored lines, newest first, after the `after` cursor (older lines). A
 * regex is applied to the rows the other filters select, at most 20,000 per page: a page that
 * runs out of budget is shorter, says hasNextPage, and its endCursor continues the scan.
 * @throws BAD_USER_INPUT naming `first`, `after` or the filter field.
 */
export async function environmentLogs(scope: RequestScope, environment: EnvironmentRow, args: { filter?: LogFilterInput | null; first?: number | null; after?: string | null }): Promise<LogPage> {
  const first = args.first ?? 20;
  if (!Number.isInteger(first) || first < 0 || first > MAX_FIRST) throw badInput('first', `first must be an integer from 0 to ${MAX_FIRST}`);
  const stream = environmentStream(environment.id);
  const after = parseLogLineCursor(stream, args.after);
  const filter = await resolveFilter(scope, environment, args.filter);
  const store = scope.podLogs.store;
  const query = { pods: filter.pods, version: filter.version, contains: filter.contains, since: filter.since, until: filter.until };
  let nodes: LogLineRow[];
  let hasNextPage: boolean;
  let endCursor: string | null;
  if (!filter.regex) {
    const rows = await store.newest(environment.id, { ...query, beforeSequence: after ?? undefined }, first + 1);
    nodes = rows.slice(0, first);
    hasNextPage = rows.length > first;
    endCursor = nodes.length > 0 ? logLineCursor(nodes.at(-1)!) : null;
  } else {
    nodes = [];
    let before = after ?? undefined;
    let scanned = 0;
    let exhausted = false;
    let lastScanned: LogLineRow | null = null;
    while (nodes.length <= first && scanned < REGEX_SCAN_BUDGET) {
      const rows = await store.newest(environment.id, { ...query, beforeSequence: before }, SCAN_CHUNK);
      for (const row of rows) {
        if (nodes.length > first) break;
        scanned++;
        lastScanned = row;
        if (matchesFilter(filter, row)) nodes.push(row);
      }
      if (rows.length < SCAN_CHUNK) {
        exhausted = nodes.length <= first;
        break;
      }
      before = rows.at(-1)!.sequence;
    }
    hasNextPage = nodes.length > first || !exhausted;
    nodes = nodes.slice(0, first);
    // Out of budget: continue the scan after the last row examined, matched or not.
    const tail = nodes.length === first || !lastScanned ? nodes.at(-1) : lastScanned;
    endCursor = tail ? logLineCursor(tail) : null;
    if (!hasNextPage && nodes.length > 0) endCursor = logLineCursor(nodes.at(-1)!);
  }
  const edges = nodes.map((node) => ({ cursor: logLineCursor(node), node }));
  return { edges, nodes, totalCount: null, pageInfo: { hasNextPage, hasPreviousPage: after !== null, startCursor: edges[0]?.cursor ?? null, endCursor } };
}

/**
 * `logTail`: the environment's lines after `after` (stored history first), or from now, then
 * live, each once and in order, as filtered. Access is re-checked before every line. A client
 * that reads slower than the pods write is not fed without bound: past 2,000 unread lines the
 * tail stops reading and, once the client has caught up, reads on from the store: nothing is
 * dropped or repeated.
 */
export async function subscribeLogTail(scope: RequestScope, environmentGlobalId: string, input: LogFilterInput | null | undefined, after: string | null | undefined): Promise<AsyncIterableIterator<LogLineRow>> {
  const id = idOf('Environment', environmentGlobalId, 'environmentId');
  const { environment, app } = await requireVisibleEnvironment(scope, id);
  const filter = await resolveFilter(scope, environment, input);
  const cursor = parseLogLineCursor(environmentStream(environment.id), after);
  let seen = cursor ?? (await scope.podLogs.store.lastSequence(environment.id));
  const access = new AccessMonitor(scope, scope.principal!, app.projectId, 'project.read');
  const channel = new Channel<LogLineRow>();
  const deliver = deliverWhileAllowed<LogLineRow>(access, 'Environment', (row) => channel.push(row), (error) => channel.fail(error));
  let stop: (() => void) | null = null;
  let drainTimer: NodeJS.Timeout | null = null;
  const listen = () => {
    stop = scope.podLogs.listen(environment.id, seen, (rows) => {
      for (const row of rows) {
        if (row.sequence <= seen) continue;
        seen = row.sequence;
        if (matchesFilter(filter, row)) deliver(row);
      }
      if (channel.pending >= TAIL_HIGH_WATER && stop) {
        // The client is behind: stop reading until it has taken half of what waits.
        stop();
        stop = null;
        drainTimer = setInterval(() => {
          if (channel.pending > TAIL_HIGH_WATER / 2) return;
          clearInterval(drainTimer!);
          drainTimer = null;
          listen();
        }, 50);
      }
    });
  };
  listen();
  channel.onClose(() => {
    stop?.();
    if (drainTimer) clearInterval(drainTimer);
    access.close();
  });
  return channel;
}
