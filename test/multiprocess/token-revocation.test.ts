import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase } from '../support/database.ts';
import { ChildServer, freePort, waitForHttp } from '../support/processes.ts';

const TOKEN = 'gnt_revocation-test-admin-token-0123456789abcdef';

/**
 * Two Gantry processes on one PostgreSQL database: a token verified (and cached) by one stops
 * working there as soon as the other revokes it, well before the cache's TTL.
 */
describe('token revocation across processes', () => {
  let dataDir: string;
  let db: { url: string; drop(): Promise<void> };
  const started: ChildServer[] = [];
  const origins: string[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'gantry-revoke-'));
    db = await createPostgresDatabase();
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      const child = new ChildServer('server/main.ts', {
        DATABASE_URL: db.url,
        GANTRY_EMBEDDED_CLUSTER: '0',
        GANTRY_DATA_DIR: join(dataDir, `gantry-${i}`),
        GANTRY_ADMIN_TOKEN: TOKEN,
        HOST: '127.0.0.1',
        PORT: String(port),
        GANTRY_LOG_LEVEL: 'warn',
        // Two processes on one host: each its own free metrics port.
        GANTRY_METRICS_PORT: '0',
      });
      started.push(child);
      child.start();
      await waitForHttp(`http://127.0.0.1:${port}/readyz`, child);
      origins.push(`http://127.0.0.1:${port}`);
    }
  }, 120_000);
  afterAll(async () => {
    for (const child of started) await child.kill('SIGTERM');
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const gql = async (origin: string, token: string, query: string, variables: Record<string, unknown> = {}) => {
    const res = await fetch(`${origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
    return { status: res.status, body: (await res.json()) as { data?: any; errors?: any[] } };
  };

  it('should refuse the token in the other process within a second of its revocation', async () => {
    const [a, b] = origins as [string, string];
    await gql(a, TOKEN, 'mutation { createUser(input: { login: "robot" }) { id } }');
    const minted = await gql(a, TOKEN, 'mutation { createApiToken(input: { name: "ci", login: "robot" }) { token apiToken { id } } }');
    const { token, apiToken } = minted.body.data.createApiToken;
    expect((await gql(b, token, '{ viewer { login } }')).body.data).toEqual({ viewer: { login: 'robot' } });
    await gql(a, TOKEN, 'mutation($id: ID!) { revokeApiToken(id: $id) }', { id: apiToken.id });
    const deadline = Date.now() + 1000;
    let status = 200;
    while (Date.now() < deadline && status === 200) {
      status = (await gql(b, token, '{ viewer { login } }')).status;
      if (status === 200) await new Promise((r) => setTimeout(r, 20));
    }
    expect(status).toBe(401);
  });
});
