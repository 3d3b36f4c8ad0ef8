import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import WebSocket from 'ws';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../support/server.ts';

const base = (t: TestServer) => t.url.replace('/graphql', '');

describe('health, readiness, metrics and shutdown', () => {
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('should report /healthz ok and /readyz ready once migrations are applied', async () => {
    t = await startTestServer();
    const health = await fetch(`${base(t)}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${base(t)}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('should put a request id on every response and keep a well-formed one sent by a proxy', async () => {
    t = await startTestServer();
    const generated = await fetch(`${base(t)}/healthz`);
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const res = await fetch(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'proxy-trace-12345' },
      body: JSON.stringify({ query: '{ viewer { login } }' }),
    });
    expect(res.headers.get('x-request-id')).toBe('proxy-trace-12345');
    const body = (await res.json()) as any;
    expect(body.errors[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', requestId: 'proxy-trace-12345' });
  });

  it("should put the request's id on the errors GraphQL answers: invalid documents, bad requests and resolver errors", async () => {
    t = await startTestServer();
    const errorsFor = async (body: unknown, id: string) => {
      const res = await fetch(t!.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': id, authorization: `Bearer ${ADMIN_TOKEN}` },
        body: JSON.stringify(body),
      });
      expect(res.headers.get('x-request-id')).toBe(id);
      return { status: res.status, errors: ((await res.json()) as { errors: { message: string; extensions: Record<string, unknown> }[] }).errors };
    };
    const invalid = await errorsFor({ query: '{ noSuchField }' }, 'trace-invalid-1');
    expect(invalid.status).toBe(400);
    expect(invalid.errors[0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', requestId: 'trace-invalid-1' });
    // Refused by Apollo before its request pipeline (no plugin sees it).
    const noQuery = await errorsFor({ variables: {} }, 'trace-no-query-1');
    expect(noQuery.status).toBe(400);
    expect(noQuery.errors[0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', requestId: 'trace-no-query-1' });
    const missing = await errorsFor({ query: '{ project(slug: "no-such-project") { id } }' }, 'trace-missing-1');
    expect(missing.status).toBe(200);
    expect(missing.errors[0]!.extensions).toMatchObject({ code: 'NOT_FOUND', requestId: 'trace-missing-1' });
    expect(JSON.stringify([invalid, noQuery, missing])).not.toContain('\\u0000');
  });

  it('should expose operations by name and outcome, durations, sockets and subscriptions on /metrics', async () => {
    t = await startTestServer();
    await t.gql('query WhoAmI { viewer { login } }');
    await t.gql('query WhoAmI { viewer { login } }', {}, null);
    const socket = new WebSocket(t.wsUrl, 'graphql-transport-ws');
    await new Promise((resolve) => socket.once('open', resolve));
    const text = await t.scrape();
    expect(text).toMatch(/gantry_graphql_operations_total\{operation="WhoAmI",type="query",transport="http",outcome="ok"\} 1/);
    expect(text).toMatch(/gantry_graphql_operations_total\{operation="WhoAmI",[^}]*outcome="UNAUTHENTICATED"\} 1/);
    // Only the authenticated one ran: the anonymous one was refused before GraphQL (counted above, not timed).
    expect(text).toMatch(/gantry_graphql_operation_duration_seconds_count\{operation="WhoAmI",type="query",transport="http"\} 1/);
    expect(text).toMatch(/gantry_websocket_connections 1/);
    expect(text).toContain('gantry_graphql_active_subscriptions');
    socket.close();
  });

  it('should go unready, let in-flight requests finish and close sockets with 1001 on shutdown', async () => {
    t = await startTestServer();
    const socket = new WebSocket(t.wsUrl, 'graphql-transport-ws');
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${ADMIN_TOKEN}` } }));
    await new Promise((resolve) => socket.once('message', resolve));
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    // A request whose headers have arrived but whose body has not: in flight when shutdown starts.
    const body = JSON.stringify({ query: '{ projects { totalCount } }' });
    const req = request(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    const response = new Promise<string>((resolve, reject) => {
      req.on('response', (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
    });
    req.write(body.slice(0, 10));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closing = t.server.close();
    const ready = await fetch(`${base(t)}/readyz`).catch(() => null);
    if (ready) expect(ready.status).toBe(503);
    req.end(body.slice(10));
    expect(JSON.parse(await response).data.projects.totalCount).toBe(0);
    expect(await closed).toBe(1001);
    await closing;
    await expect(fetch(`${base(t)}/healthz`)).rejects.toThrow();
    // close() is idempotent, so the afterEach can call it again.
  });

  it('should answer unknown routes with 404 and wrong methods on /graphql with 405', async () => {
    t = await startTestServer();
    const missing = await fetch(`${base(t)}/nope`);
    expect(missing.status).toBe(404);
    const put = await fetch(t.url, { method: 'PUT' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, POST');
  });
});
