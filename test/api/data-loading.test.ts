import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aProject, anApp, anEnvironment } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const TREE = `{ projects(first: 100) { nodes { slug members { role user { login } } apps(first: 100) { totalCount nodes { name project { slug } environments { name app { name } } } } } } }`;

/**
 * Statements one run of `query` costs: requests' statements are counted apart from the
 * background workers' (origin="request"), so nothing else lands in the count.
 */
async function statementsFor(t: TestServer, query: string): Promise<number> {
  await t.ok(query); // warm: the token is verified once, then cached
  const before = await t.statements('request');
  await t.ok(query);
  return (await t.statements('request')) - before;
}

describe('data loading', () => {
  let small: TestServer;
  let large: TestServer;
  beforeAll(async () => {
    [small, large] = await Promise.all([startTestServer(), startTestServer()]);
    async function seed(t: TestServer, projects: number, appsPerProject: number) {
      for (let p = 0; p < projects; p++) {
        const project = await aProject(t);
        for (let a = 0; a < appsPerProject; a++) {
          const app = await anApp(t, project.id);
          await anEnvironment(t, app.id);
          await anEnvironment(t, app.id);
        }
      }
    }
    await Promise.all([seed(small, 1, 5), seed(large, 5, 10)]);
  }, 120_000);
  afterAll(() => Promise.all([small.close(), large.close()]));

  it('should load projects { apps { environments } } over 50 apps with as many SQL statements as over 5', async () => {
    const few = await statementsFor(small, TREE);
    const many = await statementsFor(large, TREE);
    expect(few).toBeGreaterThan(0);
    expect(many).toBe(few);
  });

  it('should load the VM hosts of every environment with as many SQL statements over 100 environments as over 10', async () => {
    const hosts = TREE.replace('environments { name app { name } }', 'environments { name vmHosts { name status } }');
    const few = await statementsFor(small, hosts);
    const many = await statementsFor(large, hosts);
    expect(few).toBeGreaterThan(0);
    expect(many).toBe(few);
  });

  it('should answer the nested tree completely', async () => {
    const data = await large.ok(TREE);
    expect(data.projects.nodes).toHaveLength(5);
    const apps = data.projects.nodes.flatMap((p: any) => p.apps.nodes);
    expect(apps).toHaveLength(50);
    expect(apps.every((a: any) => a.environments.length === 2)).toBe(true);
  });

  it('should answer apps { environments { currentRelease } } the same read ahead by Project.apps as field by field, in as many statements', async () => {
    const ahead = `{ projects(first: 10) { nodes { slug apps(first: 20) { nodes { name environments { name replicas currentRelease { id status } } } } } } }`;
    // A second node of the same field: Project.apps cannot tell which columns to read, so each field reads its own.
    const fieldByField = ahead.replace('nodes { name environments', 'nodes { ... on App { environments { name } } name environments');
    expect(await large.ok(fieldByField)).toEqual(await large.ok(ahead));
    expect(await statementsFor(large, ahead)).toBe(await statementsFor(large, fieldByField));
  });
});
