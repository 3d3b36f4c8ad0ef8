/**
 * What the benchmarks' subscriber child processes share: opening many graphql-ws connections,
 * each its own socket, and counting which of them were acknowledged.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/** Opened 50 at a time: a thousand at once would trip the 3 s connection_init timeout on a busy machine. */
const BATCH = 50;

/**
 * Opens `count` connections to `url`, the i-th with `tokenOf(i)`, hands each to `use(client, i)`
 * (to subscribe) and keeps it in `clients`. @returns how many were acknowledged and how many closed first.
 */
export async function openSubscribers(
  url: string,
  count: number,
  tokenOf: (i: number) => string,
  clients: Client[],
  use: (client: Client, i: number) => void,
): Promise<{ acked: number; failures: number }> {
  let acked = 0;
  let failures = 0;
  for (let first = 0; first < count; first += BATCH) {
    const batch: Promise<void>[] = [];
    for (let i = first; i < Math.min(count, first + BATCH); i++) {
      batch.push(
        new Promise<void>((settle) => {
          let counted = false;
          const client = createClient({
            url,
            webSocketImpl: WebSocket,
            lazy: false,
            retryAttempts: 0,
            connectionParams: { authorization: `Bearer ${tokenOf(i)}` },
            onNonLazyError: () => {},
            on: {
              connected: () => {
                if (!counted) (counted = true), acked++, settle();
              },
              closed: () => {
                if (!counted) (counted = true), failures++, settle();
              },
            },
          });
          clients.push(client);
          use(client, i);
        }),
      );
    }
    await Promise.all(batch);
  }
  return { acked, failures };
}
