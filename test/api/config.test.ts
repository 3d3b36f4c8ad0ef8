import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, aProject, anApp, anEnvironment, aUser } from '../support/fixtures.ts';
import { startTestServer, type GraphQLResponse, type TestServer } from '../support/server.ts';

const REVISION = 'id number variables { name value } files { path content } secrets { name updatedAt } message createdBy { login }';
const UPDATE = `mutation($i: UpdateConfigInput!) { updateConfig(input: $i) { ${REVISION} } }`;
const SET_SECRET = 'mutation($i: SetSecretInput!) { setSecret(input: $i) { name updatedAt } }';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t?.close());

async function anEnv(input: Record<string, unknown> = {}): Promise<{ id: string; projectId: string }> {
  const project = await aProject(t);
  const app = await anApp(t, project.id);
  const env = await anEnvironment(t, app.id, input);
  return { id: env.id, projectId: project.id };
}

const errorOf = (res: GraphQLResponse) => ({ code: res.errors?.[0]?.extensions?.code ?? 'ok', field: res.errors?.[0]?.extensions?.field, message: res.errors?.[0]?.message });

async function latest(envId: string): Promise<any> {
  return (await t.ok(`query($id: ID!) { node(id: $id) { ... on Environment { config { ${REVISION} } } } }`, { id: envId })).node.config;
}

describe('config revisions', () => {
  it('should start every environment at revision 1, empty', async () => {
    const env = await anEnv();
    expect(await latest(env.id)).toMatchObject({ number: 1, variables: [], files: [], secrets: [], message: null, createdBy: { login: 'admin' } });
  });

  it('should make one new immutable revision per updateConfig, sorted, and keep the older ones readable', async () => {
    const env = await anEnv();
    const r2 = (await t.ok(UPDATE, { i: { environmentId: env.id, set: [{ name: 'B', value: '2' }, { name: 'A', value: '1' }], files: [{ path: 'app/settings.yaml', content: 'x: 1\n' }], message: 'first' } })).updateConfig;
    expect(r2).toMatchObject({ number: 2, variables: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], files: [{ path: 'app/settings.yaml', content: 'x: 1\n' }], message: 'first' });
    const r3 = (await t.ok(UPDATE, { i: { environmentId: env.id, expectedRevision: 2, unset: ['A'], set: [{ name: 'B', value: '3' }], removeFiles: ['app/settings.yaml'] } })).updateConfig;
    expect(r3).toMatchObject({ number: 3, variables: [{ name: 'B', value: '3' }], files: [] });
    const page = await t.ok(`query($id: ID!) { node(id: $id) { ... on Environment { configRevisions(first: 2) { totalCount nodes { number } pageInfo { endCursor hasNextPage } } } } }`, { id: env.id });
    expect(page.node.configRevisions).toMatchObject({ totalCount: 3, nodes: [{ number: 3 }, { number: 2 }], pageInfo: { hasNextPage: true } });
    const old = await t.ok(`query($id: ID!) { node(id: $id) { ... on ConfigRevision { number variables { name value } } } }`, { id: r2.id });
    expect(old.node).toEqual({ number: 2, variables: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] });
  });

  it('should refuse a change that takes a revision over 1 MiB, the most a ConfigMap holds', async () => {
    const env = await anEnv();
    // Two requests: one body of that size is refused before it reaches the resolver.
    await t.ok(UPDATE, { i: { environmentId: env.id, files: [{ path: 'a', content: 'x'.repeat(700_000) }] } });
    const res = await t.gql(UPDATE, { i: { environmentId: env.id, files: [{ path: 'b', content: 'y'.repeat(400_000) }] } });
    expect(errorOf(res)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.files' });
    expect((await latest(env.id)).number).toBe(2);
  });

  it('should refuse a stale expectedRevision with CONFLICT naming the current revision, and change nothing', async () => {
    const env = await anEnv();
    await t.ok(UPDATE, { i: { environmentId: env.id, expectedRevision: 1, set: [{ name: 'A', value: 'mine' }] } });
    const res = await t.gql(UPDATE, { i: { environmentId: env.id, expectedRevision: 1, set: [{ name: 'A', value: 'theirs' }] } });
    expect(errorOf(res).code).toBe('CONFLICT');
    expect(errorOf(res).message).toContain('latest revision is 2');
    expect(res.errors?.[0]?.extensions?.currentRevision).toBe(2);
    expect(await latest(env.id)).toMatchObject({ number: 2, variables: [{ name: 'A', value: 'mine' }] });
  });

  it.each([
    [{ set: [{ name: '1BAD', value: 'x' }] }, 'input.set[0].name'],
    [{ set: [{ name: 'A', value: 'x' }, { name: 'A', value: 'y' }] }, 'input.set[1]'],
    [{ unset: ['A-B'] }, 'input.unset[0]'],
    [{ files: [{ path: '../etc/passwd', content: 'x' }] }, 'input.files[0].path'],
    [{ files: [{ path: '/abs', content: 'x' }] }, 'input.files[0].path'],
    [{ files: [{ path: 'a//b', content: 'x' }] }, 'input.files[0].path'],
    [{ files: [{ path: 'a', content: 'x' }, { path: 'a', content: 'y' }] }, 'input.files[1]'],
    [{ files: [{ path: 'a', content: 'x' }, { path: 'a/b', content: 'y' }] }, 'input.files[0].path'],
    [{ set: [{ name: 'A', value: 'x' }], unset: ['A'] }, 'input.set[0].name'],
    [{ expectedRevision: 0 }, 'input.expectedRevision'],
  ])('should refuse a bad change with BAD_USER_INPUT on the field (%#: %s)', async (change, field) => {
    const env = await anEnv();
    const res = await t.gql(UPDATE, { i: { environmentId: env.id, ...change } });
    expect(errorOf(res)).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect((await latest(env.id)).number).toBe(1);
  });
});

