/**
 * The dashboard query of the HTTP benchmark (project → 20 apps → their environments → current
 * release), and the data it reads: seeded through Gantry's own API so every row is real.
 */

export const DASHBOARD_QUERY = `query Dashboard($slug: String!) {
  project(slug: $slug) {
    id
    name
    apps(first: 20) {
      totalCount
      nodes {
        id
        name
        language
        environments {
          id
          name
          namespace
          replicas
          currentRelease { id version image status }
        }
      }
    }
  }
}`;

export const DASHBOARD_SLUG = 'bench-dash';
export const APPS = 20;
export const ENVIRONMENTS_PER_APP = 2;

type Gql = <T = Record<string, any>>(query: string, variables?: Record<string, unknown>, token?: string) => Promise<T>;

/**
 * Creates the dashboard's project with 20 apps of 2 environments each, a release on every
 * environment (left to finish on the embedded cluster), and a DEVELOPER member whose token the
 * benchmark uses: a member, not the admin, so the access path is the one users take.
 * @returns the member's token.
 */
export async function seedDashboard(gql: Gql, waitForReleases: () => Promise<void>): Promise<string> {
  const { createProject } = await gql<{ createProject: { id: string } }>(
    `mutation($slug: String!) { createProject(input: { slug: $slug, name: "Bench dashboard" }) { id } }`,
    { slug: DASHBOARD_SLUG },
  );
  await gql(`mutation { createUser(input: { login: "bench-dev", name: "Bench developer" }) { id } }`);
  const { createApiToken } = await gql<{ createApiToken: { token: string } }>(
    `mutation { createApiToken(input: { name: "bench", login: "bench-dev" }) { token } }`,
  );
  await gql(`mutation($p: ID!) { addProjectMember(input: { projectId: $p, login: "bench-dev", role: DEVELOPER }) { role } }`, { p: createProject.id });
  for (let a = 0; a < APPS; a++) {
    const { createApp } = await gql<{ createApp: { id: string } }>(
      `mutation($p: ID!, $n: String!) { createApp(input: { projectId: $p, name: $n, language: GO }) { id } }`,
      { p: createProject.id, n: `app-${String(a).padStart(2, '0')}` },
    );
    for (let e = 0; e < ENVIRONMENTS_PER_APP; e++) {
      const { createEnvironment } = await gql<{ createEnvironment: { id: string } }>(
        `mutation($a: ID!, $n: String!) { createEnvironment(input: { appId: $a, name: $n, replicas: 1 }) { id } }`,
        { a: createApp.id, n: ['prod', 'staging'][e] ?? `env-${e}` },
      );
      await gql(`mutation($e: ID!) { createRelease(input: { environmentId: $e, image: "registry.local/bench/app:1.0.0" }) { id } }`, { e: createEnvironment.id });
    }
  }
  await waitForReleases();
  return createApiToken.token;
}
