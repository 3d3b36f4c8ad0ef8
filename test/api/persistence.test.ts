import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aProject, anApp, anEnvironment } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describe('restart persistence', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.close());

  it('should keep projects, apps, environments, tokens and audit rows across a restart', async () => {
    const project = await aProject(t);
    const app = await anApp(t, project.id);
    const env = await anEnvironment(t, app.id, { replicas: 3, protected: true });
    const { createApiToken } = await t.ok(`mutation { createApiToken(input: { name: "ci" }) { token apiToken { id } } }`);
    const query = `query($slug: String!) {
      project(slug: $slug) { id apps { nodes { id name environments { id replicas protected namespace } } } auditLog { totalCount } }
    }`;
    const before = await t.ok(query, { slug: project.slug });

    await t.restart();

    const after = await t.ok(query, { slug: project.slug });
    expect(after).toEqual(before);
    expect(after.project.apps.nodes[0].environments[0]).toMatchObject({ id: env.id, replicas: 3, protected: true });
    expect(after.project.auditLog.totalCount).toBe(3);
    const viewer = await t.ok('{ viewer { login } }', {}, createApiToken.token);
    expect(viewer.viewer.login).toBe('admin');
  });

  it('should not create a second admin or change the admin token on restart', async () => {
    await t.restart();
    const data = await t.ok('{ viewer { login apiTokens { name } } }');
    expect(data.viewer.apiTokens.filter((tk: { name: string }) => tk.name === 'bootstrap')).toHaveLength(1);
  });
});
