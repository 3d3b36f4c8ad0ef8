/**
 * Child process: `releaseProgress` subscribers on one release, kept off the server's event loop.
 * Each is its own graphql-ws connection; it records when each event sequence reached it, so the
 * parent can compare with the event's commit time.
 */
import type { Client } from 'graphql-ws';
import { openSubscribers } from '../support/subscribers.ts';
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

async function start(message: Extract<ToProgress, { type: 'start' }>): Promise<void> {
  const { acked, failures } = await openSubscribers(message.url, message.subscribers, (i) => message.tokens[i % message.tokens.length]!, clients, (client, i) => {
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
  });
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
