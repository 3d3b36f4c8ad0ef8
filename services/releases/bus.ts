import { EventEmitter } from 'node:events';
import type { DatabaseHandle } from '../../db/client.ts';
import { listenChannel, notifyChannel } from '../shared/notify.ts';

/** Postgres channel carrying "release <id> changed" between Gantry processes. */
const CHANNEL = 'gantry_release';

/**
 * "This release changed" notifications: in-process at once, and across processes through
 * PostgreSQL LISTEN/NOTIFY. Receivers re-read the database, so a duplicate or a lost
 * notification costs latency, never correctness (the engine also polls).
 */
export class ReleaseBus {
  private readonly emitter = new EventEmitter();
  private unlisten: (() => Promise<void>) | null = null;

  constructor(private readonly database: DatabaseHandle) {
    this.emitter.setMaxListeners(0);
  }

  async start(): Promise<void> {
    this.unlisten = await listenChannel(this.database, CHANNEL, (payload) => this.emitter.emit('changed', payload));
  }

  async stop(): Promise<void> {
    await this.unlisten?.().catch(() => {});
    this.emitter.removeAllListeners();
  }

  /** Announces a committed change of a release. */
  publish(releaseId: string): void {
    this.emitter.emit('changed', releaseId);
    notifyChannel(this.database, CHANNEL, releaseId);
  }

  subscribe(listener: (releaseId: string) => void): () => void {
    this.emitter.on('changed', listener);
    return () => this.emitter.off('changed', listener);
  }
}
