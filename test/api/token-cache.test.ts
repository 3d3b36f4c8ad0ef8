import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/cluster.ts';
import { startTestServer, wsExecute, type TestServer } from '../support/server.ts';

describe('verified tokens', () => {
  let t: TestServer;
  let token: string;
  let tokenId: string;
  beforeAll(async () => {
    t = await startTestServer();
    await t.ok('mutation { createUser(input: { login: "cached" }) { id } }');
    const { createApiToken } = await t.ok('mutation { createApiToken(input: { name: "ci", login: "cached" }) { token apiToken { id } } }');
    token = createApiToken.token;
    tokenId = createApiToken.apiToken.id;
  });
  afterAll(() => t.close());

  it('should answer a request of a recently verified token without a single SQL statement', async () => {
    await t.ok('{ __typename }', {}, token);
    // Requests' statements are counted apart from the background workers' (origin="request").
    const before = await t.statements('request');
    for (let i = 0; i < 3; i++) await t.ok('{ __typename }', {}, token);
    expect((await t.statements('request')) - before).toBe(0);
  });

  it('should record when a token was last used, off the request path', async () => {
    await t.ok('{ __typename }', {}, token);
    await eventually(async () => {
      const { viewer } = await t.ok('{ viewer { apiTokens { id lastUsedAt } } }', {}, token);
      const mine = viewer.apiTokens.find((k: any) => k.id === tokenId);
      return mine.lastUsedAt !== null;
    }, 5_000, 'lastUsedAt recorded');
  });

  it('should refuse a token at once after it is revoked, over HTTP and WebSocket', async () => {
    const client = t.ws(token);
    expect((await wsExecute(client, '{ viewer { login } }')).data).toEqual({ viewer: { login: 'cached' } });
    await t.ok('mutation($id: ID!) { revokeApiToken(id: $id) }', { id: tokenId });
    const res = await t.gql('{ viewer { login } }', {}, token);
    expect(res.status).toBe(401);
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const again = await wsExecute(client, '{ viewer { login } }').catch((e: unknown) => ({ data: undefined, errors: [e] }));
    expect(again.data).toBeUndefined();
  });
});
