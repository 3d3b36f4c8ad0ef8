/**
 * Child process: the benchmark's WebSocket subscribers, kept off the server's event loop so the
 * server is measured, not the clients. Each subscriber is its own graphql-ws connection with one
 * subscription; it records when each stamped write (`Pod.version` = `v1-s<seq>`) first reached it.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { epochMs } from '../support/stats.ts';
import { seqOfVersion } from './fleet.ts';

/** The subscription every subscriber of a run opens. */
export type Operation = 'podEvents' | 'workloadChanged';

/** Messages from the benchmark to this process. */
export type ToSubscribers =
  | { type: 'start'; url: string; token: string; operation: Operation; environmentIds: string[] }
  /** The measured writes start: frame and CPU counters restart from here. */
  | { type: 'mark' }
  | { type: 'progress'; minSeq: number }
  | { type: 'report' }
  /** Disconnect every client and exit. */
  | { type: 'close' };

/** Messages from this process to the benchmark. */
export type FromSubscribers =
  /** Every client either connected or closed; `closes` lists the close codes of those that failed. */
  | { type: 'connected'; subscribers: number; closes: number[] }
  /** Subscribers that saw a stamp ≥ minSeq, and (subscriber, stamp ≥ minSeq) pairs seen. */
  | { type: 'progress'; reachedAll: number; pairs: number }
  | {
      type: 'report';
      /** Flattened triples (subscriber, seq, epoch ms of the first frame showing seq). */
      arrivals: number[];
      /** Frames per subscriber since `mark`. */
      frames: number[];
      /** Frames that showed no new stamp to their subscriber (podEvents: changes nobody wrote). */
      unstampedFrames: number;
      frameBytes: number;
      errors: string[];
      /** CPU time of this process since `mark`. */
      cpuMs: number;
    };

const QUERIES: Record<Operation, string> = {
  podEvents: 'subscription($id: ID!) { podEvents(environmentId: $id) { type pod { name version } } }',
  workloadChanged: 'subscription($id: ID!) { workloadChanged(environmentId: $id) { readyReplicas pods { name version } } }',
};

interface Subscriber {
  client: Client;
  /** seq → epoch ms of first arrival */
  seen: Map<number, number>;
  frames: number;
}

type Payload = {
  podEvents?: { pod: { version: string | null } };
  workloadChanged?: { pods: { version: string | null }[] };
};

const subscribers: Subscriber[] = [];
const errors: string[] = [];
let unstampedFrames = 0;
let frameBytes = 0;
let cpuAtMark = process.cpuUsage();

const send = (message: FromSubscribers) => process.send!(message);

/** Connections opened at once: a herd of simultaneous handshakes is not what this benchmark measures. */
const CONNECTING_AT_ONCE = 10;

function start(message: Extract<ToSubscribers, { type: 'start' }>): void {
  let connected = 0;
  let launched = 0;
  const closes: number[] = [];
  const settled = () => {
    if (connected + closes.length === message.environmentIds.length) send({ type: 'connected', subscribers: connected, closes });
    else if (launched < message.environmentIds.length) subscribe(message, message.environmentIds[launched++]!);
  };
  const subscribe = (options: typeof message, environmentId: string) => {
    let open = false;
    const subscriber: Subscriber = { client: null as never, seen: new Map(), frames: 0 };
    subscriber.client = createClient({
      url: options.url,
      webSocketImpl: WebSocket,
      lazy: false,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${options.token}` },
      onNonLazyError: () => {},
      on: {
        connected: () => {
          open = true;
          connected += 1;
          settled();
        },
        closed: (event) => {
          const code = (event as { code?: number }).code ?? 0;
          if (open) return void errors.push(`connection closed (${code})`);
          closes.push(code);
          settled();
        },
      },
    });
    subscriber.client.subscribe<Payload>({ query: QUERIES[options.operation], variables: { id: environmentId } }, {
      next: (frame) => record(subscriber, frame),
      error: (error) => errors.push(error instanceof Error ? error.message : JSON.stringify(error)),
      complete: () => {},
    });
    subscribers.push(subscriber);
  };
  while (launched < Math.min(CONNECTING_AT_ONCE, message.environmentIds.length)) subscribe(message, message.environmentIds[launched++]!);
}

/** Notes the arrival of every stamp the frame shows for the first time to this subscriber. */
function record(subscriber: Subscriber, frame: { data?: Payload | null; errors?: readonly unknown[] }): void {
  const at = epochMs();
  subscriber.frames += 1;
  if (subscriber.frames === 1) frameBytes = Math.max(frameBytes, JSON.stringify(frame).length);
  if (frame.errors) errors.push(JSON.stringify(frame.errors));
  const versions = frame.data?.podEvents ? [frame.data.podEvents.pod.version] : (frame.data?.workloadChanged?.pods ?? []).map((p) => p.version);
  let fresh = false;
  for (const version of versions) {
    const seq = seqOfVersion(version);
    if (seq === null || subscriber.seen.has(seq)) continue;
    subscriber.seen.set(seq, at);
    fresh = true;
  }
  if (!fresh) unstampedFrames += 1;
}

function progress(minSeq: number): void {
  let reachedAll = 0;
  let pairs = 0;
  for (const s of subscribers) {
    let reached = false;
    for (const seq of s.seen.keys()) {
      if (seq >= minSeq) {
        pairs += 1;
        reached = true;
      }
    }
    if (reached) reachedAll += 1;
  }
  send({ type: 'progress', reachedAll, pairs });
}

function report(): void {
  const arrivals: number[] = [];
  subscribers.forEach((s, index) => {
    for (const [seq, at] of s.seen) arrivals.push(index, seq, at);
  });
  const cpu = process.cpuUsage(cpuAtMark);
  send({ type: 'report', arrivals, frames: subscribers.map((s) => s.frames), unstampedFrames, frameBytes, errors: errors.slice(0, 10), cpuMs: (cpu.user + cpu.system) / 1000 });
}

async function close(): Promise<void> {
  await Promise.all(subscribers.map((s) => s.client.dispose()));
  process.disconnect();
}

function mark(): void {
  for (const s of subscribers) s.frames = 0;
  unstampedFrames = 0;
  cpuAtMark = process.cpuUsage();
}

// A parent that exits (or gives up) takes its subscribers with it.
process.on('disconnect', () => process.exit(0));
process.on('message', (message: ToSubscribers) => {
  if (message.type === 'start') start(message);
  else if (message.type === 'mark') mark();
  else if (message.type === 'progress') progress(message.minSeq);
  else if (message.type === 'report') report();
  else void close();
});
