/**
 * Child process: `releaseProgress` subscribers on one release, kept off the server's event loop.
 * Each is its own graphql-ws connection; it records when each event sequence reached it, so the
 * parent can compare with the event's commit time.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { epochMs } from '../support/stats.ts';

export type ToProgress = { type: 'start'; url: string; token: string; releaseId: string; subscribers: number } | { type: 'report' } | { type: 'close' };
export type FromProgress =
  | { type: 'connected'; subscribers: number; failures: number }
  | { type: 'report'; arrivals: number[]; completed: number; errors: string[] };

const clients: Client[] = [];
/** Flattened (subscriber, sequence, epoch ms). */
const arrivals: number[] = [];
const errors: string[] = [];
let completed = 0;
const send = (message: FromProgress) => process.send!(message);

function start(message: Extract<ToProgress, { type: 'start' }>): void {
  let acked = 0;
  let failures = 0;
  const settle = () => {
    if (acked + failures === message.subscribers) send({ type: 'connected', subscribers: acked, failures });
  };
  for (let i = 0; i < message.subscribers; i++) {
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
    client.subscribe<{ releaseProgress: { sequence: number } }>(
      { query: 'subscription($id: ID!) { releaseProgress(releaseId: $id) { sequence type } }', variables: { id: message.releaseId } },
      {
        next: (m) => {
          const seq = m.data?.releaseProgress.sequence;
          if (typeof seq === 'number') arrivals.push(i, seq, epochMs());
        },
        error: (e) => errors.length < 10 && errors.push(String((e as Error)?.message ?? JSON.stringify(e))),
        complete: () => completed++,
      },
    );
  }
}

process.on('message', (message: ToProgress) => {
  if (message.type === 'start') start(message);
  else if (message.type === 'report') send({ type: 'report', arrivals, completed, errors });
  else if (message.type === 'close') void Promise.all(clients.map((c) => c.dispose())).then(() => process.exit(0));
});
