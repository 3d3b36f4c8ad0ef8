/**
 * Child process: `releaseProgress` subscribers on one release, kept off the server's event loop.
 * Each is its own graphql-ws connection; it records when each event sequence reached it, so the
 * parent can compare with the event's commit time.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { epochMs } from '../support/stats.ts';

export type ToProgress = { type: 'start'; url: string; tokens: string[]; releaseId: string; subscribers: number } | { type: 'mark' } | { type: 'report' } | { type: 'close' };
export type FromProgress =
  | { type: 'connected'; subscribers: number; failures: number }
  | { type: 'report'; arrivals: number[]; completed: number; errors: string[]; cpuMs: number };

const clients: Client[] = [];
/** Flattened (subscriber, sequence, epoch ms). */
const arrivals: number[] = [];
const errors: string[] = [];
let completed = 0;
/** CPU time is reported from the parent's mark (the start of the live phase) on. */
let cpuMark = process.cpuUsage();
const send = (message: FromProgress) => process.send!(message);

/** Connections are opened 50 at a time: a thousand at once would trip the 3 s connection_init timeout on a busy machine. */
const BATCH = 50;

async function start(message: Extract<ToProgress, { type: 'start' }>): Promise<void> {
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
            connectionParams: { authorization: `Bearer ${message.tokens[i % message.tokens.length]}` },
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
        }),
      );
    }
    await Promise.all(batch);
  }
  send({ type: 'connected', subscribers: acked, failures });
}

process.on('message', (message: ToProgress) => {
  if (message.type === 'start') void start(message);
  else if (message.type === 'mark') cpuMark = process.cpuUsage();
  else if (message.type === 'report') {
    const used = process.cpuUsage(cpuMark);
    send({ type: 'report', arrivals, completed, errors, cpuMs: (used.user + used.system) / 1000 });
  }
  else if (message.type === 'close') void Promise.all(clients.map((c) => c.dispose())).then(() => process.exit(0));
});
