import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, aProject, anApp, anEnvironment, aUser } from '../support/fixtures.ts';
import { startTestServer, wsExecute, type TestServer } from '../support/server.ts';

const MINT = 'mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { token apiToken { id scopes } } }';
const UPDATE = 'mutation($i: UpdateConfigInput!) { updateConfig(input: $i) { number } }';

let t: TestServer;
let envId: string;
/** A DEVELOPER of the project: their full token may change its config, their read-only one may not. */
let developer: { login: string; token: string };
let readOnly: string;

beforeAll(async () => {
  t = await startTestServer();
  const project = await aProject(t);
  envId = (await anEnvironment(t, (await anApp(t, project.id)).id)).id;
  developer = await aUser(t);
  await addMember(t, project.id, developer.login, 'DEVELOPER');
  const minted = await t.ok(MINT, { i: { name: 'config-reader', scopes: ['READ'] } }, developer.token);
  expect(minted.createApiToken.apiToken.scopes).toEqual(['READ']);
  readOnly = minted.createApiToken.token;
  // A fresh PGlite can take a minute to start on a loaded machine, and the fixtures come after it.
}, 180_000);
afterAll(() => t?.close());

async function latestRevision(): Promise<number> {
  return (await t.ok('query($id: ID!) { node(id: $id) { ... on Environment { config { number } } } }', { id: envId })).node.config.number;
}

describe('API token scopes', () => {
  it('should give a token both scopes by default, as tokens had before scopes, and show them', async () => {
    const { createApiToken } = await t.ok(MINT, { i: { name: 'everything' } }, developer.token);
    expect(createApiToken.apiToken.scopes).toEqual(['READ', 'WRITE']);
    const { viewer } = await t.ok('{ viewer { apiTokens { name scopes } } }', {}, developer.token);
    expect(viewer.apiTokens).toEqual(
      expect.arrayContaining([
        { name: 'config-reader', scopes: ['READ'] },
        { name: 'everything', scopes: ['READ', 'WRITE'] },
      ]),
    );
  });

  it('should refuse a token without READ, naming input.scopes, and mint nothing', async () => {
    const res = await t.gql(MINT, { i: { name: 'write-only', scopes: ['WRITE'] } }, developer.token);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.scopes' });
    const { viewer } = await t.ok('{ viewer { apiTokens { name } } }', {}, developer.token);
    expect(viewer.apiTokens.map((k: { name: string }) => k.name)).not.toContain('write-only');
  });

  it('should let a read-only token run queries over HTTP and refuse its mutations with FORBIDDEN naming WRITE', async () => {
    expect((await t.ok('{ viewer { login } }', {}, readOnly)).viewer.login).toBe(developer.login);
    const res = await t.gql(UPDATE, { i: { environmentId: envId, set: [{ name: 'A', value: '1' }] } }, readOnly);
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(res.errors?.[0]?.message).toMatch(/lacks the WRITE scope/);
    expect(res.data).toBeNull();
    expect(await latestRevision()).toBe(1);
    // Every mutation, also the ones about the token's own user: a read-only token cannot mint a full one.
    const minting = await t.gql(MINT, { i: { name: 'escalate' } }, readOnly);
    expect(minting.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    // The same user's full token still may: the scope limits the token, not the user.
    await t.ok(UPDATE, { i: { environmentId: envId, set: [{ name: 'A', value: '1' }] } }, developer.token);
    expect(await latestRevision()).toBe(2);
  });

  it('should let a read-only token subscribe and query over WebSocket and refuse its mutations there too', async () => {
    const client = t.ws(readOnly);
    expect((await wsExecute(client, '{ viewer { login } }')).data).toEqual({ viewer: { login: developer.login } });
    const refused = await wsExecute(client, UPDATE, { i: { environmentId: envId, set: [{ name: 'B', value: '2' }] } });
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(refused.errors?.[0]?.message).toMatch(/lacks the WRITE scope/);

    const received: number[] = [];
    const second = new Promise<void>((resolve, reject) => {
      client.subscribe<{ configChanged: { number: number } }>(
        { query: 'subscription($id: ID!) { configChanged(environmentId: $id) { number } }', variables: { id: envId } },
        {
          next: (msg) => {
            if (msg.errors) reject(new Error(JSON.stringify(msg.errors)));
            received.push(msg.data!.configChanged.number);
            resolve();
          },
          error: reject,
          complete: () => resolve(),
        },
      );
    });
    const before = await latestRevision();
    // The subscription streams revisions made after it started: keep changing until one arrives.
    let value = 0;
    while (received.length === 0) {
      await t.ok(UPDATE, { i: { environmentId: envId, set: [{ name: 'C', value: String(value++) }] } }, developer.token);
      await Promise.race([second, new Promise((r) => setTimeout(r, 200))]);
    }
    expect(received[0]).toBeGreaterThan(before);
    expect((await latestRevision()) - before).toBe(value);
  });

  it('should audit the minting with the scopes and without the secret', async () => {
    const rows = await t.server.database.db.query.auditEntries.findMany();
    const minting = rows.filter((row) => row.action === 'apiToken.create' && (row.details as { name?: string }).name === 'config-reader');
    expect(minting).toHaveLength(1);
    expect(minting[0]!.details).toMatchObject({ login: developer.login, scopes: ['READ'] });
    expect(JSON.stringify(rows)).not.toContain(readOnly);
  });
});