describe('secrets', () => {
  it('should store a secret as a new revision and never return its value, from any field', async () => {
    const env = await anEnv();
    const value = `s3cret-${Math.random()}`;
    const res = await t.gql(SET_SECRET, { i: { environmentId: env.id, name: 'FEATURE_X', value } });
    expect(res.data?.setSecret.name).toBe('FEATURE_X');
    const config = await latest(env.id);
    expect(config).toMatchObject({ number: 2, secrets: [{ name: 'FEATURE_X' }] });
    const audit = await t.ok(`query($id: ID!) { node(id: $id) { ... on Project { auditLog { nodes { action details } } } } }`, { id: env.projectId });
    const entry = audit.node.auditLog.nodes.find((n: any) => n.action === 'secret.set');
    // Redacted by field (SetSecretInput.value is @secret), though nothing in its name looks secret.
    expect(entry.details).toMatchObject({ name: 'FEATURE_X', value: '[REDACTED]' });
    expect(JSON.stringify([res, config, audit])).not.toContain(value);
  });

  it('should refuse a secret named like a variable, and a variable named like a secret', async () => {
    const env = await anEnv();
    await t.ok(UPDATE, { i: { environmentId: env.id, set: [{ name: 'PORT', value: '80' }] } });
    expect(errorOf(await t.gql(SET_SECRET, { i: { environmentId: env.id, name: 'PORT', value: 'x' } }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.name' });
    await t.ok(SET_SECRET, { i: { environmentId: env.id, name: 'TOKEN', value: 'x' } });
    expect(errorOf(await t.gql(UPDATE, { i: { environmentId: env.id, set: [{ name: 'TOKEN', value: 'y' }] } }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.set[0].name' });
    expect(errorOf(await t.gql(SET_SECRET, { i: { environmentId: env.id, name: 'no-dashes', value: 'x' } }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.name' });
  });

  it('should delete a secret with a new revision, and answer false for one that does not exist', async () => {
    const env = await anEnv();
    await t.ok(SET_SECRET, { i: { environmentId: env.id, name: 'API_KEY', value: 'x' } });
    const del = 'mutation($e: ID!, $n: String!) { deleteSecret(environmentId: $e, name: $n) }';
    expect((await t.ok(del, { e: env.id, n: 'API_KEY' })).deleteSecret).toBe(true);
    expect((await t.ok(del, { e: env.id, n: 'API_KEY' })).deleteSecret).toBe(false);
    expect(await latest(env.id)).toMatchObject({ number: 3, secrets: [] });
  });
});

describe('who may change config', () => {
  it('should let a VIEWER read but not change config, and a DEVELOPER change only unprotected environments', async () => {
    const project = await aProject(t);
    const app = await anApp(t, project.id);
    const open = await anEnvironment(t, app.id);
    const guarded = await anEnvironment(t, app.id, { protected: true });
    const viewer = await aUser(t);
    const developer = await aUser(t);
    await addMember(t, project.id, viewer.login, 'VIEWER');
    await addMember(t, project.id, developer.login, 'DEVELOPER');
    const change = (envId: string) => ({ i: { environmentId: envId, set: [{ name: 'A', value: '1' }] } });
    expect((await t.ok(`query($id: ID!) { node(id: $id) { ... on Environment { config { number } } } }`, { id: open.id }, viewer.token)).node.config.number).toBe(1);
    expect(errorOf(await t.gql(UPDATE, change(open.id), viewer.token)).code).toBe('FORBIDDEN');
    expect(errorOf(await t.gql(SET_SECRET, { i: { environmentId: open.id, name: 'S', value: 'x' } }, viewer.token)).code).toBe('FORBIDDEN');
    expect((await t.ok(UPDATE, change(open.id), developer.token)).updateConfig.number).toBe(2);
    expect(errorOf(await t.gql(UPDATE, change(guarded.id), developer.token)).code).toBe('FORBIDDEN');
    const outsider = await aUser(t);
    expect(errorOf(await t.gql(UPDATE, change(open.id), outsider.token)).code).toBe('NOT_FOUND');
  });
});

describe('configChanged', () => {
  it('should stream each new revision, secrets by name only', async () => {
    const env = await anEnv();
    const client = t.ws();
    const received: any[] = [];
    const done = new Promise<void>((resolve, reject) => {
      client.subscribe(
        { query: 'subscription($id: ID!) { configChanged(environmentId: $id) { number variables { name value } secrets { name } } }', variables: { id: env.id } },
        {
          next: (msg) => {
            received.push(msg.data?.configChanged ?? msg);
            if (received.length === 2) resolve();
          },
          error: reject,
          complete: () => resolve(),
        },
      );
    });
    // The subscription starts after the current revision: wait until it is listening.
    await new Promise((r) => setTimeout(r, 300));
    await t.ok(UPDATE, { i: { environmentId: env.id, set: [{ name: 'A', value: '1' }] } });
    await t.ok(SET_SECRET, { i: { environmentId: env.id, name: 'S', value: 'hidden-value' } });
    await done;
    expect(received).toEqual([
      { number: 2, variables: [{ name: 'A', value: '1' }], secrets: [] },
      { number: 3, variables: [{ name: 'A', value: '1' }], secrets: [{ name: 'S' }] },
    ]);
  });
});
