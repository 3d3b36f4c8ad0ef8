import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, aProject, aUser, unique } from '../support/fixtures.ts';
import { ADMIN_TOKEN, startTestServer, wsExecute, type TestServer } from '../support/server.ts';

/**
 * What users may see of each other: `node(id:)` finds a user for themself, platform admins and
 * users who share a project with them (NOT_FOUND otherwise, like any invisible object);
 * `isAdmin` is true only to the user themself and to admins.
 */
describe('user visibility', () => {
  let t: TestServer;
  let ann: { login: string; token: string; id: string };
  /** A platform admin who shares a project with ann. */
  let bob: { login: string; token: string; id: string };
  /** Shares no project with anyone. */
  let eve: { login: string; token: string; id: string };
  let adminId: string;

  const USER = 'query($id: ID!) { node(id: $id) { ... on User { login isAdmin } } }';

  beforeAll(async () => {
    t = await startTestServer();
    ann = await aUser(t);
    const bobLogin = unique('bob');
    await t.ok('mutation($i: CreateUserInput!) { createUser(input: $i) { id } }', { i: { login: bobLogin, isAdmin: true } });
    bob = await aUserToken(bobLogin);
    eve = await aUser(t);
    const project = await aProject(t);
    await addMember(t, project.id, ann.login, 'VIEWER');
    await addMember(t, project.id, bob.login, 'VIEWER');
    adminId = (await t.ok('{ viewer { id } }')).viewer.id;
  }, 120_000);
  afterAll(() => t?.close());

  /** A token for an existing user, and the user's id. */
  async function aUserToken(login: string) {
    const { createApiToken } = await t.ok('mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { token } }', { i: { name: 'test', login } });
    const { viewer } = await t.ok('{ viewer { id } }', {}, createApiToken.token);
    return { login, token: createApiToken.token as string, id: viewer.id as string };
  }

  async function lookUp(token: string, id: string) {
    const res = await t.gql(USER, { id }, token);
    return res.errors ? String(res.errors[0]!.extensions?.code) : res.data!.node;
  }

  it('a user sees themself, isAdmin included', async () => {
    expect(await lookUp(ann.token, ann.id)).toEqual({ login: ann.login, isAdmin: false });
    expect(await lookUp(bob.token, bob.id)).toEqual({ login: bob.login, isAdmin: true });
  });

  it('a user who shares a project sees the login, but isAdmin reads false', async () => {
    expect(await lookUp(ann.token, bob.id)).toEqual({ login: bob.login, isAdmin: false });
  });

  it('a user who shares no project is NOT_FOUND, over HTTP and WebSocket', async () => {
    expect(await lookUp(eve.token, ann.id)).toBe('NOT_FOUND');
    expect(await lookUp(eve.token, bob.id)).toBe('NOT_FOUND');
    expect(await lookUp(ann.token, eve.id)).toBe('NOT_FOUND');
    expect(await lookUp(eve.token, adminId)).toBe('NOT_FOUND');
    // ann shares the project the admin created (as its OWNER) with the admin.
    expect(await lookUp(ann.token, adminId)).toEqual({ login: 'admin', isAdmin: false });
    const overWs = await wsExecute(t.ws(eve.token), USER, { id: ann.id });
    expect(overWs.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('platform admins see everyone, isAdmin included', async () => {
    expect(await lookUp(ADMIN_TOKEN, eve.id)).toEqual({ login: eve.login, isAdmin: false });
    expect(await lookUp(ADMIN_TOKEN, bob.id)).toEqual({ login: bob.login, isAdmin: true });
    expect(await lookUp(bob.token, eve.id)).toEqual({ login: eve.login, isAdmin: false });
  });

  it('members lists show co-members, with isAdmin only as the caller may see it', async () => {
    const data = await t.ok('{ projects { nodes { members { user { login isAdmin } } } } }', {}, ann.token);
    const users = data.projects.nodes.flatMap((p: any) => p.members.map((m: any) => m.user));
    expect(users).toContainEqual({ login: bob.login, isAdmin: false });
    expect(users).toContainEqual({ login: ann.login, isAdmin: false });
  });
});
