import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import type { ClusterDirectory, ClusterPort } from '../../services/cluster/directory.ts';
import { addMember, aProject, anApp, anEnvironment, aUser } from '../support/fixtures.ts';
import { oneClusterDirectory, startTestServer, wsExecute, type TestServer } from '../support/server.ts';

/**
 * A cluster port that holds no objects and never reports a change (a test double: these tests
 * need subscriptions that stay open, not a cluster, and starting one would only slow them).
 * `podEvents` on it streams nothing until it is completed.
 */
const silentPort: ClusterPort = {
  info: () => oneClusterDirectory.list()[0]!,
  synced: () => true,
  snapshot: () => ({ deployments: [], pods: [], services: [], virtualServices: [], destinationRules: [], httpRoutes: [] }),
  watchApp: () => () => {},
  apply: async (manifest) => manifest as Record<string, any>,
  read: async () => null,
  scale: async () => {},
  remove: async () => {},
  list: async () => [],
  podLog: async () => null,
  followPodLog: () => ({ stop: () => {}, position: null }),
};
const silentDirectory: ClusterDirectory = { ...oneClusterDirectory, port: () => silentPort };

const LIMITS = {
  GANTRY_MAX_SUBSCRIPTIONS_PER_CONNECTION: '3',
  GANTRY_MAX_CONNECTIONS_PER_TOKEN: '2',
  GANTRY_MAX_OPERATIONS_PER_SECOND: '1',
  GANTRY_OPERATIONS_BURST: '30',
  GANTRY_HEADERS_TIMEOUT_MS: '1000',
};
const VIEWER = '{ viewer { login } }';
const PODS = 'subscription($e: ID!) { podEvents(environmentId: $e) { type } }';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function post(t: TestServer, body: unknown, token: string | null) {
  const res = await fetch(t.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}

/** Resolves with the close code once the client's socket closes. */
function closeCode(t: TestServer, token: string): { client: Client; closed: Promise<number> } {
  let resolveClose!: (code: number) => void;
  const closed = new Promise<number>((resolve) => (resolveClose = resolve));
  const client = t.ws(token, { onClose: resolveClose });
  return { client, closed };
}

describe('per-token limits, idle connections and anonymous requests', () => {
  let t: TestServer;
  let environmentId: string;
  let tokens: Record<'rate' | 'rateWs' | 'other' | 'subs' | 'conns', string>;

  beforeAll(async () => {
    t = await startTestServer({ env: LIMITS, start: { clusters: silentDirectory } });
    const project = await aProject(t);
    const app = await anApp(t, project.id);
    environmentId = (await anEnvironment(t, app.id)).id;
    tokens = {
      rate: (await aUser(t)).token,
      rateWs: (await aUser(t)).token,
      other: (await aUser(t)).token,
      conns: (await aUser(t)).token,
      subs: '',
    };
    // podEvents needs read access to the project: a VIEWER is enough.
    const viewer = await aUser(t);
    await addMember(t, project.id, viewer.login, 'VIEWER');
    tokens.subs = viewer.token;
  }, 180_000);
  afterAll(() => t?.close());

  it('should answer a token over its operation rate with 429, Retry-After and BAD_USER_INPUT, and leave other tokens alone', async () => {
    const started = performance.now();
    let served = 0;
    let refusal: Awaited<ReturnType<typeof post>> | undefined;
    for (let batch = 0; batch < 10 && !refusal; batch++) {
      for (const res of await Promise.all(Array.from({ length: 10 }, () => post(t, { query: VIEWER }, tokens.rate)))) {
        if (res.status === 200) served++;
        else refusal ??= res;
      }
    }
    const elapsed = (performance.now() - started) / 1000;
    expect(refusal?.status).toBe(429);
    // The bucket: 30 at once, then 1 per second.
    expect(served).toBeLessThanOrEqual(30 + Math.ceil(elapsed) + 1);
    const retryAfter = Number(refusal!.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1).toBe(true);
    expect(refusal!.body.errors[0].message).toMatch(/Too many operations for this token/);
    expect(refusal!.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'GANTRY_MAX_OPERATIONS_PER_SECOND', retryAfterSeconds: retryAfter });
    expect(refusal!.body.data).toBeUndefined();

    const other = await post(t, { query: VIEWER }, tokens.other);
    expect(other.status).toBe(200);
    expect(other.body.data.viewer.login).toBeTruthy();

    await sleep(retryAfter * 1000 + 100);
    expect((await post(t, { query: VIEWER }, tokens.rate)).status).toBe(200);
  });

  it('should refuse WebSocket operations over the rate with an error naming the limit, keeping the connection', async () => {
    let closedWith: number | undefined;
    const client = t.ws(tokens.rateWs, { lazy: false, onClose: (code) => (closedWith = code) });
    const started = performance.now();
    let served = 0;
    let refused: any;
    for (let i = 0; i < 80 && !refused; i++) {
      const result = await wsExecute(client, VIEWER);
      if (result.errors) refused = result.errors[0];
      else served++;
    }
    const elapsed = (performance.now() - started) / 1000;
    expect(refused?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'GANTRY_MAX_OPERATIONS_PER_SECOND' });
    expect(served).toBeLessThanOrEqual(30 + Math.ceil(elapsed) + 1);
    expect(closedWith).toBeUndefined();
  });

  it('should refuse operations beyond GANTRY_MAX_SUBSCRIPTIONS_PER_CONNECTION on one socket, and take one again once another completes', async () => {
    const client = t.ws(tokens.subs);
    const errors: unknown[][] = [];
    const open = (i: number) =>
      client.subscribe({ query: PODS, variables: { e: environmentId } }, { next: () => {}, error: (e) => errors[i] = e as unknown[], complete: () => {} });
    const stops = [open(0), open(1), open(2)];
    const fourth = await wsExecute(client, PODS, { e: environmentId });
    expect(fourth.errors?.[0]?.message).toMatch(/Too many operations in progress on this connection: at most 3/);
    expect(fourth.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'GANTRY_MAX_SUBSCRIPTIONS_PER_CONNECTION' });
    expect(errors.filter(Boolean)).toEqual([]);

    stops[0]!();
    const again = await wsExecute(client, VIEWER);
    expect(again.errors).toBeUndefined();
    expect(again.data?.viewer.login).toBeTruthy();

    // The limit is per connection: another socket of the same token has its own.
    const second = t.ws(tokens.subs);
    expect((await wsExecute(second, VIEWER)).errors).toBeUndefined();
    stops[1]!();
    stops[2]!();
  });

  it('should close a connection beyond GANTRY_MAX_CONNECTIONS_PER_TOKEN with 1008, and accept one again after another closes', async () => {
    // Not lazy: a lazy client closes its socket as soon as its last operation completes.
    const first = t.ws(tokens.conns, { lazy: false });
    const second = t.ws(tokens.conns, { lazy: false });
    expect((await wsExecute(first, VIEWER)).errors).toBeUndefined();
    expect((await wsExecute(second, VIEWER)).errors).toBeUndefined();

    const third = closeCode(t, tokens.conns);
    const outcome = await wsExecute(third.client, VIEWER).then(
      () => 'answered',
      (event: { code: number; reason: string }) => `${event.code} ${event.reason}`,
    );
    expect(outcome).toMatch(/^1008 Too many connections for this token/);
    expect(await third.closed).toBe(1008);
    // Another token is not affected.
    expect((await wsExecute(t.ws(tokens.other), '{ viewer { login } }')).errors).toBeUndefined();

    await first.dispose();
    let answered = false;
    for (let i = 0; i < 50 && !answered; i++) {
      answered = await wsExecute(t.ws(tokens.conns), VIEWER).then((r) => !r.errors, () => false);
      if (!answered) await sleep(100);
    }
    expect(answered).toBe(true);
  });

  it('should close raw connections that send nothing, or only part of their headers, within GANTRY_HEADERS_TIMEOUT_MS', async () => {
    const { port } = new URL(t.url);
    /** Resolves with how long the socket stayed open after connecting (listening from the start, so no close is missed). */
    const open = (send?: string) =>
      new Promise<number>((resolve) => {
        let connectedAt = performance.now();
        const socket: Socket = connect(Number(port), '127.0.0.1', () => {
          connectedAt = performance.now();
          if (send) socket.write(send);
        });
        socket.on('error', () => {});
        socket.once('close', () => resolve(performance.now() - connectedAt));
      });
    const lifetimes = await Promise.all([
      ...Array.from({ length: 30 }, () => open()),
      open('GET /healthz HTTP/1.1\r\nHost: gantry\r\n'),
    ]);
    // 1 s timeout, checked every second by Node for the partial one; generous for a loaded machine.
    expect(Math.max(...lifetimes)).toBeLessThan(8_000);
    expect(Math.min(...lifetimes)).toBeGreaterThanOrEqual(900);

    // A WebSocket that has been upgraded and then stays quiet is not an idle HTTP connection.
    let closedWith: number | undefined;
    const quiet = t.ws(tokens.other, { lazy: false, onClose: (code) => (closedWith = code) });
    expect((await wsExecute(quiet, VIEWER)).errors).toBeUndefined();
    await sleep(2_500);
    expect(closedWith).toBeUndefined();
    expect((await wsExecute(quiet, VIEWER)).errors).toBeUndefined();
  });

  it('should refuse requests without a token with 401 before parsing or validating, except introspection', async () => {
    const heavy = `{ ${Array.from({ length: 600 }, () => 'viewer { login }').join(' ')} }`;
    for (const query of [VIEWER, heavy, '{ viewer { login ', 'mutation { createProject(input: { slug: "x", name: "x" }) { id } }']) {
      const res = await post(t, { query }, null);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(res.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
      expect(res.body.errors[0].message).toMatch(/Authentication required/);
      expect(res.body.data).toBeUndefined();
    }
    const get = await fetch(`${t.url}?query=${encodeURIComponent(VIEWER)}`);
    expect(get.status).toBe(401);

    const introspection = await post(t, { query: '{ __schema { queryType { name } } __typename }' }, null);
    expect(introspection.status).toBe(200);
    expect(introspection.body.data).toEqual({ __schema: { queryType: { name: 'Query' } }, __typename: 'Query' });
    // A bad token is still refused as before.
    expect((await post(t, { query: VIEWER }, 'gnt_not-a-real-token')).status).toBe(401);
  });

  it('should not serve /metrics on the API port without GANTRY_METRICS_TOKEN', async () => {
    const res = await fetch(t.url.replace('/graphql', '/metrics'));
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain('gantry_');
  });
});
