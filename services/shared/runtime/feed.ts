import type { TopicBus } from './bus.ts';

/** Receives rows in sequence order, each once. */
export type FeedListener<Row> = (rows: readonly Row[]) => void;

export interface FeedHubOptions<Row> {
  /** Says which key changed (a release id, a log stream's owner …). */
  bus: Pick<TopicBus, 'subscribe'>;
  /** Maps a bus id to the feed keys it concerns (default: the id itself). */
  keysOf?: (id: string) => readonly string[];
  /** Rows of `key` with sequence > `afterSequence`, ascending, at most `limit`. */
  load(key: string, afterSequence: number, limit: number): Promise<Row[]>;
  /** The row's position in its key's log: 1, 2, 3 … with no gaps. */
  sequenceOf(row: Row): number;
  /** Rows kept in memory per key for new listeners (default 1,000); older ones are re-read. */
  keep?: number;
}

interface Feed<Row> {
  /** Where the shared reader began: the first listener's cursor (later ones behind it catch up). */
  start: number;
  rows: Row[];
  listeners: Set<FeedListener<Row>>;
  loading: Promise<void> | null;
  again: boolean;
}

const PAGE = 1_000;

/**
 * Replayable, gapless event feeds shared by every subscriber in a process: one reader per
 * watched key, which re-reads the key's new rows once per bus notification and hands them to
 * every listener, so a thousand subscribers cost one query per change, not a thousand. A listener
 * that starts behind the rows kept in memory (a resume from an old cursor, a long log) reads its
 * own way forward from the database, then joins the shared stream: nothing skipped, nothing twice.
 */
export class FeedHub<Row> {
  private readonly feeds = new Map<string, Feed<Row>>();
  private readonly unsubscribe: () => void;

  constructor(private readonly options: FeedHubOptions<Row>) {
    this.unsubscribe = options.bus.subscribe((id) => {
      for (const key of options.keysOf?.(id) ?? [id]) {
        const feed = this.feeds.get(key);
        if (feed) this.refresh(key, feed);
      }
    });
  }

  /**
   * Calls `listener` with the rows of `key` after `afterSequence`: the log so far, then every
   * new batch, in order, each once.
   * @returns the function that stops listening.
   */
  listen(key: string, afterSequence: number, listener: FeedListener<Row>): () => void {
    const { sequenceOf } = this.options;
    let feed = this.feeds.get(key);
    if (!feed) {
      feed = { start: afterSequence, rows: [], listeners: new Set(), loading: null, again: false };
      this.feeds.set(key, feed);
    }
    const current = feed;
    let last = afterSequence;
    let catchingUp = false;
    let stopped = false;
    const catchUp = async () => {
      catchingUp = true;
      try {
        for (;;) {
          const rows = await this.options.load(key, last, PAGE).catch(() => []);
          if (stopped) return;
          if (rows.length > 0) {
            last = sequenceOf(rows.at(-1)!);
            listener(rows);
          }
          if (rows.length < PAGE) break;
        }
      } finally {
        catchingUp = false;
      }
      deliver(current.rows);
    };
    const deliver: FeedListener<Row> = (rows) => {
      if (catchingUp || stopped) return;
      const fresh = rows.filter((r) => sequenceOf(r) > last);
      if (fresh.length === 0) return;
      // Rows between `last` and the shared ones were trimmed from memory: read them first.
      if (sequenceOf(fresh[0]!) > last + 1) {
        void catchUp();
        return;
      }
      last = sequenceOf(fresh.at(-1)!);
      listener(fresh);
    };
    current.listeners.add(deliver);
    if (current.rows.length > 0) deliver(current.rows);
    this.refresh(key, current);
    return () => {
      stopped = true;
      current.listeners.delete(deliver);
      if (current.listeners.size === 0 && this.feeds.get(key) === current) this.feeds.delete(key);
    };
  }

  close(): void {
    this.unsubscribe();
    this.feeds.clear();
  }

  private refresh(key: string, feed: Feed<Row>): void {
    if (feed.loading) {
      feed.again = true;
      return;
    }
    const keep = this.options.keep ?? 1_000;
    feed.loading = (async () => {
      do {
        feed.again = false;
        const lastRow = feed.rows.at(-1);
        const rows = await this.options.load(key, lastRow ? this.options.sequenceOf(lastRow) : feed.start, PAGE).catch(() => []);
        if (rows.length > 0) {
          feed.rows.push(...rows);
          if (feed.rows.length > keep) feed.rows.splice(0, feed.rows.length - keep);
          for (const listener of feed.listeners) listener(feed.rows);
        }
        if (rows.length === PAGE) feed.again = true;
      } while (feed.again);
    })().finally(() => {
      feed.loading = null;
    });
  }
}
