import { parse, type ExecutionResult } from 'graphql';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { describe, expect, it } from 'vitest';
import { Channel } from '../../services/shared/channel.ts';
import { createEventExecutor } from '../../server/subscription-events.ts';

/**
 * The executor on its own, with a schema of two fields: it decides how often a field resolver
 * runs, which the API tests cannot count. The API tests (releases-canary, releases-access) check
 * what subscribers receive through graphql-ws.
 */
interface Ctx {
  token: string;
  /** A stand-in for the DataLoaders: which event's context this is. */
  loaderGeneration: number;
  channel: Channel<unknown>;
}

function setup() {
  const calls: string[] = [];
  let generation = 0;
  const schema = makeExecutableSchema<Ctx>({
    typeDefs: /* GraphQL */ `
      type Query { ok: Boolean }
      type Event { n: Int, label(prefix: String): String, generation: Int, viewer: String }
      type Subscription { events: Event }
    `,
    resolvers: {
      Subscription: { events: { subscribe: (_: unknown, __: unknown, ctx: Ctx) => ctx.channel, resolve: (event: unknown) => event } },
      Event: {
        label: (event: { n: number }, args: { prefix?: string }, ctx: Ctx) => {
          calls.push(`${ctx.token}:${event.n}:${args.prefix ?? ''}`);
          return `${args.prefix ?? ''}${event.n}`;
        },
        generation: (_: unknown, __: unknown, ctx: Ctx) => ctx.loaderGeneration,
        viewer: (_: unknown, __: unknown, ctx: Ctx) => ctx.token,
      },
    },
  });
  const subscribe = createEventExecutor<Ctx>({
    forEvent: (ctx) => ({ ...ctx, loaderGeneration: ++generation }),
    viewerKey: (ctx) => ctx.token,
  });
  const document = parse('subscription($p: String) { events { n label(prefix: $p) generation viewer } }');
  async function subscriber(token: string, variables: Record<string, unknown> = {}, doc = document) {
    const channel = new Channel<unknown>();
    const stream = (await subscribe({ schema, document: doc, variableValues: variables, contextValue: { token, loaderGeneration: 0, channel } })) as AsyncIterableIterator<ExecutionResult>;
    return { channel, stream };
  }
  return { calls, subscriber, document };
}

describe('subscription event executor', () => {
  it('should execute an event once for subscribers with the same document, variables and token, and share the result', async () => {
    const { calls, subscriber } = setup();
    const subs = await Promise.all([subscriber('bot'), subscriber('bot'), subscriber('bot')]);
    const event = { n: 1 };
    for (const s of subs) s.channel.push(event);
    const results = await Promise.all(subs.map((s) => s.stream.next()));
    expect(calls).toEqual(['bot:1:']);
    expect(results.map((r) => r.value)).toEqual(Array(3).fill({ data: { events: { n: 1, label: '1', generation: 1, viewer: 'bot' } } }));
    expect(results[1]!.value).toBe(results[0]!.value);
  });

  it('should execute separately for another token, other variables or another document', async () => {
    const { calls, subscriber } = setup();
    const subs = await Promise.all([
      subscriber('alice'),
      subscriber('bob'),
      subscriber('alice', { p: 'v' }),
      subscriber('alice', {}, parse('subscription { events { n label viewer } }')),
    ]);
    const event = { n: 7 };
    for (const s of subs) s.channel.push(event);
    const results = await Promise.all(subs.map((s) => s.stream.next()));
    expect(calls.sort()).toEqual(['alice:7:', 'alice:7:', 'alice:7:v', 'bob:7:']);
    expect(results.map((r) => (r.value as ExecutionResult<any>).data.events.viewer)).toEqual(['alice', 'bob', 'alice', 'alice']);
    expect((results[2]!.value as ExecutionResult<any>).data.events.label).toBe('v7');
  });

  it('should give every event a fresh context, so nothing cached for one event answers the next', async () => {
    const { subscriber } = setup();
    const s = await subscriber('bot');
    s.channel.push({ n: 1 });
    s.channel.push({ n: 2 });
    const first = await s.stream.next();
    const second = await s.stream.next();
    expect((first.value as ExecutionResult<any>).data.events.generation).toBe(1);
    expect((second.value as ExecutionResult<any>).data.events.generation).toBe(2);
  });

  it('should execute equal but distinct event objects per subscriber: sharing follows identity, not equality', async () => {
    const { calls, subscriber } = setup();
    const a = await subscriber('bot');
    const b = await subscriber('bot');
    a.channel.push({ n: 3 });
    b.channel.push({ n: 3 });
    await Promise.all([a.stream.next(), b.stream.next()]);
    expect(calls).toEqual(['bot:3:', 'bot:3:']);
  });

  it('should end the source when the subscriber leaves, and end the stream when the source ends', async () => {
    const { subscriber } = setup();
    const leaving = await subscriber('bot');
    let closed = false;
    leaving.channel.onClose(() => (closed = true));
    await leaving.stream.return!();
    expect(closed).toBe(true);

    const ending = await subscriber('bot');
    ending.channel.push({ n: 1 });
    ending.channel.close();
    expect((await ending.stream.next()).done).toBe(false);
    expect(await ending.stream.next()).toEqual({ done: true, value: undefined });
  });

  it('should pass a source failure to the subscriber', async () => {
    const { subscriber } = setup();
    const s = await subscriber('bot');
    s.channel.fail(new Error('access lost'));
    await expect(s.stream.next()).rejects.toThrow('access lost');
  });
});
