/**
 * Child process: `configChanged` subscribers on one environment, kept off the server's event
 * loop. Each is its own graphql-ws connection; it records when each revision reached it, so the
 * parent can compare with the moment it sent the `updateConfig` that made the revision.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { epochMs } from '../support/stats.ts';

export type ToConfig = { type: 'start'; url: string; token: string; environmentId: string; subscribers: number } | { type: 'report' } | { type: 'close' };
export type FromConfig = { type: 'connected'; subscribers: number; failures: number } | { type: 'report'; arrivals: number[]; errors: string[] };

const clients: Client[] = [];
/** Flattened (subscriber, revision number, epoch ms). */
const arrivals: number[] = [];
const errors: string[] = [];
const send = (message: FromConfig) => process.send!(message);

/** Opened 50 at a time, as in the releases fan-out: a thousand at once trips connection_init timeouts on a busy machine. */
const BATCH = 50;

async function start(message: Extract<ToConfig, { type: 'start' }>): Promise<void> {
  let acked = 0;
  let failures = 0;
  for (let first = 0; first < message.subscribers; first += BATCH) {
    const batch: Promise<void>[] = [];
    for (let i = first; i < Math.min(message.subscribers, first + BATCH); i++) {
      batch.push(
        new Promise<void>((settle) => {
          let counted = false;
          const client = createClient({
            url: message.url,
            webSocketImpl: WebSocket,
            lazy: false,
            retryAttempts: 0,
            connectionParams: { authorization: `Bearer ${message.token}` },
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
          client.subscribe<{ configChanged: { number: number } }>(
            { query: 'subscription($id: ID!) { configChanged(environmentId: $id) { number variables { name value } } }', variables: { id: message.environmentId } },
            {
              next: (m) => {
                const number = m.data?.configChanged.number;
                if (typeof number === 'number') arrivals.push(i, number, epochMs());
              },
              error: (e) => errors.length < 10 && errors.push(String((e as Error)?.message ?? JSON.stringify(e))),
              complete: () => {},
            },
          );
        }),
      );
    }
    await Promise.all(batch);
  }
  send({ type: 'connected', subscribers: acked, failures });
}

process.on('message', (message: ToConfig) => {
  if (message.type === 'start') void start(message);
  else if (message.type === 'report') send({ type: 'report', arrivals, errors });
  else if (message.type === 'close') void Promise.all(clients.map((c) => c.dispose())).then(() => process.exit(0));
});
