import { randomUUID } from 'node:crypto';
import { count } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projects as projectsTable } from '../../db/schema/index.ts';
import { toGlobalId } from '../../services/shared/ids.ts';
import { addMember, aProject, anApp, anEnvironment, aUser, unique } from '../support/fixtures.ts';
import {
  aLogin,
  apiTokenCount,
  aTokenFor,
  auditRowCount,
  cellsOf,
  expectNoLeak,
  outcomeOf,
  projectAuditCount,
  userExists,
  type PrincipalName,
  type Row,
} from '../support/matrix.ts';
import { ADMIN_TOKEN, startTestServer, type GraphQLResponse, type TestServer } from '../support/server.ts';

const U = 'UNAUTHENTICATED';
const F = 'FORBIDDEN';
const N = 'NOT_FOUND';
const C = 'CONFLICT';
const ok = 'ok';

/**
 * The authorization rules, written once. Columns: anonymous, non-member, VIEWER, DEVELOPER,
 * MAINTAINER, OWNER, platform admin (not a member of the project).
 */
// prettier-ignore
const TABLE = {
  //                                   anon nonMember VIEWER DEVELOPER MAINTAINER OWNER admin
  'createUser':                        [U,  F,        F,     F,        F,         F,    ok],
  'createApiToken for self':           [U,  ok,       ok,    ok,       ok,        ok,   ok],
  'createApiToken for another login':  [U,  F,        F,     F,        F,         F,    ok],
  'revokeApiToken of an own token':    [U,  ok,       ok,    ok,       ok,        ok,   ok],
  "revokeApiToken of another's token": [U,  N,        N,     N,        N,         N,    ok],
  'createProject':                     [U,  ok,       ok,    ok,       ok,        ok,   ok],
  'addProjectMember as DEVELOPER':     [U,  N,        F,     F,        ok,        ok,   ok],
  'addProjectMember as OWNER':         [U,  N,        F,     F,        F,         ok,   ok],
  'addProjectMember demoting an OWNER':[U,  N,        F,     F,        F,         ok,   ok],
  'addProjectMember demoting the last OWNER': [U, N,  F,     F,        F,         C,    C],
  'removeProjectMember of a DEVELOPER':[U,  N,        F,     F,        ok,        ok,   ok],
  'removeProjectMember of an OWNER':   [U,  N,        F,     F,        F,         ok,   ok],
  'removeProjectMember of the last OWNER': [U, N,     F,     F,        F,         C,    C],
  'createApp':                         [U,  N,        F,     F,        ok,        ok,   ok],
  'updateApp':                         [U,  N,        F,     ok,       ok,        ok,   ok],
  'deleteApp':                         [U,  N,        F,     F,        ok,        ok,   ok],
  'createEnvironment':                 [U,  N,        F,     F,        ok,        ok,   ok],
  'updateEnvironment':                 [U,  N,        F,     F,        ok,        ok,   ok],
  'project(slug)':                     [U,  N,        ok,    ok,       ok,        ok,   ok],
  'node(id) of the project':           [U,  N,        ok,    ok,       ok,        ok,   ok],
  'node(id) of an app':                [U,  N,        ok,    ok,       ok,        ok,   ok],
  'node(id) of an environment':        [U,  N,        ok,    ok,       ok,        ok,   ok],
  'node(id) of an audit entry':        [U,  N,        N,     N,        ok,        ok,   ok],
  'Project.members':                   [U,  N,        ok,    ok,       ok,        ok,   ok],
  'Project.apps':                      [U,  N,        ok,    ok,       ok,        ok,   ok],
  'Project.app(name)':                 [U,  N,        ok,    ok,       ok,        ok,   ok],
  'App.environments':                  [U,  N,        ok,    ok,       ok,        ok,   ok],
  'App.environment(name)':             [U,  N,        ok,    ok,       ok,        ok,   ok],
  'Project.auditLog':                  [U,  N,        F,     F,        ok,        ok,   ok],
} satisfies Record<string, Row>;
type OperationName = keyof typeof TABLE;

