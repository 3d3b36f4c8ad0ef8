import { and, asc, desc, eq, gt, inArray, lt, sql } from 'drizzle-orm';
import type { Database, Tx } from '../../../db/client.ts';
import { logLines, logStreams } from '../../../db/schema/index.ts';
import { badInput } from '../errors.ts';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type Connection } from '../pagination.ts';
import { TopicBus } from './bus.ts';
import { FeedHub } from './feed.ts';
import type { NotifyHub } from '../notify.ts';

export type LogLineRow = typeof logLines.$inferSelect;

/** A line as its producer hands it over; `at` defaults to now. */
export interface NewLogLine {
  at?: Date;
  source: string;
  version?: string | null;
  message: string;
}

/** Longest stored message; longer ones are cut and marked, so one runaway line cannot fill the store. */
export const MAX_LOG_MESSAGE = 64 * 1024;
const TRUNCATED = ' …[truncated]';

/** A stream's name: `<kind>:<id>`, e.g. `build:3f…`. Kinds are lowercase words. */
export function logStreamName(kind: string, id: string): string {
  if (!/^[a-z][a-z-]*$/.test(kind)) throw new Error(`invalid log stream kind ${JSON.stringify(kind)}`);
  return `${kind}:${id}`;
}

/**
 * Appends lines to `stream` in the caller's transaction: sequences continue the stream's own
 * (1, 2, 3 … with no gaps, the `log_streams` row serialising writers). NUL characters (which
 * PostgreSQL text cannot hold) become U+FFFD and over-long messages are cut.
 * Publish the stream on the {@link LogLineFeed}'s bus after the commit.
 */
export async function appendLogLines(tx: Tx, stream: string, lines: readonly NewLogLine[]): Promise<LogLineRow[]> {
  if (lines.length === 0) return [];
  const [counted] = await tx
    .insert(logStreams)
    .values({ stream, lineCount: lines.length })
    .onConflictDoUpdate({ target: logStreams.stream, set: { lineCount: sql`${logStreams.lineCount} + ${lines.length}` } })
    .returning({ lineCount: logStreams.lineCount });
  const first = counted!.lineCount - lines.length + 1;
  const now = new Date();
  return tx
    .insert(logLines)
    .values(
      lines.map((line, i) => ({
        stream,
        sequence: first + i,
        at: line.at ?? now,
        source: clean(line.source).slice(0, 253),
        version: line.version ?? null,
        message: clean(line.message),
      })),
    )
    .returning();
}

function clean(text: string): string {
  const safe = text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text;
  return safe.length > MAX_LOG_MESSAGE ? safe.slice(0, MAX_LOG_MESSAGE - TRUNCATED.length) + TRUNCATED : safe;
}

/** Removes a stream and its lines (its owner was deleted). */
export async function deleteLogStream(tx: Tx, stream: string): Promise<void> {
  await tx.delete(logLines).where(eq(logLines.stream, stream));
  await tx.delete(logStreams).where(eq(logStreams.stream, stream));
}

/** Removes several streams and their lines (their owners' app was deleted). */
export async function deleteLogStreams(tx: Tx, streams: readonly string[]): Promise<void> {
  // Bounded statements: an app may have thousands of builds.
  for (let i = 0; i < streams.length; i += 1000) {
    const batch = streams.slice(i, i + 1000);
    await tx.delete(logLines).where(inArray(logLines.stream, batch));
    await tx.delete(logStreams).where(inArray(logStreams.stream, batch));
  }
}

/** The opaque cursor of a line: valid only for its own stream. */
export function logLineCursor(row: Pick<LogLineRow, 'stream' | 'sequence'>): string {
  return Buffer.from(`l:${row.stream}#${row.sequence}`, 'utf8').toString('base64url');
}

/**
 * The sequence a cursor of `stream` points at; null for no cursor.
 * @throws BAD_USER_INPUT naming `field` for a malformed cursor or one of another stream.
 */
