import type { NotifyHub } from '../shared/notify.ts';
import { TopicBus } from '../shared/runtime/bus.ts';
import { FeedHub } from '../shared/runtime/feed.ts';
import type { LogLineRow, LogStore } from './store.ts';

/**
 * Environments' stored pod log lines as live feeds, shared by every tail in the process: the
 * collector publishes an environment's id on the `pod-logs` bus after each stored batch (in
 * whichever process collects it), and one reader per environment re-reads the new lines for all
 * of its tails ({@link FeedHub}).
 */
export class PodLogFeeds {
  readonly bus: TopicBus;
  private readonly feeds: FeedHub<LogLineRow>;

  constructor(
    readonly store: LogStore,
    hub: NotifyHub,
  ) {
    this.bus = new TopicBus(hub, 'pod-logs');
    this.feeds = new FeedHub({
      bus: this.bus,
      load: (environmentId, after, limit) => store.after(environmentId, after, limit),
      sequenceOf: (row) => row.sequence,
      keep: 2_000,
    });
  }

  start(): void {
    this.bus.start();
  }

  stop(): void {
    this.feeds.close();
    this.bus.stop();
  }

  /** Every line of the environment after `afterSequence`, in order, each once. @returns stop. */
  listen(environmentId: string, afterSequence: number, listener: (rows: readonly LogLineRow[]) => void): () => void {
    return this.feeds.listen(environmentId, afterSequence, listener);
  }
}
