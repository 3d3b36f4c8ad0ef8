import { EventEmitter } from 'node:events';
import type { NotifyHub } from '../shared/notify.ts';

/** Topic of "release <id> changed" on the processes' notification hub. */
const TOPIC = 'release';

/**
 * "This release changed" notifications: in-process at once, and across processes through
 * PostgreSQL LISTEN/NOTIFY. Receivers re-read the database, so a duplicate or a lost
 * notification costs latency, never correctness (the engine also polls).
 */
export class ReleaseBus {
  private readonly emitter = new EventEmitter();
  private unlisten: (() => void) | null = null;

  constructor(private readonly hub: NotifyHub) {
    this.emitter.setMaxListeners(0);
  }

  start(): void {
    this.unlisten = this.hub.on(TOPIC, (releaseId) => this.emitter.emit('changed', releaseId));
  }

  stop(): void {
    this.unlisten?.();
    this.emitter.removeAllListeners();
  }

  /** Announces a committed change of a release. */
  publish(releaseId: string): void {
    this.emitter.emit('changed', releaseId);
    this.hub.publish(TOPIC, releaseId);
  }

  subscribe(listener: (releaseId: string) => void): () => void {
    this.emitter.on('changed', listener);
    return () => this.emitter.off('changed', listener);
  }
}