export function parseLogLineCursor(stream: string, cursor: string | null | undefined, field = 'after'): number | null {
  if (cursor == null) return null;
  const decoded = cursor.length <= 512 ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const prefix = `l:${stream}#`;
  const sequence = decoded.startsWith(prefix) ? Number(decoded.slice(prefix.length)) : NaN;
  if (!Number.isSafeInteger(sequence) || sequence < 0) throw badInput(field, `${field} is not a cursor of this log`);
  return sequence;
}

/** Lines of `stream` after `afterSequence`, oldest first: what live feeds read. */
export function linesAfter(tx: Tx, stream: string, afterSequence: number, limit: number): Promise<LogLineRow[]> {
  return tx
    .select()
    .from(logLines)
    .where(and(eq(logLines.stream, stream), gt(logLines.sequence, afterSequence)))
    .orderBy(asc(logLines.sequence))
    .limit(limit);
}

/**
 * A page of a stream's stored lines, oldest first (as a build's output reads) or newest first
 * (as log history does), continuing after `after` in that order. totalCount is the stream's
 * line count (one primary-key read).
 * @throws BAD_USER_INPUT naming `first` or `after`.
 */
export async function pageLogLines(
  tx: Tx,
  stream: string,
  args: { first?: number | null; after?: string | null; newestFirst?: boolean },
): Promise<Connection<LogLineRow>> {
  const first = args.first ?? DEFAULT_PAGE_SIZE * 5;
  const max = MAX_PAGE_SIZE * 10;
  if (!Number.isInteger(first) || first < 0 || first > max) throw badInput('first', `first must be an integer from 0 to ${max}`);
  const after = parseLogLineCursor(stream, args.after);
  const position = after === null ? undefined : args.newestFirst ? lt(logLines.sequence, after) : gt(logLines.sequence, after);
  const rows = await tx
    .select()
    .from(logLines)
    .where(and(eq(logLines.stream, stream), position))
    .orderBy(args.newestFirst ? desc(logLines.sequence) : asc(logLines.sequence))
    .limit(first + 1);
  const [count] = await tx.select({ n: logStreams.lineCount }).from(logStreams).where(eq(logStreams.stream, stream));
  const nodes = rows.slice(0, first);
  const edges = nodes.map((node) => ({ cursor: logLineCursor(node), node }));
  return {
    edges,
    nodes,
    totalCount: count?.n ?? 0,
    pageInfo: {
      hasNextPage: rows.length > first,
      hasPreviousPage: after !== null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

/**
 * Live log streams: the shared runtime's bus (topic `log`, ids are stream names) and feeds over
 * `log_lines`. Writers call {@link LogLineFeed.append}; readers {@link LogLineFeed.listen} from a
 * sequence (0 for the whole stream) and get every later line once, in order.
 */
export class LogLineFeed {
  readonly bus: TopicBus;
  private readonly feeds: FeedHub<LogLineRow>;

  constructor(
    private readonly db: Database,
    hub: NotifyHub,
  ) {
    this.bus = new TopicBus(hub, 'log');
    this.feeds = new FeedHub({
      bus: this.bus,
      load: (stream, after, limit) => linesAfter(db, stream, after, limit),
      sequenceOf: (row) => row.sequence,
    });
  }

  start(): void {
    this.bus.start();
  }

  stop(): void {
    this.feeds.close();
    this.bus.stop();
  }

  /** Appends lines in a transaction of their own and tells every reader. */
  async append(stream: string, lines: readonly NewLogLine[]): Promise<LogLineRow[]> {
    const rows = await this.db.transaction((tx) => appendLogLines(tx, stream, lines));
    if (rows.length > 0) this.bus.publish(stream);
    return rows;
  }

  /** @returns the function that stops listening. */
  listen(stream: string, afterSequence: number, listener: (rows: readonly LogLineRow[]) => void): () => void {
    return this.feeds.listen(stream, afterSequence, listener);
  }
}
