import type { EnvironmentRow } from '../apps/service.ts';
import { authorizeProject } from '../access/guard.ts';
import type { RequestScope } from '../scope.ts';
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

/**
 * The filter with its release turned into a version. The release must be visible (NOT_FOUND
 * otherwise, like any lookup) and of this environment (BAD_USER_INPUT otherwise).
 */
export async function resolveFilter(scope: RequestScope, environment: EnvironmentRow, input: LogFilterInput | null | undefined): Promise<LogFilter> {
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
