import type { Database } from '../../db/client.ts';
import type { ReleaseBus } from './bus.ts';
import { FINAL_RELEASE_STATUSES } from './model.ts';
import * as repo from './repository.ts';

type Listener = (events: readonly repo.ReleaseEventRow[]) => void;

interface Feed {
  events: repo.ReleaseEventRow[];
  listeners: Set<Listener>;
  loading: Promise<void> | null;
  again: boolean;
}

/** Event types after which a release log never grows. */
export const FINAL_EVENT_TYPES: readonly string[] = FINAL_RELEASE_STATUSES;

/**
 * One shared reader per release being watched in this process: when the bus says a release
 * changed, its new events are read from the database once and handed to every subscriber, so
 * a thousand subscribers cost one query per change, not a thousand.
 */
export class ReleaseFeedHub {
  private readonly feeds = new Map<string, Feed>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly db: Database,
    bus: Pick<ReleaseBus, 'subscribe'>,
  ) {
    this.unsubscribe = bus.subscribe((id) => {
      const feed = this.feeds.get(id);
      if (feed) this.refresh(id, feed);
    });
  }

  /**
   * Calls `listener` with the release's events after `afterSequence` (the log so far, then
   * every new batch). Events arrive in sequence order, each once.
   * @returns the function that stops listening.
   */
  listen(releaseId: string, afterSequence: number, listener: Listener): () => void {
    let feed = this.feeds.get(releaseId);
    if (!feed) {
      feed = { events: [], listeners: new Set(), loading: null, again: false };
      this.feeds.set(releaseId, feed);
    }
    let last = afterSequence;
    const deliver: Listener = (events) => {
      const fresh = events.filter((e) => e.sequence > last);
      if (fresh.length === 0) return;
      last = fresh.at(-1)!.sequence;
      listener(fresh);
    };
    feed.listeners.add(deliver);
    const current = feed;
    if (current.events.length > 0) deliver(current.events);
    this.refresh(releaseId, current);
    return () => {
      current.listeners.delete(deliver);
      if (current.listeners.size === 0 && this.feeds.get(releaseId) === current) this.feeds.delete(releaseId);
    };
  }

  close(): void {
    this.unsubscribe();
    this.feeds.clear();
  }

  private refresh(releaseId: string, feed: Feed): void {
    if (feed.loading) {
      feed.again = true;
      return;
    }
    feed.loading = (async () => {
      do {
        feed.again = false;
        const after = feed.events.at(-1)?.sequence ?? 0;
        const rows = await repo.listEvents(this.db, releaseId, after, 1000).catch(() => []);
        if (rows.length > 0) {
          feed.events.push(...rows);
          for (const listener of feed.listeners) listener(feed.events);
        }
        if (rows.length === 1000) feed.again = true;
      } while (feed.again);
    })().finally(() => {
      feed.loading = null;
    });
  }
}
