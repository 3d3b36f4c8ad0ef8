import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aProject, anApp, anEnvironment } from '../support/fixtures.ts';
import { errorOf, tryCreateRelease } from '../support/releases.ts';
import { startTestServer, wsExecute, type TestServer } from '../support/server.ts';

/**
 * Input checks that apply to every operation: NUL characters, image references, step pauses,
 * and (with introspection off) no "Did you mean" hints. Over HTTP and WebSocket alike.
 */
describe('input validation', () => {
  let t: TestServer;
  /** NODE_ENV=production: introspection off. */
  let prod: TestServer;
  let environmentId: string;
  let projectId: string;

  beforeAll(async () => {
    [t, prod] = await Promise.all([startTestServer(), startTestServer({ env: { NODE_ENV: 'production' } })]);
    const project = await aProject(t);
    projectId = project.id;
    environmentId = (await anEnvironment(t, (await anApp(t, project.id)).id)).id;
    // Two servers start at once; on PGlite each migrates its own database (slow on a loaded machine).
  }, 180_000);
  afterAll(async () => {
    await Promise.all([t?.close(), prod?.close()]);
  });

  /** The first error of an answer from either transport, as code, field and message. */
  const firstError = (res: { errors?: any[] }) => {
    const error = res.errors?.[0];
    return { code: error?.extensions?.code, field: error?.extensions?.field, message: String(error?.message) };
  };

  describe('NUL characters', () => {
    // PostgreSQL rejects U+0000 in text: these used to reach it and fail as INTERNAL_SERVER_ERROR.
    const CASES: { name: string; query: string; variables?: Record<string, unknown>; field: string }[] = [
      { name: 'a query argument as a variable', query: 'query($s: String!) { project(slug: $s) { id } }', variables: { s: 'shop\u0000' }, field: 'slug' },
      { name: 'a query argument as a literal', query: '{ project(slug: "shop\\u0000") { id } }', field: 'slug' },
      {
        name: 'an input object field as a variable',
        query: 'mutation($i: AddProjectMemberInput!) { addProjectMember(input: $i) { role } }',
        variables: { i: { projectId: 'UHJvamVjdDow', login: 'ann\u0000', role: 'VIEWER' } },
        field: 'input.login',
      },
      {
        name: 'an input object field as a literal',
        query: 'mutation { addProjectMember(input: { projectId: "UHJvamVjdDow", login: "ann\\u0000", role: VIEWER }) { role } }',
        field: 'input.login',
      },
    ];
    for (const c of CASES) {
      it(`${c.name} is BAD_USER_INPUT naming ${c.field}, over HTTP and WebSocket, without echoing it`, async () => {
        const overHttp = await t.gql(c.query, c.variables);
        expect(overHttp.status).toBe(200);
        const overWs = await wsExecute(t.ws(), c.query, c.variables);
        for (const error of [firstError(overHttp), firstError(overWs)]) {
          expect(error).toEqual({ code: 'BAD_USER_INPUT', field: c.field, message: `${c.field} must not contain NUL (U+0000) characters` });
        }
      });
    }

    it('refuses a NUL in a mutation before anything is written', async () => {
      const res = await t.gql('mutation($i: CreateAppInput!) { createApp(input: $i) { id } }', {
        i: { projectId, name: 'nul-app', language: 'GO', description: 'x\u0000' },
      });
      expect(firstError(res)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.description' });
      const apps = await t.ok('query($id: ID!) { node(id: $id) { ... on Project { app(name: "nul-app") { id } } } }', { id: projectId });
      expect(apps.node.app).toBeNull();
    });
  });

  describe('image references', () => {
    it.each([
      ['a registry host starting with "-"', '-x/y:1'],
      ['a registry host part ending with "-"', 'registry-.example.com/y:1'],
      ['an empty registry host part', 'registry..example.com/y:1'],
      ['a port over 65535', 'registry:99999/x:1'],
      ['port 0', 'registry:0/x:1'],
      ['a port that is not a number', 'registry:http/x:1'],
      ['an upper-case path', 'registry.local/Team/app:1'],
      ['a path part ending with a separator', 'registry.local/app_:1'],
      ['a tag over 128 characters', `registry.local/app:${'a'.repeat(129)}`],
      ['a tag starting with "."', 'registry.local/app:.1'],
      ['a digest that is not sha256', 'registry.local/app@md5:0123456789abcdef0123456789abcdef'],
      ['a name over 255 characters', `registry.local/${'a'.repeat(250)}:1`],
    ])('refuses %s as BAD_USER_INPUT naming input.image', async (_, image) => {
      const error = errorOf(await tryCreateRelease(t, { environmentId, image }));
      expect(error).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.image' });
      expect(error.message).toMatch(/^input\.image is not a valid image reference: /);
    });

    it.each([
      'app',
      'team/app:1.4.2',
      'registry.example.com:5000/team/app:1.4.2',
      'localhost/app',
      'localhost:65535/app:v1',
      '[::1]:5000/app:1',
      'Registry.Example.com/team/app__x-y.z:1',
      `registry.local/app:${'a'.repeat(128)}`,
      `registry.local/app:1@sha256:${'a'.repeat(64)}`,
    ])('accepts %s (the next check, progressDeadlineSeconds, is the one that refuses)', async (image) => {
      const error = errorOf(await tryCreateRelease(t, { environmentId, image, progressDeadlineSeconds: 0 }));
      expect(error).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.progressDeadlineSeconds' });
    });
  });

  it('refuses pauseSeconds over 7 days as BAD_USER_INPUT naming the step, saying the bound', async () => {
    const steps = [{ weight: 10, pauseSeconds: 2147483647 }, { weight: 100 }];
    const error = errorOf(await tryCreateRelease(t, { environmentId, image: 'registry.local/app:1', strategy: 'CANARY', steps }));
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.steps[0].pauseSeconds' });
    expect(error.message).toContain('604800 (7 days)');
  });

  describe('suggestions', () => {
    const TYPO = '{ projet(slug: "shop") { id } }';

    it('with introspection off, validation errors carry no "Did you mean" over HTTP or WebSocket', async () => {
      const overHttp = firstError(await prod.gql(TYPO));
      const overWs = firstError(await wsExecute(prod.ws(), TYPO));
      for (const error of [overHttp, overWs]) {
        expect(error.code).toBe('BAD_USER_INPUT');
        expect(error.message).toBe('Cannot query field "projet" on type "Query".');
      }
    });

    it('with introspection on, the hint stays', async () => {
      expect(firstError(await t.gql(TYPO)).message).toMatch(/Did you mean "project"/);
      expect(firstError(await wsExecute(t.ws(), TYPO)).message).toMatch(/Did you mean "project"/);
    });
  });
});