type Vars = Record<string, unknown>;

/** How to run one operation of the table against the shared fixture. */
interface Operation {
  query: string;
  /** The root field, which must be null (nothing leaked) when the call is refused. */
  root: string;
  /** Fresh inputs for one cell, prepared as admin, so that cells do not interfere. */
  vars: (principal: PrincipalName) => Promise<Vars> | Vars;
  /** Mutations: the state the call would change. Refused calls leave it equal; allowed calls change it. */
  observe?: (vars: Vars) => Promise<unknown>;
  /** Mutations inside a project: the project whose audit log gains exactly one row when allowed. */
  auditedIn?: () => string;
  /** Checks the answer of an allowed call. */
  check: (data: any, vars: Vars) => void;
}

describe('authorization matrix', () => {
  let t: TestServer;
  const tokens = {} as Record<PrincipalName, string | null>;
  const logins = {} as Record<PrincipalName, string>;
  /** A user who is none of the principals: owner of "someone else's" tokens. */
  let bystander: string;
  let project: { id: string; slug: string };
  /** A project whose only OWNER is the OWNER principal, for the last-owner rule. */
  let soloProject: { id: string; slug: string };
  let app: { id: string; name: string };
  let environment: { id: string; name: string };
  let auditEntryId: string;
  let nextReplicas = 10;

  const as = (principal: PrincipalName) => tokens[principal];
  const nodeQuery = (fragment: string) => `query($id: ID!) { node(id: $id) { id ${fragment} } }`;

  /** The member's role in the project, read as admin; null when not a member. */
  async function roleOf(projectId: string, login: string): Promise<string | null> {
    const data = await t.ok(nodeQuery('... on Project { members { role user { login } } }'), { id: projectId });
    return data.node.members.find((m: { user: { login: string } }) => m.user.login === login)?.role ?? null;
  }

  /** The node as admin sees it, or null when there is none. */
  async function nodeAsAdmin(id: string, fragment = ''): Promise<unknown> {
    const res = await t.gql(nodeQuery(fragment), { id });
    return res.data?.node ?? null;
  }

  async function tokenRevokedAt(id: string): Promise<unknown> {
    const data = await t.ok(nodeQuery('... on ApiToken { revokedAt }'), { id });
    return data.node.revokedAt;
  }

  const OPERATIONS: Record<OperationName, Operation> = {
    createUser: {
      query: `mutation($i: CreateUserInput!) { createUser(input: $i) { login } }`,
      root: 'createUser',
      vars: () => ({ i: { login: unique('new-user') } }),
      observe: (v) => userExists(t, (v.i as { login: string }).login),
      check: (data, v) => expect(data.createUser.login).toBe((v.i as { login: string }).login),
    },
    'createApiToken for self': {
      query: `mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { token apiToken { name } } }`,
      root: 'createApiToken',
      vars: () => ({ i: { name: unique('self-token') } }),
      observe: () => apiTokenCount(t),
      check: (data, v) => {
        expect(data.createApiToken.apiToken.name).toBe((v.i as { name: string }).name);
        expect(data.createApiToken.token).toMatch(/^gnt_/);
      },
    },
    'createApiToken for another login': {
      query: `mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { token apiToken { name } } }`,
      root: 'createApiToken',
      vars: () => ({ i: { name: unique('other-token'), login: bystander } }),
      observe: () => apiTokenCount(t),
      check: (data) => expect(data.createApiToken.token).toMatch(/^gnt_/),
    },
    'revokeApiToken of an own token': {
      query: `mutation($id: ID!) { revokeApiToken(id: $id) }`,
      root: 'revokeApiToken',
      vars: async (p) => ({ id: (await aTokenFor(t, p === 'anonymous' ? bystander : logins[p])).id }),
      observe: (v) => tokenRevokedAt(v.id as string),
      check: (data) => expect(data.revokeApiToken).toBe(true),
    },
    "revokeApiToken of another's token": {
      query: `mutation($id: ID!) { revokeApiToken(id: $id) }`,
      root: 'revokeApiToken',
      vars: async () => ({ id: (await aTokenFor(t, bystander)).id }),
      observe: (v) => tokenRevokedAt(v.id as string),
      check: (data) => expect(data.revokeApiToken).toBe(true),
    },
    createProject: {
      query: `mutation($i: CreateProjectInput!) { createProject(input: $i) { slug viewerRole } }`,
      root: 'createProject',
      vars: () => {
        const slug = unique('new-proj');
        return { i: { slug, name: `Project ${slug}` } };
      },
      observe: async (v) => (await t.gql(`query($s: String!) { project(slug: $s) { id } }`, { s: (v.i as { slug: string }).slug })).data?.project ?? null,
      check: (data, v) => {
        expect(data.createProject.slug).toBe((v.i as { slug: string }).slug);
        expect(data.createProject.viewerRole).toBe('OWNER');
      },
    },
    'addProjectMember as DEVELOPER': {
      query: `mutation($i: AddProjectMemberInput!) { addProjectMember(input: $i) { role user { login } } }`,
      root: 'addProjectMember',
      vars: async () => ({ i: { projectId: project.id, login: await aLogin(t, 'joiner'), role: 'DEVELOPER' } }),
      observe: (v) => roleOf(project.id, (v.i as { login: string }).login),
      auditedIn: () => project.id,
      check: (data) => expect(data.addProjectMember.role).toBe('DEVELOPER'),
    },
    'addProjectMember as OWNER': {
      query: `mutation($i: AddProjectMemberInput!) { addProjectMember(input: $i) { role user { login } } }`,
      root: 'addProjectMember',
      vars: async () => ({ i: { projectId: project.id, login: await aLogin(t, 'joiner'), role: 'OWNER' } }),
      observe: (v) => roleOf(project.id, (v.i as { login: string }).login),
      auditedIn: () => project.id,
      check: (data) => expect(data.addProjectMember.role).toBe('OWNER'),
    },
    'addProjectMember demoting an OWNER': {
      query: `mutation($i: AddProjectMemberInput!) { addProjectMember(input: $i) { role user { login } } }`,
      root: 'addProjectMember',
      vars: async () => {
        const login = await aLogin(t, 'co-owner');
        await addMember(t, project.id, login, 'OWNER');
        return { i: { projectId: project.id, login, role: 'DEVELOPER' } };
      },
      observe: (v) => roleOf(project.id, (v.i as { login: string }).login),
      auditedIn: () => project.id,
      check: (data) => expect(data.addProjectMember.role).toBe('DEVELOPER'),
    },
    'addProjectMember demoting the last OWNER': {
      query: `mutation($i: AddProjectMemberInput!) { addProjectMember(input: $i) { role user { login } } }`,
      root: 'addProjectMember',
      vars: () => ({ i: { projectId: soloProject.id, login: logins.OWNER, role: 'MAINTAINER' } }),
      observe: (v) => roleOf(soloProject.id, (v.i as { login: string }).login),
      auditedIn: () => soloProject.id,
      check: (data) => expect(data.addProjectMember.role).toBe('MAINTAINER'),
    },
    'removeProjectMember of a DEVELOPER': {
      query: `mutation($p: ID!, $l: String!) { removeProjectMember(projectId: $p, login: $l) }`,
      root: 'removeProjectMember',
      vars: async () => {
        const login = await aLogin(t, 'leaver');
        await addMember(t, project.id, login, 'DEVELOPER');
        return { p: project.id, l: login };
      },
      observe: (v) => roleOf(project.id, v.l as string),
      auditedIn: () => project.id,
      check: (data) => expect(data.removeProjectMember).toBe(true),
    },
    'removeProjectMember of an OWNER': {
      query: `mutation($p: ID!, $l: String!) { removeProjectMember(projectId: $p, login: $l) }`,
      root: 'removeProjectMember',
      vars: async () => {
        const login = await aLogin(t, 'leaver');
        await addMember(t, project.id, login, 'OWNER');
        return { p: project.id, l: login };
      },
      observe: (v) => roleOf(project.id, v.l as string),
      auditedIn: () => project.id,
      check: (data) => expect(data.removeProjectMember).toBe(true),
    },
    'removeProjectMember of the last OWNER': {
      query: `mutation($p: ID!, $l: String!) { removeProjectMember(projectId: $p, login: $l) }`,
      root: 'removeProjectMember',
      vars: () => ({ p: soloProject.id, l: logins.OWNER }),
      observe: (v) => roleOf(soloProject.id, v.l as string),
      auditedIn: () => soloProject.id,
      check: (data) => expect(data.removeProjectMember).toBe(true),
    },
    createApp: {
      query: `mutation($i: CreateAppInput!) { createApp(input: $i) { name project { id } } }`,
      root: 'createApp',
      vars: () => ({ i: { projectId: project.id, name: unique('new-app'), language: 'GO' } }),
      observe: async (v) => {
        const query = `query($id: ID!, $n: String!) { node(id: $id) { ... on Project { app(name: $n) { id } } } }`;
        return (await t.ok(query, { id: project.id, n: (v.i as { name: string }).name })).node.app;
      },
      auditedIn: () => project.id,
      check: (data) => expect(data.createApp.project.id).toBe(project.id),
    },
    updateApp: {
      query: `mutation($i: UpdateAppInput!) { updateApp(input: $i) { id description } }`,
      root: 'updateApp',
      vars: () => ({ i: { id: app.id, description: unique('description') } }),
      observe: () => nodeAsAdmin(app.id, '... on App { language repoUrl description }'),
      auditedIn: () => project.id,
      check: (data, v) => expect(data.updateApp.description).toBe((v.i as { description: string }).description),
    },
    deleteApp: {
      query: `mutation($id: ID!) { deleteApp(id: $id) }`,
      root: 'deleteApp',
      vars: async () => ({ id: (await anApp(t, project.id, unique('doomed'))).id }),
      observe: (v) => nodeAsAdmin(v.id as string),
      auditedIn: () => project.id,
      check: (data) => expect(data.deleteApp).toBe(true),
    },
    createEnvironment: {
      query: `mutation($i: CreateEnvironmentInput!) { createEnvironment(input: $i) { name app { id } } }`,
      root: 'createEnvironment',
      vars: () => ({ i: { appId: app.id, name: unique('env') } }),
      observe: async (v) => {
        const query = `query($id: ID!, $n: String!) { node(id: $id) { ... on App { environment(name: $n) { id } } } }`;
        return (await t.ok(query, { id: app.id, n: (v.i as { name: string }).name })).node.environment;
      },
      auditedIn: () => project.id,
      check: (data) => expect(data.createEnvironment.app.id).toBe(app.id),
    },
    updateEnvironment: {
      query: `mutation($i: UpdateEnvironmentInput!) { updateEnvironment(input: $i) { id replicas } }`,
      root: 'updateEnvironment',
      vars: () => ({ i: { id: environment.id, replicas: nextReplicas++ } }),
      observe: () => nodeAsAdmin(environment.id, '... on Environment { replicas protected }'),
      auditedIn: () => project.id,
      check: (data, v) => expect(data.updateEnvironment.replicas).toBe((v.i as { replicas: number }).replicas),
    },
    'project(slug)': {
      query: `query($s: String!) { project(slug: $s) { id slug } }`,
      root: 'project',
      vars: () => ({ s: project.slug }),
      check: (data) => expect(data.project).toEqual({ id: project.id, slug: project.slug }),
    },
    'node(id) of the project': {
      query: nodeQuery('__typename'),
      root: 'node',
      vars: () => ({ id: project.id }),
      check: (data) => expect(data.node).toEqual({ id: project.id, __typename: 'Project' }),
    },
    'node(id) of an app': {
      query: nodeQuery('__typename'),
      root: 'node',
      vars: () => ({ id: app.id }),
      check: (data) => expect(data.node).toEqual({ id: app.id, __typename: 'App' }),
    },
    'node(id) of an environment': {
      query: nodeQuery('__typename'),
      root: 'node',
      vars: () => ({ id: environment.id }),
      check: (data) => expect(data.node).toEqual({ id: environment.id, __typename: 'Environment' }),
    },
    'node(id) of an audit entry': {
      query: nodeQuery('__typename ... on AuditEntry { action }'),
      root: 'node',
      vars: () => ({ id: auditEntryId }),
      check: (data) => expect(data.node).toMatchObject({ id: auditEntryId, __typename: 'AuditEntry' }),
    },
    'Project.members': {
      query: `query($s: String!) { project(slug: $s) { members { role user { login } } } }`,
      root: 'project',
      vars: () => ({ s: project.slug }),
      check: (data) => expect(data.project.members).toContainEqual({ role: 'OWNER', user: { login: logins.OWNER } }),
    },
    'Project.apps': {
      query: `query($s: String!) { project(slug: $s) { apps(first: 100) { totalCount nodes { id } } } }`,
      root: 'project',
      vars: () => ({ s: project.slug }),
      check: (data) => expect(data.project.apps.nodes).toContainEqual({ id: app.id }),
    },
    'Project.app(name)': {
      query: `query($s: String!, $n: String!) { project(slug: $s) { app(name: $n) { id } } }`,
      root: 'project',
      vars: () => ({ s: project.slug, n: app.name }),
      check: (data) => expect(data.project.app).toEqual({ id: app.id }),
    },
    'App.environments': {
      query: nodeQuery('... on App { environments { id } }'),
      root: 'node',
      vars: () => ({ id: app.id }),
      check: (data) => expect(data.node.environments).toContainEqual({ id: environment.id }),
    },
    'App.environment(name)': {
      query: `query($id: ID!, $n: String!) { node(id: $id) { ... on App { environment(name: $n) { id } } } }`,
      root: 'node',
      vars: () => ({ id: app.id, n: environment.name }),
      check: (data) => expect(data.node.environment).toEqual({ id: environment.id }),
    },
    'Project.auditLog': {
      query: `query($s: String!) { project(slug: $s) { auditLog(first: 100) { totalCount nodes { id action } } } }`,
      root: 'project',
      vars: () => ({ s: project.slug }),
      check: (data) => {
        const { totalCount, nodes } = data.project.auditLog;
        expect(totalCount).toBeGreaterThan(0);
        expect(nodes).toHaveLength(Math.min(totalCount, 100));
        for (const node of nodes) expect(node.action).toMatch(/^[a-zA-Z]+\.[a-zA-Z]+$/);
      },
    },
  };

  beforeAll(async () => {
    t = await startTestServer();
    const roles = ['nonMember', 'VIEWER', 'DEVELOPER', 'MAINTAINER', 'OWNER'] as const;
    for (const principal of roles) {
      const user = await aUser(t, unique(principal.toLowerCase()));
      tokens[principal] = user.token;
      logins[principal] = user.login;
    }
    tokens.anonymous = null;
    tokens.admin = ADMIN_TOKEN;
    logins.admin = 'admin';
    bystander = await aLogin(t, 'bystander');

    project = await aProject(t, tokens.OWNER!);
    soloProject = await aProject(t, tokens.OWNER!);
    for (const p of [project, soloProject]) {
      for (const role of ['VIEWER', 'DEVELOPER', 'MAINTAINER'] as const) await addMember(t, p.id, logins[role], role);
    }
    app = await anApp(t, project.id);
    environment = await anEnvironment(t, app.id);
    const log = await t.ok(nodeQuery('... on Project { auditLog(first: 1) { nodes { id } } }'), { id: project.id });
    auditEntryId = log.node.auditLog.nodes[0].id;
  });
  afterAll(() => t?.close());

  for (const { operation, principal, expected } of cellsOf(TABLE)) {
    it(`${operation} as ${principal} → ${expected}`, async () => {
      const op = OPERATIONS[operation];
      const isMutation = op.query.trimStart().startsWith('mutation');
      const vars = await op.vars(principal);
      const before = await op.observe?.(vars);
      const auditBefore = await auditRowCount(t);
      const projectAuditBefore = op.auditedIn ? await projectAuditCount(t, op.auditedIn()) : 0;

      const res = await t.gql(op.query, vars, as(principal));

      expect(outcomeOf(res), JSON.stringify(res.errors)).toBe(expected);
      expect(res.status).toBeLessThan(500);
      expectNoLeak(res);
      const written = isMutation && expected === 'ok' ? 1 : 0;
      expect(await auditRowCount(t), 'audit rows written').toBe(auditBefore + written);
      if (op.auditedIn) expect(await projectAuditCount(t, op.auditedIn()), "rows in the project's audit log").toBe(projectAuditBefore + written);
      if (op.observe) {
        const after = await op.observe(vars);
        if (expected === 'ok') expect(after, 'the allowed mutation changed the state').not.toEqual(before);
        else expect(after, 'the refused mutation changed nothing').toEqual(before);
      }
      if (expected === 'ok') {
        expect(res.errors).toBeUndefined();
        op.check(res.data, vars);
      } else {
        expect(res.data?.[op.root] ?? null, 'a refusal reveals no data').toBeNull();
      }
    });
  }

  const missingIds: Record<string, () => Promise<string>> = {
    project: async () => toGlobalId('Project', randomUUID()),
    app: async () => {
      const doomed = await anApp(t, project.id, unique('gone'));
      await t.ok(`mutation($id: ID!) { deleteApp(id: $id) }`, { id: doomed.id });
      return doomed.id;
    },
    environment: async () => toGlobalId('Environment', randomUUID()),
  };
  const existingIds: Record<string, () => string> = { project: () => project.id, app: () => app.id, environment: () => environment.id };

  /** What a client can compare between two answers: everything but the request id. */
  function comparable(res: GraphQLResponse, replace?: [string, string]) {
    const errors = (res.errors ?? []).map(({ extensions, ...rest }) => {
      const { requestId: _requestId, ...ext } = extensions ?? {};
      const message = replace ? rest.message.split(replace[0]).join(replace[1]) : rest.message;
      return { ...rest, message, extensions: ext };
    });
    return { status: res.status, data: res.data, errors };
  }

  it.each(['project', 'app', 'environment'])(
    'node(id:) of an existing %s answers a non-member exactly like a missing ID: same NOT_FOUND code and message',
    async (kind) => {
      const query = nodeQuery('__typename');
      const foreign = await t.gql(query, { id: existingIds[kind]!() }, as('nonMember'));
      const missing = await t.gql(query, { id: await missingIds[kind]!() }, as('nonMember'));
      expect(outcomeOf(foreign)).toBe('NOT_FOUND');
      expect(comparable(foreign)).toEqual(comparable(missing));
    },
  );

  it('project(slug:) of an existing project answers a non-member exactly like a missing slug: same NOT_FOUND code and message', async () => {
    const query = `query($s: String!) { project(slug: $s) { id } }`;
    const missingSlug = unique('no-such-proj');
    const foreign = await t.gql(query, { s: project.slug }, as('nonMember'));
    const missing = await t.gql(query, { s: missingSlug }, as('nonMember'));
    expect(outcomeOf(foreign)).toBe('NOT_FOUND');
    expect(comparable(foreign, [project.slug, '<slug>'])).toEqual(comparable(missing, [missingSlug, '<slug>']));
  });

  it('a member removed from the project gets NOT_FOUND for it and its objects immediately', async () => {
    const member = await aUser(t, unique('short-stay'));
    await addMember(t, project.id, member.login, 'VIEWER');
    const read = `query($s: String!, $app: ID!) { project(slug: $s) { id } node(id: $app) { id } }`;
    const whileMember = await t.gql(read, { s: project.slug, app: app.id }, member.token);
    expect(whileMember.errors).toBeUndefined();
    expect(whileMember.data).toEqual({ project: { id: project.id }, node: { id: app.id } });

    await t.ok(`mutation($p: ID!, $l: String!) { removeProjectMember(projectId: $p, login: $l) }`, { p: project.id, l: member.login });

    const afterRemoval = await t.gql(read, { s: project.slug, app: app.id }, member.token);
    expect(afterRemoval.data).toEqual({ project: null, node: null });
    // The two root fields resolve concurrently, so their errors come in either order.
    expect(afterRemoval.errors?.map((e) => [e.path?.[0], e.extensions?.code]).sort()).toEqual([
      ['node', 'NOT_FOUND'],
      ['project', 'NOT_FOUND'],
    ]);
  });

  it('projects lists only the projects the caller is a member of (an admin: all of them) with a matching totalCount', async () => {
    const [alice, bob, carol] = [await aUser(t, unique('alice')), await aUser(t, unique('bob')), await aUser(t, unique('carol'))];
    const first = await aProject(t, alice.token, unique('alice-a'));
    const second = await aProject(t, alice.token, unique('alice-b'));
    await addMember(t, first.id, bob.login, 'VIEWER');
    const list = `query($first: Int, $after: String) { projects(first: $first, after: $after) {
      totalCount nodes { slug } pageInfo { hasNextPage endCursor } } }`;

    const ofAlice = (await t.ok(list, { first: 100 }, alice.token)).projects;
    expect(ofAlice.totalCount).toBe(2);
    expect(ofAlice.nodes.map((p: { slug: string }) => p.slug)).toEqual([first.slug, second.slug].sort());

    const ofBob = (await t.ok(list, { first: 100 }, bob.token)).projects;
    expect(ofBob).toMatchObject({ totalCount: 1, nodes: [{ slug: first.slug }] });

    const ofCarol = (await t.ok(list, { first: 100 }, carol.token)).projects;
    expect(ofCarol).toMatchObject({ totalCount: 0, nodes: [], pageInfo: { hasNextPage: false } });

    const page1 = (await t.ok(list, { first: 1 }, alice.token)).projects;
    expect(page1).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: true } });
    const page2 = (await t.ok(list, { first: 1, after: page1.pageInfo.endCursor }, alice.token)).projects;
    expect(page2).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: false } });
    expect([...page1.nodes, ...page2.nodes]).toEqual(ofAlice.nodes);

    const [stored] = await t.server.database.db.select({ n: count() }).from(projectsTable);
    const ofAdmin = (await t.ok(list, { first: 100 })).projects;
    expect(ofAdmin.totalCount).toBe(stored!.n);
    expect(ofAdmin.nodes).toHaveLength(stored!.n);
    const adminSlugs = ofAdmin.nodes.map((p: { slug: string }) => p.slug);
    expect(adminSlugs).toEqual(expect.arrayContaining([first.slug, second.slug, project.slug, soloProject.slug]));
  });

  it.each([
    ['VIEWER', 'VIEWER'],
    ['DEVELOPER', 'DEVELOPER'],
    ['MAINTAINER', 'MAINTAINER'],
    ['OWNER', 'OWNER'],
    ['admin', null],
  ] as const)("viewerRole is the caller's role in the project: %s sees %s", async (principal, role) => {
    const data = await t.ok(`query($s: String!) { project(slug: $s) { viewerRole } }`, { s: project.slug }, as(principal));
    expect(data.project.viewerRole).toBe(role);
  });
});
