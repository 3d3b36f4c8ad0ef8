/**
 * Child process: log subscribers, kept off the server's event loop. Each is its own graphql-ws
 * connection, following an environment's `logTail` (one message per line) or `logTailBatches`
 * (one message per batch), or a build's `buildLogs` (one message per line). It records, for every line while measuring, the time
 * from the line's kubelet timestamp (when the pod wrote it) to its arrival here, in a histogram
 * of 1 ms buckets (a million lines a second would not fit a list).
 */
import type { Client } from 'graphql-ws';
import { openSubscribers } from '../support/subscribers.ts';

export type TailMode = 'lines' | 'batches' | 'build';
export type ToTail =
  | { type: 'start'; url: string; token: string; /** The environment's id, or the build's for `build`. */ id: string; subscribers: number; mode: TailMode }
  | { type: 'measure' }
  | { type: 'report' }
  | { type: 'close' };
export type FromTail =
  | { type: 'connected'; subscribers: number; failures: number }
  | { type: 'report'; lines: number; messages: number; buckets: number[]; errors: string[]; cpuMs: number };

const QUERIES: Record<TailMode, string> = {
  lines: 'subscription($id: ID!) { logTail(environmentId: $id) { at source } }',
  batches: 'subscription($id: ID!) { logTailBatches(environmentId: $id) { cursor lines { at source } } }',
  build: 'subscription($id: ID!) { buildLogs(buildId: $id) { at message } }',
};
const BUCKETS = 120_000;

const clients: Client[] = [];
const histogram = new Uint32Array(BUCKETS);
let measuring = false;
let cpuAtMeasure = process.cpuUsage();
let lines = 0;
let messages = 0;
const errors: string[] = [];
const send = (message: FromTail) => process.send!(message);

function arrived(at: string, now: number): void {
  lines++;
  if (!measuring) return;
  histogram[Math.max(0, Math.min(BUCKETS - 1, Math.round(now - Date.parse(at))))]!++;
}

async function start(message: Extract<ToTail, { type: 'start' }>): Promise<void> {
  const { acked, failures } = await openSubscribers(message.url, message.subscribers, () => message.token, clients, (client) => {
    client.subscribe<{ logTail?: { at: string }; logTailBatches?: { lines: { at: string }[] }; buildLogs?: { at: string } }>(
      { query: QUERIES[message.mode], variables: { id: message.id } },
      {
        next: ({ data }) => {
          const now = Date.now();
          messages++;
          const line = data?.logTail ?? data?.buildLogs;
          if (line) arrived(line.at, now);
          for (const line of data?.logTailBatches?.lines ?? []) arrived(line.at, now);
        },
        error: (e) => errors.length < 10 && errors.push(String((e as Error)?.message ?? JSON.stringify(e))),
        complete: () => {},
      },
    );
  });
  send({ type: 'connected', subscribers: acked, failures });
}

process.on('message', (message: ToTail) => {
  if (message.type === 'start') void start(message);
  else if (message.type === 'measure') {
    measuring = true;
    lines = messages = 0;
    cpuAtMeasure = process.cpuUsage();
  } else if (message.type === 'report') {
    measuring = false;
    // Sparse: (bucket, count) pairs.
    const buckets: number[] = [];
    histogram.forEach((count, ms) => count > 0 && buckets.push(ms, count));
    const cpu = process.cpuUsage(cpuAtMeasure);
    send({ type: 'report', lines, messages, buckets, errors, cpuMs: (cpu.user + cpu.system) / 1000 });
  } else if (message.type === 'close') void Promise.all(clients.map((c) => c.dispose())).then(() => process.exit(0));
});
