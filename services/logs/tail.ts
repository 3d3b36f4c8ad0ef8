import { requireVisibleEnvironment } from '../apps/service.ts';
import { AccessMonitor, deliverWhileAllowed } from '../access/revalidation.ts';
import type { RequestScope } from '../scope.ts';
import { Channel } from '../shared/channel.ts';
import { badInput } from '../shared/errors.ts';
import { idOf } from '../shared/ids.ts';
import { parseLogLineCursor } from '../shared/runtime/log-lines.ts';
import { matchesFilter, type LogFilter, type LogFilterInput } from './filter.ts';
import { resolveFilter } from './service.ts';
import { environmentStream, type LogLineRow } from './store.ts';

/** `LogLineBatch` as the resolvers see it: its lines, and the last line it examined (its cursor). */
export interface LogLineBatchView {
  lines: readonly LogLineRow[];
  last: LogLineRow;
}

/** A tail whose client has this many lines unread stops reading and catches up from the store later. */
const TAIL_HIGH_WATER = 2_000;
const MAX_BATCH_LINES = 5_000;
const DEFAULT_BATCH_LINES = 1_000;
const MAX_BATCH_DELAY_MS = 10_000;

interface TailOptions<T> {
  /** Hands on a delivery's new lines (in order, each once, never empty) as values for the client. */
  forward(rows: readonly LogLineRow[], filter: LogFilter, deliver: (value: T) => void): void;
  /** Lines the client has not read yet (or a bound of them). */
  unread(channel: Channel<T>): number;
  close?(): void;
}

/**
 * What `logTail` and `logTailBatches` share: the environment's lines after `after` (stored history
 * first), or from now, then live, each once and in order, passed to `forward`. Access is
 * re-checked before every value. A client that reads slower than the pods write is not fed
 * without bound: past 2,000 unread lines the tail stops reading and, once the client has caught
 * up, reads on from the store: nothing is dropped or repeated.
 */
