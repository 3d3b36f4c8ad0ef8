import { createClient } from 'graphql-ws';
import postgres from 'postgres';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../support/server.ts';

const base = (t: TestServer) => t.url.replace('/graphql', '');

async function readyz(t: TestServer): Promise<{ status: number; body: any }> {
  const res = await fetch(`${base(t)}/readyz`);
  return { status: res.status, body: await res.json() };
}

/** Drops every table and the migration history, as if the database had been recreated empty. */
async function wipeDatabase(t: TestServer): Promise<void> {
  const statements = 'drop schema drizzle cascade; drop schema public cascade; create schema public;';
  const raw = t.server.database.raw;
  if (raw.kind === 'pglite') {
    // PGlite serves one process: the wipe has to go through the server's own instance.
    await raw.client.exec(statements);
    return;
  }
  const sql = postgres(raw.url, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(statements);
  } finally {
    await sql.end();
  }
}

// Generous timeouts: opening PGlite (WebAssembly) is slow on a loaded machine.
describe('readiness and WebSocket authentication reflect the database as it is now', () => {
  // Each test keeps its own server: a test that overran must not touch the next one's.
  const servers: TestServer[] = [];
  const start = async () => {
    const server = await startTestServer();
    servers.push(server);
    return server;
  };
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close();
  });

  it('should turn /readyz 503 within seconds once the database lost its migrations', async () => {
    const t = await start();
    expect(await readyz(t)).toEqual({ status: 200, body: { status: 'ready' } });
    await wipeDatabase(t);
    const deadline = Date.now() + 5_000;
    let last = await readyz(t);
    while (last.status !== 503 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      last = await readyz(t);
    }
    expect(last).toEqual({ status: 503, body: { status: 'unavailable', reason: 'migrations not applied' } });
  }, 240_000);

  it('should close a WebSocket whose token cannot be checked with 1013, which graphql-ws clients retry, and keep 4403 for bad tokens', async () => {
    const t = await start();
    const codes = async (token: string, attempts: number): Promise<number[]> => {
      const closed: number[] = [];
      const client = createClient({
        url: t.url.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        lazy: true,
        retryAttempts: attempts,
        retryWait: async () => {},
        connectionParams: { authorization: `Bearer ${token}` },
        on: { closed: (event) => void closed.push((event as { code: number }).code) },
      });
      const outcome = await new Promise<unknown>((resolve) => {
        client.subscribe({ query: '{ viewer { login } }' }, { next: () => {}, error: resolve, complete: () => resolve('complete') });
      });
      await client.dispose();
      expect(outcome).not.toBe('complete');
      return closed;
    };

    // The database still answers: a wrong token is refused with 4403.
    expect(await codes('gnt_not-a-valid-token-0123456789abcdef', 0)).toEqual([4403]);
    // A token minted now but never used is not among the recently verified ones (which need no database).
    const minted = await t.ok('mutation { createApiToken(input: { name: "unchecked" }) { token } }');
    // A socket acknowledged while the database answered…
    const open = new WebSocket(t.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    await new Promise((resolve) => open.once('open', resolve));
    open.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${ADMIN_TOKEN}` } }));
    expect(JSON.parse(String(await new Promise((resolve) => open.once('message', resolve))))).toEqual({ type: 'connection_ack' });
    const closes: number[] = [];
    open.on('close', (code) => closes.push(code));

    // The database is gone: the token cannot be checked, the close is retryable and retried.
    await t.server.database.close();
    expect(await codes(minted.createApiToken.token, 2)).toEqual([1013, 1013, 1013]);
    // …while a token verified seconds ago still is one: its next operation fails on the database, not on the token.
    open.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: '{ projects { totalCount } }' } }));
    const answer = JSON.parse(String(await new Promise((resolve) => open.once('message', resolve))));
    expect(answer.type).toBe('next');
    expect(answer.payload.errors[0].extensions.code).toBe('INTERNAL_SERVER_ERROR');
    expect(closes).toEqual([]);
    open.close();
  }, 240_000);
});
