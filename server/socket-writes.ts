import type { Socket } from 'node:net';
import type { ExecutionResult } from 'graphql';
import { WebSocket } from 'ws';

/**
 * How graphql-ws' messages reach the wire, for subscriptions that send thousands of events a
 * second (log tails, build logs):
 *
 * - graphql-ws awaits each `send` before taking a subscription's next event, and its `ws` adapter
 *   resolves a send only once the frame went to the kernel: one write and one round of callbacks
 *   per event and subscriber. Here a send resolves at once while the socket has less than 1 MiB
 *   waiting to be written (the same bound on a slow client: past it, it resolves on `drain`).
 * - Frames written in one tick go out together: the socket is corked on the first and uncorked
 *   on the next tick, so a subscriber's hundred lines of one stored batch are one write. At most
 *   {@link CORKED_AT_ONCE} sockets wait so: an event for 5,000 subscribers is sent from one long
 *   run of microtasks, and the next tick came only after the last socket's frame was built, so
 *   not one frame left before all were ready (the first went out 70 ms after it was written).
 * - A result shared by a cohort of equal subscriptions (server/subscription-events.ts) is turned
 *   into JSON once ({@link sharedPayload}), not once per subscriber.
 */
const HIGH_WATER = 1 << 20;

/** Sockets corked and waiting for the next tick; past this many, they are all uncorked at once. */
const CORKED_AT_ONCE = 64;
const corkedSockets: { uncork(): void }[] = [];
let flushScheduled = false;

function uncorkAll(): void {
  for (const each of corkedSockets.splice(0)) each.uncork();
}

function onNextTick(): void {
  flushScheduled = false;
  uncorkAll();
}

/**
 * The payload graphql-ws serialises in place of a shared result. Its `toJSON` hands the result's
 * JSON text over and answers a marker, which the socket's `send` (called synchronously right
 * after graphql-ws' JSON.stringify of the message) swaps for that text.
 */
const MARK_TEXT = 'gantry:shared-payload';
const MARK = JSON.stringify(MARK_TEXT);
const MARKED_END = `"payload":${MARK}}`;
let handedOver: string | null = null;

class SharedPayload {
  constructor(private readonly json: string) {}
  toJSON(): string {
    handedOver = this.json;
    return MARK_TEXT;
  }
}

const payloads = new WeakMap<ExecutionResult, SharedPayload>();

/**
 * What graphql-ws should send for `result` (from `onNext`): the same object for every subscriber
 * given the same result, serialised on its first send. Only for results without errors (those
 * are formatted per subscriber). Results are never mutated after execution, so the text stays true.
 */
export function sharedPayload(result: ExecutionResult): ExecutionResult {
  let payload = payloads.get(result);
  if (!payload) payloads.set(result, (payload = new SharedPayload(JSON.stringify(result))));
  return payload as unknown as ExecutionResult;
}

/**
 * The server's WebSocket class (`new WebSocketServer({ WebSocket: BatchedSocket })`): its sends
 * (graphql-ws' only writes) resolve early, corked per tick, with shared payloads spliced in (see
 * above), once {@link batchSocketWrites} gave it its TCP socket. A class rather than a `send`
 * replaced per socket: that was a bound function, two closures and an object for every
 * connection, held for its whole life.
 */
export class BatchedSocket extends WebSocket {
  private raw: Socket | null = null;
  private corked = false;

  attach(raw: Socket): void {
    this.raw = raw;
  }

  uncork(): void {
    this.corked = false;
    this.raw?.uncork();
  }

  override send(data: unknown, ...rest: unknown[]): void {
    const raw = this.raw;
    if (raw === null) return (super.send as (...args: unknown[]) => void)(data, ...rest);
    const done = rest.find((arg): arg is (error?: Error) => void => typeof arg === 'function');
    let text = data;
    if (handedOver !== null) {
      if (typeof text === 'string' && text.endsWith(MARKED_END)) text = `${text.slice(0, -MARK.length - 1)}${handedOver}}`;
      handedOver = null;
    }
    if (!this.corked && !raw.destroyed) {
      if (corkedSockets.length >= CORKED_AT_ONCE) uncorkAll();
      this.corked = true;
      raw.cork();
      corkedSockets.push(this);
      if (!flushScheduled) {
        flushScheduled = true;
        process.nextTick(onNextTick);
      }
    }
    super.send(text as string);
    if (!done) return;
    if (raw.writableLength < HIGH_WATER || raw.destroyed) return done();
    // A slow reader: go on once its socket drained (or closed, so nothing waits forever).
    const resume = () => {
      raw.off('drain', resume);
      raw.off('close', resume);
      done();
    };
    raw.on('drain', resume);
    raw.on('close', resume);
  }
}

/** Turns on the batched writes of `socket` (a {@link BatchedSocket}); `raw` is its TCP socket (the upgrade request's). */
export function batchSocketWrites(socket: WebSocket, raw: Socket): void {
  if (socket instanceof BatchedSocket) socket.attach(raw);
}
