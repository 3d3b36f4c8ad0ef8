import type { NotifyHub } from '../shared/notify.ts';
import { TopicBus } from '../shared/runtime/bus.ts';

/** "Release <id> changed": the shared runtime's bus on topic `release`. */
export class ReleaseBus extends TopicBus {
  constructor(hub: NotifyHub) {
    super(hub, 'release');
  }
}
