import { EventEmitter } from 'node:events';
import { sql, type SQL } from 'drizzle-orm';
import type { DatabaseHandle } from '../../db/client.ts';

/** The one PostgreSQL channel of every Gantry signal; the payload is `<topic>:<data>`. */
export const NOTIFY_CHANNEL = 'gantry';

/**
 * LISTEN/NOTIFY between Gantry processes on one database: the one mechanism every
 * cross-process signal uses (release changes, access changes), multiplexed on one channel so a
 * process holds one LISTEN however many topics it follows. (Each further channel is another
 * LISTEN that postgres.js replays on its listening connection after every reconnect; under
 * repeated connection kills that replay was seen to stall the pool's new connections.) On PGlite,
 * which serves a single process, there is nobody else to tell: listening does nothing.
 * postgres.js re-issues the LISTEN by itself after its connection is replaced.
 */
export class NotifyHub {
  private readonly emitter = new EventEmitter();
  private unlisten: (() => Promise<void>) | null = null;

  constructor(private readonly database: DatabaseHandle) {
    this.emitter.setMaxListeners(0);
  }

  async start(): Promise<void> {
    const raw = this.database.raw;
    if (raw.kind !== 'postgres') return;
    const listener = await raw.sql.listen(NOTIFY_CHANNEL, (payload) => {
      const colon = payload.indexOf(':');
      if (colon > 0) this.emitter.emit(payload.slice(0, colon), payload.slice(colon + 1));
    });
    this.unlisten = () => listener.unlisten().catch(() => {});
  }

  async stop(): Promise<void> {
    await this.unlisten?.();
    this.unlisten = null;
    this.emitter.removeAllListeners();
  }

  /** Runs `listener` with the data of every notification of `topic` (this process's own included). */
  on(topic: string, listener: (data: string) => void): () => void {
    this.emitter.on(topic, listener);
    return () => this.emitter.off(topic, listener);
  }

  /** Tells every listening process; a lost notification costs latency only (receivers also poll or expire). */
  publish(topic: string, data: string): void {
    const raw = this.database.raw;
    if (raw.kind === 'postgres') void raw.sql.notify(NOTIFY_CHANNEL, `${topic}:${data}`).catch(() => {});
  }
}

/** The statement that publishes `topic`, for services that hold only a drizzle handle. */
export function notifyStatement(topic: string, data: string): SQL {
  return sql`select pg_notify(${NOTIFY_CHANNEL}, ${`${topic}:${data}`})`;
}
