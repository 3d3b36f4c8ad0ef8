/**
 * Child process: `configChanged` subscribers on one environment, kept off the server's event
 * loop. Each is its own graphql-ws connection; it records when each revision reached it, so the
 * parent can compare with the moment it sent the `updateConfig` that made the revision.
 */
import type { Client } from 'graphql-ws';
import { openSubscribers } from '../support/subscribers.ts';
import { epochMs } from '../support/stats.ts';

export type ToConfig = { type: 'start'; url: string; token: string; environmentId: string; subscribers: number } | { type: 'report' } | { type: 'close' };
export type FromConfig = { type: 'connected'; subscribers: number; failures: number } | { type: 'report'; arrivals: number[]; errors: string[] };

const clients: Client[] = [];
/** Flattened (subscriber, revision number, epoch ms). */
const arrivals: number[] = [];
const errors: string[] = [];
const send = (message: FromConfig) => process.send!(message);

async function start(message: Extract<ToConfig, { type: 'start' }>): Promise<void> {
  const { acked, failures } = await openSubscribers(message.url, message.subscribers, () => message.token, clients, (client, i) => {
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
  });
  send({ type: 'connected', subscribers: acked, failures });
}

process.on('message', (message: ToConfig) => {
  if (message.type === 'start') void start(message);
  else if (message.type === 'report') send({ type: 'report', arrivals, errors });
  else if (message.type === 'close') void Promise.all(clients.map((c) => c.dispose())).then(() => process.exit(0));
});