async function openTail<T>(scope: RequestScope, environmentGlobalId: string, input: LogFilterInput | null | undefined, after: string | null | undefined, options: TailOptions<T>): Promise<Channel<T>> {
  const id = idOf('Environment', environmentGlobalId, 'environmentId');
  const { environment, app } = await requireVisibleEnvironment(scope, id);
  const filter = await resolveFilter(scope, environment, input);
  const cursor = parseLogLineCursor(environmentStream(environment.id), after);
  let seen = cursor ?? (await scope.podLogs.store.lastSequence(environment.id));
  const access = new AccessMonitor(scope, scope.principal!, app.projectId, 'project.read');
  const channel = new Channel<T>();
  const deliver = deliverWhileAllowed<T>(access, 'Environment', (value) => channel.push(value), (error) => channel.fail(error));
  let stop: (() => void) | null = null;
  let drainTimer: NodeJS.Timeout | null = null;
  const listen = () => {
    stop = scope.podLogs.listen(environment.id, seen, (rows) => {
      // The feed hands each subscriber the same row objects: kept as they are (not copied) when all
      // are new, so equal subscriptions can share their execution and serialisation.
      const fresh = rows.length > 0 && rows[0]!.sequence > seen ? rows : rows.filter((row) => row.sequence > seen);
      if (fresh.length === 0) return;
      seen = fresh.at(-1)!.sequence;
      options.forward(fresh, filter, deliver);
      if (options.unread(channel) >= TAIL_HIGH_WATER && stop) {
        // The client is behind: stop reading until it has taken half of what waits.
        stop();
        stop = null;
        drainTimer = setInterval(() => {
          if (options.unread(channel) > TAIL_HIGH_WATER / 2) return;
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
    options.close?.();
    access.close();
  });
  return channel;
}

/**
 * `logTail`: one value per line, as filtered (see {@link openTail}). Lines are the feed's own row
 * objects, so the subscription executor runs the selection once per cohort of equal
 * subscriptions (server/subscription-events.ts).
 */
export function subscribeLogTail(scope: RequestScope, environmentGlobalId: string, input: LogFilterInput | null | undefined, after: string | null | undefined): Promise<AsyncIterableIterator<LogLineRow>> {
  return openTail<LogLineRow>(scope, environmentGlobalId, input, after, {
    forward: (rows, filter, deliver) => {
      for (const row of rows) if (matchesFilter(filter, row)) deliver(row);
    },
    unread: (channel) => channel.pending,
  });
}

/**
 * Batches by the delivery they come from: its first row (an object every subscriber in step with
 * the feed shares), then its length, filter and batch size. Equal subscriptions get the same
 * batch objects, so their GraphQL runs and is serialised once (the executor shares results by
 * event object). Weak: a delivery nobody holds any more frees its batches.
 */
const batchCache = new WeakMap<LogLineRow, Map<string, LogLineBatchView[]>>();

/** What makes two filters select the same lines: the key of their shared batches. */
function filterKey(filter: LogFilter): string {
  return JSON.stringify([filter.pods ?? null, filter.version ?? null, filter.contains ?? null, filter.regex?.pattern() ?? null, filter.since?.toISOString() ?? null]);
}

/** `rows` (consecutive lines, oldest first) filtered and cut into batches of at most `maxLines`. */
function batchesOf(rows: readonly LogLineRow[], filter: LogFilter, key: string, maxLines: number): LogLineBatchView[] {
  const cacheKey = `${rows.length}\u0000${maxLines}\u0000${key}`;
  let byKey = batchCache.get(rows[0]!);
  if (!byKey) batchCache.set(rows[0]!, (byKey = new Map()));
  const cached = byKey.get(cacheKey);
  if (cached) return cached;
  const batches: LogLineBatchView[] = [];
  let lines: LogLineRow[] = [];
  for (const row of rows) {
    if (!matchesFilter(filter, row)) continue;
    lines.push(row);
    if (lines.length === maxLines) {
      batches.push({ lines, last: row });
      lines = [];
    }
  }
  // The last batch's cursor is the last line examined, matched or not: a resume skips what was read.
  if (lines.length > 0) batches.push({ lines, last: rows.at(-1)! });
  else if (batches.length > 0) batches[batches.length - 1] = { lines: batches.at(-1)!.lines, last: rows.at(-1)! };
  byKey.set(cacheKey, batches);
  return batches;
}

function boundedInt(field: string, value: number | null | undefined, min: number, max: number, fallback: number): number {
  if (value == null) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) throw badInput(field, `${field} must be an integer from ${min} to ${max}`);
  return value;
}

/**
 * `logTailBatches`: the lines of {@link subscribeLogTail}, up to `maxLines` per value. Each stored
 * batch goes out as it arrives, or, with `maxDelayMs`, waits that long after its first line for
 * later ones to join it. Batches that would hold no line (all filtered out) are not sent; the
 * next one's cursor covers what they examined.
 * @throws BAD_USER_INPUT naming `maxLines` or `maxDelayMs` when out of range.
 */
export async function subscribeLogTailBatches(
  scope: RequestScope,
  environmentGlobalId: string,
  input: LogFilterInput | null | undefined,
  after: string | null | undefined,
  limits: { maxLines?: number | null; maxDelayMs?: number | null },
): Promise<AsyncIterableIterator<LogLineBatchView>> {
  const maxLines = boundedInt('maxLines', limits.maxLines, 1, MAX_BATCH_LINES, DEFAULT_BATCH_LINES);
  const maxDelayMs = boundedInt('maxDelayMs', limits.maxDelayMs, 0, MAX_BATCH_DELAY_MS, 0);
  let key: string | null = null;
  // With a delay: deliveries waiting to go out together (consecutive, so one run of lines).
  let waiting: (readonly LogLineRow[])[] = [];
  let waitingLines = 0;
  let timer: NodeJS.Timeout | null = null;
  let flushWaiting: (() => void) | null = null;
  const send = (rows: readonly LogLineRow[], filter: LogFilter, deliver: (batch: LogLineBatchView) => void) => {
    for (const batch of batchesOf(rows, filter, (key ??= filterKey(filter)), maxLines)) deliver(batch);
  };
  return openTail<LogLineBatchView>(scope, environmentGlobalId, input, after, {
    forward: (rows, filter, deliver) => {
      if (maxDelayMs === 0) return send(rows, filter, deliver);
      waiting.push(rows);
      waitingLines += rows.length;
      flushWaiting = () => {
        if (timer) clearTimeout(timer);
        timer = null;
        const run = waiting.length === 1 ? waiting[0]! : waiting.flat();
        waiting = [];
        waitingLines = 0;
        send(run, filter, deliver);
      };
      if (waitingLines >= maxLines) flushWaiting();
      else timer ??= setTimeout(() => flushWaiting?.(), maxDelayMs);
    },
    // Counted as full batches (a bound), and never fewer than four may wait, whatever their size.
    unread: (channel) => (channel.pending >= 4 ? channel.pending * maxLines : 0),
    close: () => {
      if (timer) clearTimeout(timer);
    },
  });
}
