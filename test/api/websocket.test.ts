import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ADMIN_TOKEN, startTestServer, wsExecute, type TestServer } from '../support/server.ts';

/** A raw graphql-transport-ws socket, for protocol-level assertions the client library hides. */
function rawSocket(t: TestServer): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(t.wsUrl, 'graphql-transport-ws');
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

function closeCode(socket: WebSocket): Promise<number> {
  return new Promise((resolve) => socket.once('close', (code) => resolve(code)));
}

function nextMessage(socket: WebSocket): Promise<any> {
  return new Promise((resolve) => socket.once('message', (data) => resolve(JSON.parse(String(data)))));
}

describe('GraphQL over WebSocket', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.close());

  it('should run queries and mutations over graphql-ws with the token from connection_init', async () => {
    const client = t.ws(ADMIN_TOKEN);
    const result = await wsExecute(client, '{ viewer { login } }');
    expect(result.data).toEqual({ viewer: { login: 'admin' } });
    const created = await wsExecute(client, 'mutation { createProject(input: { slug: "ws-made", name: "WS" }) { slug } }');
    expect(created.data).toEqual({ createProject: { slug: 'ws-made' } });
  });

  it('should close with 4403 when connection_init carries no token', async () => {
    const socket = await rawSocket(t);
    const closed = closeCode(socket);
    socket.send(JSON.stringify({ type: 'connection_init', payload: {} }));
    expect(await closed).toBe(4403);
  });

  it('should close with 4403 when connection_init carries an unknown token', async () => {
    const socket = await rawSocket(t);
    const closed = closeCode(socket);
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: 'Bearer gnt_nope' } }));
    expect(await closed).toBe(4403);
  });

  it('should close with 4401 when a client subscribes before the connection is acknowledged', async () => {
    const socket = await rawSocket(t);
    const closed = closeCode(socket);
    socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: '{ viewer { login } }' } }));
    expect(await closed).toBe(4401);
  });

  it('should close with 4429 on a second connection_init', async () => {
    const socket = await rawSocket(t);
    const ack = nextMessage(socket);
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${ADMIN_TOKEN}` } }));
    expect((await ack).type).toBe('connection_ack');
    const closed = closeCode(socket);
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${ADMIN_TOKEN}` } }));
    expect(await closed).toBe(4429);
  });

  it('should close with 4408 when no connection_init arrives in time', async () => {
    const socket = await rawSocket(t);
    expect(await closeCode(socket)).toBe(4408);
  });

  it('should answer domain errors over WebSocket with the same codes as HTTP', async () => {
    const client = t.ws(ADMIN_TOKEN);
    const result = await wsExecute(client, 'mutation { createProject(input: { slug: "Not A Label", name: "x" }) { id } }');
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.slug' });
  });

  it('should refuse new operations once the token is revoked', async () => {
    const { createApiToken } = await t.ok('mutation { createApiToken(input: { name: "short-lived" }) { token apiToken { id } } }');
    const socket = await rawSocket(t);
    const ack = nextMessage(socket);
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${createApiToken.token}` } }));
    expect((await ack).type).toBe('connection_ack');
    await t.ok('mutation($id: ID!) { revokeApiToken(id: $id) }', { id: createApiToken.apiToken.id });
    const closed = closeCode(socket);
    socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: '{ viewer { login } }' } }));
    expect(await closed).toBe(4403);
  });
});
