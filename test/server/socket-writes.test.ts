import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { createClient } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { BatchedSocket, batchSocketWrites, sharedPayload } from '../../server/socket-writes.ts';
import { createEventExecutor } from '../../server/subscription-events.ts';

/**
 * graphql-ws over `ws` with Gantry's socket writes (wired as server/websocket.ts does), a real
 * server and real clients: every subscriber gets each shared result whole and in order, whatever
 * its text holds.
 */
const TEXTS = ['plain', 'quotes " and \\ backslashes', 'ünïcödé ✓', '"payload":"gantry:shared-payload"}', '\u2028 line separator'];
const EVENTS = TEXTS.map((text, n) => ({ n, text }));

describe('graphql-ws socket writes: early sends, corked frames, one serialisation per shared result', () => {
  let server: Server;
  let wss: WebSocketServer;

  afterEach(async () => {
    wss?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  async function start(): Promise<string> {
    const schema = makeExecutableSchema({
      typeDefs: 'type Query { ok: Boolean } type Tick { n: Int, text: String } type Subscription { ticks: Tick }',
      resolvers: {
        Subscription: {
          ticks: {
            // The same event objects for every subscriber, as the log feeds hand them out.
            subscribe: async function* () {
              for (const event of EVENTS) yield event;
            },
            resolve: (event: unknown) => event,
          },
        },
      },
    });
    server = createServer();
    wss = new WebSocketServer({ server, path: '/graphql', WebSocket: BatchedSocket });
    wss.on('connection', (socket, request) => batchSocketWrites(socket, request.socket));
    useServer(
      {
        schema,
        subscribe: createEventExecutor<Record<string, never>>({ forEvent: (c) => c, viewerKey: () => 'one' }),
        onNext: (_ctx, _id, _payload, _args, result) => (result.errors ? undefined : sharedPayload(result)),
      },
      wss,
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  }

  const follow = (url: string) =>
    new Promise<unknown[]>((resolve, reject) => {
      const got: unknown[] = [];
      const client = createClient({ url, webSocketImpl: WebSocket, retryAttempts: 0 });
      client.subscribe({ query: 'subscription { ticks { n text } }' }, {
        next: (result) => got.push(result),
        error: reject,
        complete: () => void Promise.resolve(client.dispose()).then(() => resolve(got)),
      });
    });

  it('should deliver every shared result whole and in order to every subscriber, whatever its text', async () => {
    const url = await start();
    const [first, second] = await Promise.all([follow(url), follow(url)]);
    const expected = EVENTS.map((event) => ({ data: { ticks: event } }));
    expect(first).toEqual(expected);
    expect(second).toEqual(expected);
  });

  it('should deliver them to more subscribers than wait corked at once (the early flushes)', async () => {
    const url = await start();
    const all = await Promise.all(Array.from({ length: 150 }, () => follow(url)));
    const expected = EVENTS.map((event) => ({ data: { ticks: event } }));
    for (const got of all) expect(got).toEqual(expected);
  });

  it('should serialise a result once, however many subscribers it goes to', () => {
    const result = { data: { ticks: EVENTS[1] } };
    const payload = sharedPayload(result);
    expect(sharedPayload(result)).toBe(payload);
    expect(sharedPayload({ data: { ticks: EVENTS[1] } })).not.toBe(payload);
  });
});
