import type { Database } from '../../db/client.ts';
import { FeedHub } from '../shared/runtime/feed.ts';
import type { ReleaseBus } from './bus.ts';
import { FINAL_RELEASE_STATUSES } from './model.ts';
import * as repo from './repository.ts';

/** Event types after which a release log never grows. */
export const FINAL_EVENT_TYPES: readonly string[] = FINAL_RELEASE_STATUSES;

/**
 * The release event logs as the shared runtime's replayable feeds: one reader per release
 * watched in this process, re-reading its new events once per bus notification.
 */
export class ReleaseFeedHub extends FeedHub<repo.ReleaseEventRow> {
  constructor(db: Database, bus: Pick<ReleaseBus, 'subscribe'>) {
    super({
      bus,
      load: (releaseId, afterSequence, limit) => repo.listEvents(db, releaseId, afterSequence, limit),
      sequenceOf: (event) => event.sequence,
    });
  }
}
