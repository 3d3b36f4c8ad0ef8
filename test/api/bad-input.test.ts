import { randomBytes } from 'node:crypto';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ErrorCode } from '../../services/shared/errors.ts';
import { addMember, aProject, anApp, anEnvironment, aUser, unique } from '../support/fixtures.ts';
import { aLogin, aTokenFor, expectNoLeak, rowCounts } from '../support/matrix.ts';
import { ADMIN_TOKEN, startTestServer, wsExecute, type GraphQLResponse, type TestServer } from '../support/server.ts';

type Vars = Record<string, unknown>;

/** What a refused request must look like: its status (never 500), code and, for arguments, field. */
interface Refusal {
  /** The HTTP status; absent over WebSocket. */
  status?: number;
  code: ErrorCode;
  /** The input path named by BAD_USER_INPUT and CONFLICT on an argument. */
  field?: string;
  /** Something the message must say, to show which check refused the request. */
  message?: RegExp;
}

function expectRefused(res: { status?: number; data?: unknown; errors?: GraphQLResponse['errors'] }, refusal: Refusal): void {
  if (res.status !== undefined) expect(res.status).not.toBe(500);
  if (refusal.status !== undefined) expect(res.status, JSON.stringify(res.errors)).toBe(refusal.status);
  expect(res.errors?.length, 'the answer has errors').toBeGreaterThan(0);
  const first = res.errors![0]!;
  expect(first.extensions?.code, first.message).toBe(refusal.code);
  if (refusal.field !== undefined) expect(first.extensions?.field).toBe(refusal.field);
  if (refusal.message) expect(first.message).toMatch(refusal.message);
  const data = res.data as Record<string, unknown> | null | undefined;
  expect(Object.values(data ?? {}).every((v) => v === null), 'no data for a refused operation').toBe(true);
  expectNoLeak(res);
}

/** A request sent with fetch as is, and its decoded answer. */
async function raw(url: string, init: RequestInit): Promise<GraphQLResponse & { body: unknown }> {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // left as text: the expectations below then fail with the body in view
  }
  return { status: res.status, headers: res.headers, body, ...(typeof body === 'object' ? (body as object) : {}) };
}

