import type { Database } from '../../db/client.ts';
import type { NotifyHub } from '../shared/notify.ts';
import { TopicBus } from '../shared/runtime/bus.ts';
import { FeedHub } from '../shared/runtime/feed.ts';
import type { SecretBox } from '../shared/secret-box.ts';
import { revisionsAfter, type ConfigRevisionRow } from './repository.ts';

/**
 * What the config domain keeps for the whole process: the SecretBox that seals secret values
 * (the same one as registered kubeconfigs), the `config` topic (ids are environment ids) and a
 * shared feed of each watched environment's new revisions, so a thousand configChanged
 * subscribers cost one query per change.
 */
export class ConfigRuntime {
  readonly bus: TopicBus;
  readonly feeds: FeedHub<ConfigRevisionRow>;

  constructor(
    db: Database,
    hub: NotifyHub,
    readonly box: SecretBox,
  ) {
    this.bus = new TopicBus(hub, 'config');
    this.feeds = new FeedHub({
      bus: this.bus,
      load: (environmentId, after, limit) => revisionsAfter(db, environmentId, after, limit),
      sequenceOf: (row) => row.number,
    });
  }

  start(): void {
    this.bus.start();
  }

  stop(): void {
    this.feeds.close();
    this.bus.stop();
  }
}
