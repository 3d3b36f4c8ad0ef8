/**
 * Child process: many WebSocket connections, kept off the measured server's process. Either
 * graphql-ws clients with one `workloadChanged` subscription each, or raw `ws` clients (the
 * bare-WebSocket baseline). Each records when it first saw `desiredReplicas` (or, raw, the
 * broadcast's `replicas`) equal to the value the parent is waiting for.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { epochMs } from '../support/stats.ts';

export type ToClients =
  | { type: 'start'; mode: 'graphql'; url: string; tokens: string[]; environmentId: string; count: number }
  | { type: 'start'; mode: 'raw'; url: string; count: number }
  | { type: 'expect'; replicas: number }
  | { type: 'report' }
  | { type: 'close' };
export type FromClients =
  | { type: 'connected'; connected: number; failures: number; firstError: string | null }
  | { type: 'report'; arrivals: number[]; errors: string[] };

const QUERY = 'subscription($id: ID!) { workloadChanged(environmentId: $id) { desiredReplicas readyReplicas versions { version replicas readyReplicas } pods { name version phase ready restarts } } }';
/** Opened this many at a time: a herd of simultaneous handshakes is not what is measured. */
const AT_ONCE = 50;

const closers: (() => unknown)[] = [];
const errors: string[] = [];
let expected = -1;
/** Epoch ms at which each connection first saw the expected value (-1: not yet; NaN would not survive IPC's JSON). */
let arrivals: number[] = [];
const send = (message: FromClients) => process.send!(message);

function seen(index: number, replicas: number | undefined): void {
  if (replicas === expected && arrivals[index]! < 0) arrivals[index] = epochMs();
}

function openGraphql(url: string, token: string, environmentId: string, index: number): Promise<string | null> {
  return new Promise((settle) => {
    let done = false;
    const client: Client = createClient({
      url,
      webSocketImpl: WebSocket,
      lazy: false,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${token}` },
      onNonLazyError: () => {},
      on: {
        connected: () => void (done || ((done = true), settle(null))),
        closed: (event) => void (done || ((done = true), settle(`closed ${(event as { code?: number }).code}`))),
      },
    });
    closers.push(() => client.dispose());
    client.subscribe<{ workloadChanged: { desiredReplicas: number } }>(
      { query: QUERY, variables: { id: environmentId } },
      {
        next: (frame) => seen(index, frame.data?.workloadChanged.desiredReplicas),
        error: (error) => void (errors.length < 10 && errors.push(JSON.stringify(error))),
        complete: () => {},
      },
    );
  });
}

function openRaw(url: string, index: number): Promise<string | null> {
  return new Promise((settle) => {
    const socket = new WebSocket(url);
    closers.push(() => socket.close());
    socket.once('open', () => settle(null));
    socket.once('error', (error) => settle(error.message));
    socket.on('message', (data) => seen(index, (JSON.parse(String(data)) as { replicas?: number }).replicas));
  });
}

async function start(message: Extract<ToClients, { type: 'start' }>): Promise<void> {
  arrivals = new Array<number>(message.count).fill(-1);
  let connected = 0;
  let failures = 0;
  let firstError: string | null = null;
  for (let first = 0; first < message.count; first += AT_ONCE) {
    const batch: Promise<string | null>[] = [];
    for (let i = first; i < Math.min(message.count, first + AT_ONCE); i++) {
      batch.push(message.mode === 'graphql' ? openGraphql(message.url, message.tokens[i % message.tokens.length]!, message.environmentId, i) : openRaw(message.url, i));
    }
    for (const outcome of await Promise.all(batch)) {
      if (outcome === null) connected++;
      else (failures++, (firstError ??= outcome));
    }
  }
  send({ type: 'connected', connected, failures, firstError });
}

process.on('disconnect', () => process.exit(0));
process.on('message', (message: ToClients) => {
  if (message.type === 'start') void start(message);
  else if (message.type === 'expect') expected = message.replicas;
  else if (message.type === 'report') send({ type: 'report', arrivals, errors });
  else {
    for (const close of closers) close();
    setTimeout(() => process.exit(0), 200);
  }
});
