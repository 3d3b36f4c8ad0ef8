import type { TestServer } from './server.ts';

let counter = 0;
/** A name unique within the test process: tests never collide on unique constraints. */
export function unique(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid.toString(36)}-${counter}`;
}

/** Creates a user and a token for them (as admin); returns the token. */
export async function aUser(t: TestServer, login = unique('user')): Promise<{ login: string; token: string; id: string }> {
  const { createUser } = await t.ok(`mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`, { i: { login } });
  const { createApiToken } = await t.ok(
    `mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { token } }`,
    { i: { name: 'test', login } },
  );
  return { login, token: createApiToken.token, id: createUser.id };
}

/** Creates a project (as admin unless `token` given); returns its id and slug. */
export async function aProject(t: TestServer, token?: string, slug = unique('proj')): Promise<{ id: string; slug: string }> {
  const { createProject } = await t.ok(
    `mutation($i: CreateProjectInput!) { createProject(input: $i) { id slug } }`,
    { i: { slug, name: `Project ${slug}` } },
    token,
  );
  return createProject;
}

export async function anApp(t: TestServer, projectId: string, name = unique('app'), token?: string): Promise<{ id: string; name: string }> {
  const { createApp } = await t.ok(
    `mutation($i: CreateAppInput!) { createApp(input: $i) { id name } }`,
    { i: { projectId, name, language: 'GO' } },
    token,
  );
  return createApp;
}

export async function anEnvironment(
  t: TestServer,
  appId: string,
  input: Record<string, unknown> = {},
  token?: string,
): Promise<{ id: string; name: string; namespace: string }> {
  const { createEnvironment } = await t.ok(
    `mutation($i: CreateEnvironmentInput!) { createEnvironment(input: $i) { id name namespace } }`,
    { i: { appId, name: unique('env'), ...input } },
    token,
  );
  return createEnvironment;
}

export async function addMember(t: TestServer, projectId: string, login: string, role: string): Promise<void> {
  await t.ok(
    `mutation($i: AddProjectMemberInput!) { addProjectMember(input: $i) { role } }`,
    { i: { projectId, login, role } },
  );
}
