import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aProject, anApp, anEnvironment } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/** Reads gantry_db_queries_total from /metrics: the number of SQL statements sent so far. */
async function statementsSoFar(t: TestServer): Promise<number> {
  const text = await t.scrape();
  const line = text.split('\n').find((l) => l.startsWith('gantry_db_queries_total '));
  return Number(line?.split(' ')[1]);
}

const TREE = `{ projects(first: 100) { nodes { slug members { role user { login } } apps(first: 100) { totalCount nodes { name project { slug } environments { name app { name } } } } } } }`;

/**
 * Statements one run of `query` costs. The counter is process-wide and the release engine's
 * scan (one statement a tick) may land inside a run; it can only add, so the least of three
 * runs is the query's own cost.
 */
async function statementsFor(t: TestServer, query: string): Promise<number> {
  await t.ok(query); // warm: the token's lastUsedAt write happens at most once a minute
  const runs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const before = await statementsSoFar(t);
    await t.ok(query);
    runs.push((await statementsSoFar(t)) - before);
  }
  return Math.min(...runs);
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

  it('should answer the nested tree completely', async () => {
    const data = await large.ok(TREE);
    expect(data.projects.nodes).toHaveLength(5);
    const apps = data.projects.nodes.flatMap((p: any) => p.apps.nodes);
    expect(apps).toHaveLength(50);
    expect(apps.every((a: any) => a.environments.length === 2)).toBe(true);
  });
});