const json = { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` };
const VIEWER_QUERY = '{ viewer { login } }';

/** The close code of a graphql-ws connection whose connection_init carries these params. */
async function closeCodeFor(wsUrl: string, connectionParams: Record<string, unknown>): Promise<number | 'open'> {
  const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, lazy: true, retryAttempts: 0, connectionParams });
  try {
    await wsExecute(client, VIEWER_QUERY);
    return 'open';
  } catch (event) {
    return (event as { code: number }).code;
  } finally {
    await client.dispose();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const CREATE_USER = `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`;
const CREATE_TOKEN = `mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { token } }`;
const REVOKE_TOKEN = `mutation($id: ID!) { revokeApiToken(id: $id) }`;
const CREATE_PROJECT = `mutation($i: CreateProjectInput!) { createProject(input: $i) { id } }`;
const ADD_MEMBER = `mutation($i: AddProjectMemberInput!) { addProjectMember(input: $i) { role } }`;
const REMOVE_MEMBER = `mutation($p: ID!, $l: String!) { removeProjectMember(projectId: $p, login: $l) }`;
const CREATE_APP = `mutation($i: CreateAppInput!) { createApp(input: $i) { id } }`;
const UPDATE_APP = `mutation($i: UpdateAppInput!) { updateApp(input: $i) { id } }`;
const DELETE_APP = `mutation($id: ID!) { deleteApp(id: $id) }`;
const CREATE_ENV = `mutation($i: CreateEnvironmentInput!) { createEnvironment(input: $i) { id } }`;
const UPDATE_ENV = `mutation($i: UpdateEnvironmentInput!) { updateEnvironment(input: $i) { id } }`;

/** Limits of the small server; every limit case below breaks exactly one of them. */
const SMALL_LIMITS = {
  GANTRY_MAX_BODY_BYTES: '2048',
  GANTRY_MAX_DOCUMENT_BYTES: '512',
  GANTRY_MAX_DEPTH: '5',
  GANTRY_MAX_ALIASES: '3',
  GANTRY_MAX_TOKENS: '200',
};

/** Documents over one limit of {@link SMALL_LIMITS} each; refused the same way on HTTP and WebSocket. */
const LIMIT_CASES: { name: string; query: string; httpStatus: number; message: RegExp }[] = [
  { name: 'a document over GANTRY_MAX_DOCUMENT_BYTES', query: `${VIEWER_QUERY}${' '.repeat(600)}`, httpStatus: 413, message: /document is \d+ bytes/ },
  {
    name: 'a document deeper than GANTRY_MAX_DEPTH',
    query: '{ projects { nodes { apps { nodes { environments { app { project { id } } } } } } } }',
    httpStatus: 400,
    message: /depth/i,
  },
  {
    name: 'a document with more aliases than GANTRY_MAX_ALIASES',
    query: '{ a: viewer { id } b: viewer { id } c: viewer { id } d: viewer { id } }',
    httpStatus: 400,
    message: /alias/i,
  },
  { name: 'a document with more tokens than GANTRY_MAX_TOKENS', query: `{ ${'a '.repeat(210)}}`, httpStatus: 400, message: /tokens/ },
  { name: 'a syntax error', query: '{ viewer { login ', httpStatus: 400, message: /Syntax Error/ },
];

describe('bad input', () => {
  let t: TestServer;
  /** GANTRY_MAX_* set low: see {@link SMALL_LIMITS}. */
  let small: TestServer;
  /** NODE_ENV=production: introspection off. */
  let prod: TestServer;
  /** NODE_ENV=production with GANTRY_INTROSPECTION=1. */
  let prodIntrospection: TestServer;

  const fx = {} as {
    project: { id: string; slug: string };
    app: { id: string; name: string };
    environment: { id: string; name: string; namespace: string };
    foreignProject: { id: string; slug: string };
    foreignApp: { id: string; name: string };
    foreignEnvironment: { id: string };
    deletedApp: { id: string };
    deletedEnvironment: { id: string };
    bystanderToken: { id: string };
    maintainer: { login: string; token: string };
  };

  /** Everything a refused request must leave alone: row counts, and the fixture app and environment. */
  async function state(server: TestServer = t) {
    const counts = await rowCounts(server);
    if (server !== t) return { counts };
    const objects = await t.ok(
      `query($a: ID!, $e: ID!) {
        app: node(id: $a) { ... on App { name language repoUrl description } }
        env: node(id: $e) { ... on Environment { name namespace replicas protected router cluster { name } } }
      }`,
      { a: fx.app.id, e: fx.environment.id },
    );
    return { counts, objects };
  }

  beforeAll(async () => {
    [t, small, prod, prodIntrospection] = await Promise.all([
      startTestServer(),
      startTestServer({ env: SMALL_LIMITS }),
      startTestServer({ env: { NODE_ENV: 'production' } }),
      startTestServer({ env: { NODE_ENV: 'production', GANTRY_INTROSPECTION: '1' } }),
    ]);
    fx.project = await aProject(t);
    fx.app = await anApp(t, fx.project.id);
    fx.environment = await anEnvironment(t, fx.app.id);
    fx.maintainer = await aUser(t, unique('maintainer'));
    await addMember(t, fx.project.id, fx.maintainer.login, 'MAINTAINER');

    fx.foreignProject = await aProject(t);
    fx.foreignApp = await anApp(t, fx.foreignProject.id);
    fx.foreignEnvironment = await anEnvironment(t, fx.foreignApp.id);

    fx.deletedApp = await anApp(t, fx.project.id);
    const doomed = await anApp(t, fx.project.id);
    fx.deletedEnvironment = await anEnvironment(t, doomed.id);
    for (const id of [fx.deletedApp.id, doomed.id]) await t.ok(DELETE_APP, { id });

    fx.bystanderToken = await aTokenFor(t, await aLogin(t, 'bystander'));
    // Four servers start at once; on PGlite each one migrates its own database.
  }, 180_000);
  afterAll(async () => {
    await Promise.all([t, small, prod, prodIntrospection].map((s) => s?.close()));
  });

  describe('GraphQL arguments', () => {
    interface InputCase extends Refusal {
      name: string;
      query: string;
      vars: () => Vars;
      /** Defaults to the platform admin, who passes every authorization check. */
      token?: () => string;
    }

    const BAD_DNS_LABELS: [string, string][] = [
      ['an uppercase letter', 'Shop'],
      ['a space', 'my shop'],
      ['a leading dash', '-shop'],
      ['a trailing dash', 'shop-'],
      ['an underscore', 'my_shop'],
      ['64 characters', 'a'.repeat(64)],
      ['nothing (empty)', ''],
    ];
    const DNS_FIELDS: { what: string; query: string; field: string; vars: (v: string) => Vars }[] = [
      { what: 'a project slug', query: CREATE_PROJECT, field: 'input.slug', vars: (v) => ({ i: { slug: v, name: 'Shop' } }) },
      { what: 'an app name', query: CREATE_APP, field: 'input.name', vars: (v) => ({ i: { projectId: fx.project.id, name: v, language: 'GO' } }) },
      { what: 'an environment name', query: CREATE_ENV, field: 'input.name', vars: (v) => ({ i: { appId: fx.app.id, name: v } }) },
      { what: 'a namespace', query: CREATE_ENV, field: 'input.namespace', vars: (v) => ({ i: { appId: fx.app.id, name: unique('env'), namespace: v } }) },
      { what: 'a user login', query: CREATE_USER, field: 'input.login', vars: (v) => ({ i: { login: v } }) },
    ];
    const GARBAGE_ID = 'not-an-id';

    const CASES: InputCase[] = [
      ...DNS_FIELDS.flatMap(({ what, query, field, vars }) =>
        BAD_DNS_LABELS.map(([how, value]) => ({
          name: `${what} with ${how}`,
          query,
          vars: () => vars(value),
          status: 200,
          code: 'BAD_USER_INPUT' as const,
          field,
        })),
      ),
      ...['not a url', 'ftp://example.com/repo.git', 'javascript:alert(1)', 'https://'].map((repoUrl) => ({
        name: `a repoUrl "${repoUrl}" on createApp`,
        query: CREATE_APP,
        vars: () => ({ i: { projectId: fx.project.id, name: unique('app'), language: 'GO', repoUrl } }),
        status: 200,
        code: 'BAD_USER_INPUT' as const,
        field: 'input.repoUrl',
      })),
      {
        name: 'an invalid repoUrl on updateApp',
        query: UPDATE_APP,
        vars: () => ({ i: { id: fx.app.id, repoUrl: 'not a url' } }),
        status: 200,
        code: 'BAD_USER_INPUT',
        field: 'input.repoUrl',
      },
      ...[-1, 1001].flatMap((replicas) => [
        {
          name: `replicas ${replicas} on createEnvironment`,
          query: CREATE_ENV,
          vars: () => ({ i: { appId: fx.app.id, name: unique('env'), replicas } }),
          status: 200,
          code: 'BAD_USER_INPUT' as const,
          field: 'input.replicas',
        },
        {
          name: `replicas ${replicas} on updateEnvironment`,
          query: UPDATE_ENV,
          vars: () => ({ i: { id: fx.environment.id, replicas } }),
          status: 200,
          code: 'BAD_USER_INPUT' as const,
          field: 'input.replicas',
        },
      ]),
      {
        name: 'replicas null on updateEnvironment',
        query: UPDATE_ENV,
        vars: () => ({ i: { id: fx.environment.id, replicas: null } }),
        status: 200,
        code: 'BAD_USER_INPUT',
        field: 'input.replicas',
      },
      {
        name: 'language null on updateApp',
        query: UPDATE_APP,
        vars: () => ({ i: { id: fx.app.id, language: null } }),
        status: 200,
        code: 'BAD_USER_INPUT',
        field: 'input.language',
      },
      {
        name: 'an unknown cluster name',
        query: CREATE_ENV,
        vars: () => ({ i: { appId: fx.app.id, name: unique('env'), cluster: 'no-such-cluster' } }),
        status: 200,
        code: 'BAD_USER_INPUT',
        field: 'input.cluster',
      },
      {
        name: 'a blank project name',
        query: CREATE_PROJECT,
        vars: () => ({ i: { slug: unique('proj'), name: '   ' } }),
        status: 200,
        code: 'BAD_USER_INPUT',
        field: 'input.name',
      },
      {
        name: 'an app description over 2000 characters',
        query: CREATE_APP,
        vars: () => ({ i: { projectId: fx.project.id, name: unique('app'), language: 'GO', description: 'x'.repeat(2001) } }),
        status: 200,
        code: 'BAD_USER_INPUT',
        field: 'input.description',
      },
      {
        name: 'an empty token name',
        query: CREATE_TOKEN,
        vars: () => ({ i: { name: '' } }),
        status: 200,
        code: 'BAD_USER_INPUT',
        field: 'input.name',
      },

      // GraphQL's own coercion of variables, before any resolver runs.
      ...(
        [
          ['an unknown Language', CREATE_APP, () => ({ i: { projectId: fx.project.id, name: unique('app'), language: 'COBOL' } })],
          ['an unknown Language on updateApp', UPDATE_APP, () => ({ i: { id: fx.app.id, language: 'go' } })],
          ['an unknown Role', ADD_MEMBER, () => ({ i: { projectId: fx.project.id, login: fx.maintainer.login, role: 'GOD' } })],
          ['an unknown TrafficRouter', CREATE_ENV, () => ({ i: { appId: fx.app.id, name: unique('env'), router: 'NGINX' } })],
          ['a string for an Int', CREATE_ENV, () => ({ i: { appId: fx.app.id, name: unique('env'), replicas: 'three' } })],
          ['a missing required input field', CREATE_APP, () => ({ i: { projectId: fx.project.id, name: unique('app') } })],
          ['an unknown input field', CREATE_APP, () => ({ i: { projectId: fx.project.id, name: unique('app'), language: 'GO', colour: 'red' } })],
        ] as const
      ).map(([what, query, vars]) => ({ name: `${what} in variables`, query, vars, status: 400, code: 'BAD_USER_INPUT' as const })),
      ...['tomorrow', '2099-01-31', '2099-01-31T12:00:00', '2099-13-45T00:00:00Z', '2099-02-30T12:00:00Z', '31/01/2099 12:00'].map((expiresAt) => ({
        name: `the DateTime "${expiresAt}"`,
        query: CREATE_TOKEN,
        vars: () => ({ i: { name: unique('token'), expiresAt } }),
        status: 400,
        code: 'BAD_USER_INPUT' as const,
      })),
      {
        name: 'an expiresAt in the past',
        query: CREATE_TOKEN,
        vars: () => ({ i: { name: unique('token'), expiresAt: '2020-01-01T00:00:00Z' } }),
        status: 200,
        code: 'BAD_USER_INPUT',
        field: 'input.expiresAt',
      },

      // Malformed IDs name the argument.
      ...(
        [
          ['input.projectId of createApp', CREATE_APP, 'input.projectId', (id: string) => ({ i: { projectId: id, name: unique('app'), language: 'GO' } })],
          ['input.id of updateApp', UPDATE_APP, 'input.id', (id: string) => ({ i: { id, description: 'x' } })],
          ['id of deleteApp', DELETE_APP, 'id', (id: string) => ({ id })],
          ['input.appId of createEnvironment', CREATE_ENV, 'input.appId', (id: string) => ({ i: { appId: id, name: unique('env') } })],
          ['input.id of updateEnvironment', UPDATE_ENV, 'input.id', (id: string) => ({ i: { id, replicas: 1 } })],
          ['input.projectId of addProjectMember', ADD_MEMBER, 'input.projectId', (id: string) => ({ i: { projectId: id, login: fx.maintainer.login, role: 'VIEWER' } })],
          ['projectId of removeProjectMember', REMOVE_MEMBER, 'projectId', (id: string) => ({ p: id, l: fx.maintainer.login })],
          ['id of revokeApiToken', REVOKE_TOKEN, 'id', (id: string) => ({ id })],
        ] as const
      ).map(([what, query, field, vars]) => ({
        name: `a random string as ${what}`,
        query,
        vars: () => vars(GARBAGE_ID),
        status: 200,
        code: 'BAD_USER_INPUT' as const,
        field,
      })),

      // A well-formed ID of another type names the argument too.
      ...(
        [
          ['a Project ID as input.appId', CREATE_ENV, 'input.appId', () => ({ i: { appId: fx.project.id, name: unique('env') } })],
          ['an App ID as input.projectId', CREATE_APP, 'input.projectId', () => ({ i: { projectId: fx.app.id, name: unique('app'), language: 'GO' } })],
          ['an Environment ID as the id of deleteApp', DELETE_APP, 'id', () => ({ id: fx.environment.id })],
          ['an App ID as the id of updateEnvironment', UPDATE_ENV, 'input.id', () => ({ i: { id: fx.app.id, replicas: 1 } })],
          ['an Environment ID as the id of updateApp', UPDATE_APP, 'input.id', () => ({ i: { id: fx.environment.id, description: 'x' } })],
          ['a Project ID as the id of revokeApiToken', REVOKE_TOKEN, 'id', () => ({ id: fx.project.id })],
        ] as const
      ).map(([what, query, field, vars]) => ({ name: what, query, vars, status: 200, code: 'BAD_USER_INPUT' as const, field })),

      // A well-formed ID of a deleted object is simply not found.
      ...(
        [
          ['updateApp', UPDATE_APP, () => ({ i: { id: fx.deletedApp.id, description: 'x' } })],
          ['deleteApp', DELETE_APP, () => ({ id: fx.deletedApp.id })],
          ['createEnvironment', CREATE_ENV, () => ({ i: { appId: fx.deletedApp.id, name: unique('env') } })],
          ['updateEnvironment', UPDATE_ENV, () => ({ i: { id: fx.deletedEnvironment.id, replicas: 1 } })],
        ] as const
      ).map(([what, query, vars]) => ({ name: `the ID of a deleted object on ${what}`, query, vars, status: 200, code: 'NOT_FOUND' as const })),

      // Objects of a project the caller is not a member of are not found either, even for a MAINTAINER elsewhere.
      ...(
        [
          ['createApp', CREATE_APP, () => ({ i: { projectId: fx.foreignProject.id, name: unique('app'), language: 'GO' } })],
          ['updateApp', UPDATE_APP, () => ({ i: { id: fx.foreignApp.id, description: 'x' } })],
          ['deleteApp', DELETE_APP, () => ({ id: fx.foreignApp.id })],
          ['createEnvironment', CREATE_ENV, () => ({ i: { appId: fx.foreignApp.id, name: unique('env') } })],
          ['updateEnvironment', UPDATE_ENV, () => ({ i: { id: fx.foreignEnvironment.id, replicas: 1 } })],
          ['addProjectMember', ADD_MEMBER, () => ({ i: { projectId: fx.foreignProject.id, login: fx.maintainer.login, role: 'OWNER' } })],
          ['removeProjectMember', REMOVE_MEMBER, () => ({ p: fx.foreignProject.id, l: 'admin' })],
          ['revokeApiToken', REVOKE_TOKEN, () => ({ id: fx.bystanderToken.id })],
        ] as const
      ).map(([what, query, vars]) => ({
        name: `a foreign ID on ${what}`,
        query,
        vars,
        token: () => fx.maintainer.token,
        status: 200,
        code: 'NOT_FOUND' as const,
      })),
      {
        name: 'an unknown login on addProjectMember',
        query: ADD_MEMBER,
        vars: () => ({ i: { projectId: fx.project.id, login: unique('nobody'), role: 'VIEWER' } }),
        status: 200,
        code: 'NOT_FOUND',
      },

      // Duplicates clash with what exists, and say which field.
      {
        name: 'a duplicate project slug',
        query: CREATE_PROJECT,
        vars: () => ({ i: { slug: fx.project.slug, name: 'Again' } }),
        status: 200,
        code: 'CONFLICT',
        field: 'input.slug',
      },
      {
        name: 'a duplicate app name in the project',
        query: CREATE_APP,
        vars: () => ({ i: { projectId: fx.project.id, name: fx.app.name, language: 'GO' } }),
        status: 200,
        code: 'CONFLICT',
        field: 'input.name',
      },
      {
        name: 'a duplicate environment name in the app',
        query: CREATE_ENV,
        vars: () => ({ i: { appId: fx.app.id, name: fx.environment.name } }),
        status: 200,
        code: 'CONFLICT',
        field: 'input.name',
      },
      {
        name: "a namespace that already runs the app, under another environment name",
        query: CREATE_ENV,
        vars: () => ({ i: { appId: fx.app.id, name: unique('env'), namespace: fx.environment.namespace } }),
        status: 200,
        code: 'CONFLICT',
        field: 'input.namespace',
      },
      {
        name: 'a duplicate user login',
        query: CREATE_USER,
        vars: () => ({ i: { login: fx.maintainer.login } }),
        status: 200,
        code: 'CONFLICT',
        field: 'input.login',
      },

      // Pagination arguments.
      ...(
        [
          ['first: -1 on projects', '{ projects(first: -1) { totalCount } }', 'first'],
          ['first: 1000 on projects', '{ projects(first: 1000) { totalCount } }', 'first'],
          ['a garbage after cursor on projects', '{ projects(after: "garbage!") { totalCount } }', 'after'],
          ['a cursor whose key holds a NUL on projects', `{ projects(after: "${Buffer.from('c:a\u0000b').toString('base64url')}") { totalCount } }`, 'after'],
          ['first: -1 on Project.apps', 'query($s: String!) { project(slug: $s) { apps(first: -1) { totalCount } } }', 'first'],
          ['a garbage after cursor on Project.apps', 'query($s: String!) { project(slug: $s) { apps(after: "garbage!") { totalCount } } }', 'after'],
          ['first: 1000 on Project.auditLog', 'query($s: String!) { project(slug: $s) { auditLog(first: 1000) { totalCount } } }', 'first'],
          ['a garbage after cursor on Project.auditLog', 'query($s: String!) { project(slug: $s) { auditLog(after: "garbage!") { totalCount } } }', 'after'],
          [
            'a well-formed cursor with a non-numeric position on Project.auditLog',
            `query($s: String!) { project(slug: $s) { auditLog(after: "${Buffer.from('c:abc').toString('base64url')}") { totalCount } } }`,
            'after',
          ],
        ] as const
      ).map(([what, query, field]) => ({
        name: what,
        query,
        vars: () => ({ s: fx.project.slug }),
        status: 200,
        code: 'BAD_USER_INPUT' as const,
        field,
      })),
      {
        name: 'a malformed ID on node(id:)',
        query: 'query($id: ID!) { node(id: $id) { id } }',
        vars: () => ({ id: GARBAGE_ID }),
        status: 200,
        code: 'NOT_FOUND',
      },
    ];

    for (const c of CASES) it(`${c.name} is refused with ${c.code} and changes nothing`, async () => {
      const before = await state();
      const res = await t.gql(c.query, c.vars(), c.token?.() ?? ADMIN_TOKEN);
      expectRefused(res, c);
      expect(await state()).toEqual(before);
    });

    for (const query of ['{ viewer { login ', 'mutation {', '}{', '{ viewer { login } } }', 'query($x: ) { viewer { login } }', '{ viewer(login: "unterminated) { login } }']) {
      it(`the syntax error ${JSON.stringify(query)} is refused with HTTP 400 and BAD_USER_INPUT`, async () => {
        const before = await state();
        expectRefused(await t.gql(query), { status: 400, code: 'BAD_USER_INPUT', message: /Syntax Error/ });
        expect(await state()).toEqual(before);
      });
    }

    it('an invalid DateTime literal in the document is refused with BAD_USER_INPUT', async () => {
      const before = await state();
      const res = await t.gql(`mutation { createApiToken(input: { name: "x", expiresAt: "2099-13-45T00:00:00Z" }) { token } }`);
      expectRefused(res, { status: 400, code: 'BAD_USER_INPUT' });
      expect(await state()).toEqual(before);
    });

    it.each([
      ['an unknown Language', CREATE_APP, () => ({ i: { projectId: fx.project.id, name: unique('app'), language: 'COBOL' } })],
      ['a missing required input field', CREATE_APP, () => ({ i: { projectId: fx.project.id, name: unique('app') } })],
      ['a string for an Int', CREATE_ENV, () => ({ i: { appId: fx.app.id, name: unique('env'), replicas: 'three' } })],
      ['an invalid DateTime', CREATE_TOKEN, () => ({ i: { name: unique('token'), expiresAt: 'tomorrow' } })],
    ] as const)('%s in variables over WebSocket is BAD_USER_INPUT, as over HTTP', async (_what, query, vars) => {
      const before = await state();
      const result = await wsExecute(t.ws(), query, vars());
      expectRefused(result, { code: 'BAD_USER_INPUT' });
      expect(await state()).toEqual(before);
    });
  });

  describe('HTTP requests', () => {
    /** A mutation that must never run: it would create a project with this slug. */
    const sneaky = () => {
      const slug = unique('sneaky');
      return { slug, query: `mutation { createProject(input: { slug: "${slug}", name: "x" }) { id } }` };
    };
    const getUrl = (query: string) => `${t.url}?query=${encodeURIComponent(query)}`;

    const CASES: { name: string; init: (query: string) => [url: string, init: RequestInit]; status: number; allow?: boolean }[] = [
      { name: 'a malformed JSON body', init: () => [t.url, { method: 'POST', headers: json, body: '{"query": ' }], status: 400 },
      { name: 'an empty body', init: () => [t.url, { method: 'POST', headers: json, body: '' }], status: 400 },
      { name: 'a JSON body that is null', init: () => [t.url, { method: 'POST', headers: json, body: 'null' }], status: 400 },
      { name: 'a JSON body without a query', init: () => [t.url, { method: 'POST', headers: json, body: '{}' }], status: 400 },
      { name: 'a query that is not a string', init: () => [t.url, { method: 'POST', headers: json, body: '{"query": 5}' }], status: 400 },
      {
        name: 'a batch of operations',
        init: (query) => [t.url, { method: 'POST', headers: json, body: JSON.stringify([{ query }]) }],
        status: 400,
      },
      {
        name: 'variables that are a string',
        init: (query) => [t.url, { method: 'POST', headers: json, body: JSON.stringify({ query, variables: '{}' }) }],
        status: 400,
      },
      {
        name: 'an unknown operationName',
        init: (query) => [t.url, { method: 'POST', headers: json, body: JSON.stringify({ query, operationName: 'Nope' }) }],
        status: 400,
      },
      {
        name: 'Content-Type text/plain',
        init: (query) => [t.url, { method: 'POST', headers: { ...json, 'content-type': 'text/plain' }, body: JSON.stringify({ query }) }],
        status: 415,
      },
      {
        name: 'Content-Type application/x-www-form-urlencoded',
        init: (query) => [
          t.url,
          { method: 'POST', headers: { ...json, 'content-type': 'application/x-www-form-urlencoded' }, body: `query=${encodeURIComponent(query)}` },
        ],
        status: 415,
      },
      {
        name: 'no Content-Type',
        init: (query) => [t.url, { method: 'POST', headers: { authorization: json.authorization }, body: new TextEncoder().encode(JSON.stringify({ query })) }],
        status: 415,
      },
      {
        name: 'a mutation sent with GET',
        init: (query) => [getUrl(query), { headers: { authorization: json.authorization, 'apollo-require-preflight': 'true' } }],
        status: 405,
      },
      {
        name: 'a mutation sent with GET without a CSRF-safe header',
        init: (query) => [getUrl(query), { headers: { authorization: json.authorization } }],
        status: 400,
      },
      { name: 'the method PUT', init: (query) => [t.url, { method: 'PUT', headers: json, body: JSON.stringify({ query }) }], status: 405, allow: true },
      { name: 'the method DELETE', init: () => [t.url, { method: 'DELETE', headers: json }], status: 405, allow: true },
    ];

    for (const c of CASES) it(`${c.name} is refused with HTTP ${c.status} and BAD_USER_INPUT, and nothing runs`, async () => {
      const { slug, query } = sneaky();
      const before = await state();
      const res = await raw(...c.init(query));
      expectRefused(res, { status: c.status, code: 'BAD_USER_INPUT' });
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      if (c.allow) expect(res.headers.get('allow')).toBe('GET, POST');
      expect(await state()).toEqual(before);
      const check = await t.gql('query($s: String!) { project(slug: $s) { id } }', { s: slug });
      expect(check.errors?.[0]?.extensions?.code, 'the mutation did not run').toBe('NOT_FOUND');
    });
  });

  describe('request limits', () => {
    it('a body over GANTRY_MAX_BODY_BYTES is refused with HTTP 413', async () => {
      const before = await state(small);
      const body = JSON.stringify({ query: VIEWER_QUERY, variables: { padding: 'x'.repeat(3000) } });
      const res = await raw(small.url, { method: 'POST', headers: json, body });
      expectRefused(res, { status: 413, code: 'BAD_USER_INPUT', message: /GANTRY_MAX_BODY_BYTES/ });
      expect(await state(small)).toEqual(before);
    });

    it('a chunked body over GANTRY_MAX_BODY_BYTES, without Content-Length, is refused with HTTP 413', async () => {
      const chunks = ['{"query":"{ viewer { login } }","variables":{"padding":"', 'x'.repeat(3000), '"}}'];
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
          controller.close();
        },
      });
      const res = await raw(small.url, { method: 'POST', headers: json, body, duplex: 'half' } as RequestInit);
      expectRefused(res, { status: 413, code: 'BAD_USER_INPUT', message: /GANTRY_MAX_BODY_BYTES/ });
    });

    for (const c of LIMIT_CASES) it(`${c.name} is refused over HTTP POST with HTTP ${c.httpStatus} and BAD_USER_INPUT`, async () => {
      const before = await state(small);
      const res = await raw(small.url, { method: 'POST', headers: json, body: JSON.stringify({ query: c.query }) });
      expectRefused(res, { status: c.httpStatus, code: 'BAD_USER_INPUT', message: c.message });
      expect(await state(small)).toEqual(before);
    });

    for (const c of LIMIT_CASES) it(`${c.name} is refused over HTTP GET with HTTP ${c.httpStatus} and BAD_USER_INPUT`, async () => {
      const url = `${small.url}?query=${encodeURIComponent(c.query)}`;
      const res = await raw(url, { headers: { authorization: json.authorization, 'apollo-require-preflight': 'true' } });
      expectRefused(res, { status: c.httpStatus, code: 'BAD_USER_INPUT', message: c.message });
    });

    for (const c of LIMIT_CASES) it(`${c.name} is refused over WebSocket with BAD_USER_INPUT, and the socket stays usable`, async () => {
      const before = await state(small);
      const client = small.ws();
      const result = await wsExecute(client, c.query);
      expectRefused(result, { code: 'BAD_USER_INPUT', message: c.message });
      expect(await state(small)).toEqual(before);
      expect(await wsExecute(client, VIEWER_QUERY)).toEqual({ data: { viewer: { login: 'admin' } } });
    });

    it('a WebSocket message over GANTRY_MAX_BODY_BYTES closes the socket with 1009 (message too big)', async () => {
      let closedWith: number | undefined;
      const client = small.ws(ADMIN_TOKEN, { onClose: (code) => (closedWith = code) });
      const outcome = await wsExecute(client, VIEWER_QUERY, { padding: 'x'.repeat(3000) }).then(
        () => 'answered',
        (event: { code: number }) => event.code,
      );
      expect(outcome).toBe(1009);
      expect(closedWith).toBe(1009);
    });
  });

  describe('credentials', () => {
    const asHeader = (authorization: string) =>
      raw(t.url, { method: 'POST', headers: { ...json, authorization }, body: JSON.stringify({ query: VIEWER_QUERY }) });

    it.each([
      ['an unknown gnt_ token', () => `Bearer gnt_${randomBytes(32).toString('base64url')}`],
      ['a Basic header', () => 'Basic xyz'],
      ['an empty Bearer', () => 'Bearer '],
      ['a Bearer with two words', () => 'Bearer a b'],
      ['a 300-character token', () => `Bearer ${'x'.repeat(300)}`],
    ])('%s is UNAUTHENTICATED with HTTP 401', async (_what, header) => {
      const res = await asHeader(header());
      expectRefused(res, { status: 401, code: 'UNAUTHENTICATED' });
    });

    it('an expired token is UNAUTHENTICATED with HTTP 401 over HTTP, and refused with 4403 over WebSocket', async () => {
      const login = await aLogin(t, 'short-lived');
      const expiresAt = new Date(Date.now() + 2_000);
      const { token } = await aTokenFor(t, login, expiresAt.toISOString());
      expect((await asHeader(`Bearer ${token}`)).body).toEqual({ data: { viewer: { login } } });

      await sleep(expiresAt.getTime() - Date.now() + 250);
      expectRefused(await asHeader(`Bearer ${token}`), { status: 401, code: 'UNAUTHENTICATED', message: /expired/ });
      expect(await closeCodeFor(t.wsUrl, { authorization: `Bearer ${token}` })).toBe(4403);
    });

    it('a revoked token is UNAUTHENTICATED with HTTP 401 over HTTP, and refused with 4403 over WebSocket', async () => {
      const login = await aLogin(t, 'revoked');
      const { id, token } = await aTokenFor(t, login);
      expect((await asHeader(`Bearer ${token}`)).body).toEqual({ data: { viewer: { login } } });

      await t.ok(REVOKE_TOKEN, { id });
      expectRefused(await asHeader(`Bearer ${token}`), { status: 401, code: 'UNAUTHENTICATED', message: /revoked/ });
      expect(await closeCodeFor(t.wsUrl, { authorization: `Bearer ${token}` })).toBe(4403);
    });

    it.each([
      ['an unknown gnt_ token', { authorization: `Bearer gnt_${randomBytes(32).toString('base64url')}` }],
      ['a Basic header', { authorization: 'Basic xyz' }],
      ['an empty Bearer', { authorization: 'Bearer ' }],
      ['no authorization at all', {}],
      ['an authorization that is not a string', { authorization: 42 }],
    ])('over WebSocket, %s in connection_init closes the socket with 4403', async (_what, params) => {
      expect(await closeCodeFor(t.wsUrl, params)).toBe(4403);
    });
  });

  describe('production', () => {
    const INTROSPECTION = ['{ __schema { queryType { name } } }', '{ __type(name: "Query") { name } }'];

    it.each(INTROSPECTION)('in production, introspection %s is refused with BAD_USER_INPUT over HTTP and WebSocket', async (query) => {
      const res = await raw(prod.url, { method: 'POST', headers: json, body: JSON.stringify({ query }) });
      expectRefused(res, { status: 400, code: 'BAD_USER_INPUT', message: /introspection/i });
      expectRefused(await wsExecute(prod.ws(), query), { code: 'BAD_USER_INPUT', message: /introspection/i });
    });

    it.each(INTROSPECTION)('in production with GANTRY_INTROSPECTION=1, introspection %s is answered', async (query) => {
      const res = await raw(prodIntrospection.url, { method: 'POST', headers: json, body: JSON.stringify({ query }) });
      expect(res.status).toBe(200);
      expect(res.errors).toBeUndefined();
      expect(JSON.stringify(res.data)).toContain('"name":"Query"');
      const overWs = await wsExecute(prodIntrospection.ws(), query);
      expect(overWs.errors).toBeUndefined();
      expect(JSON.stringify(overWs.data)).toContain('"name":"Query"');
    });

    it('in production, __typename is not introspection and is answered', async () => {
      expect(await prod.ok('{ __typename }')).toEqual({ __typename: 'Query' });
    });

    it('in production, BAD_USER_INPUT keeps its message and field, without a stack trace', async () => {
      const res = await prod.gql(DELETE_APP, { id: 'not-an-id' });
      expectRefused(res, { status: 200, code: 'BAD_USER_INPUT', field: 'id', message: /not a valid App ID/ });
    });
  });

  describe('afterwards', () => {
    it.each([
      ['the default server', () => t],
      ['the server with small limits', () => small],
      ['the production server', () => prod],
    ])('%s still answers a normal query over HTTP and WebSocket', async (_what, server) => {
      expect(await server().ok(VIEWER_QUERY)).toEqual({ viewer: { login: 'admin' } });
      expect(await wsExecute(server().ws(), VIEWER_QUERY)).toEqual({ data: { viewer: { login: 'admin' } } });
      const health = await fetch(server().url.replace(/\/graphql$/, '/healthz'));
      expect(health.status).toBe(200);
    });
  });
});
