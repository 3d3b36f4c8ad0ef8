import type { DatabaseHandle } from '../../db/client.ts';

/**
 * PostgreSQL LISTEN/NOTIFY between Gantry processes on one database: the one mechanism every
 * cross-process signal uses (release changes, access changes). On PGlite, which serves a
 * single process, there is nobody else to tell: listening and notifying do nothing.
 * postgres.js re-issues LISTEN on its own after its connection is replaced.
 */
export async function listenChannel(database: DatabaseHandle, channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>> {
  const raw = database.raw;
  if (raw.kind !== 'postgres') return async () => {};
  const listener = await raw.sql.listen(channel, onPayload);
  return () => listener.unlisten().catch(() => {});
}

/** Sends `payload` on `channel` to every listening process (this one included); failures are dropped: receivers also poll. */
export function notifyChannel(database: DatabaseHandle, channel: string, payload: string): void {
  const raw = database.raw;
  if (raw.kind === 'postgres') void raw.sql.notify(channel, payload).catch(() => {});
}
