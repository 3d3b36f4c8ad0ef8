import { EventEmitter } from 'node:events';
import type { DatabaseHandle } from '../../db/client.ts';

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
    const raw = this.database.raw;
    if (raw.kind === 'postgres') {
      const listener = await raw.sql.listen(CHANNEL, (payload) => this.emitter.emit('changed', payload));
      this.unlisten = () => listener.unlisten();
    }
  }

  async stop(): Promise<void> {
    await this.unlisten?.().catch(() => {});
    this.emitter.removeAllListeners();
  }

  /** Announces a committed change of a release. */
  publish(releaseId: string): void {
    this.emitter.emit('changed', releaseId);
    const raw = this.database.raw;
    if (raw.kind === 'postgres') void raw.sql.notify(CHANNEL, releaseId).catch(() => {});
  }

  subscribe(listener: (releaseId: string) => void): () => void {
    this.emitter.on('changed', listener);
    return () => this.emitter.off('changed', listener);
  }
}
