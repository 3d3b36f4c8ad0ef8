import { beforeAll, describe, expect, it } from 'vitest';
import { kubectl } from '../support/cluster.ts';
import { aProject, aUser, anApp } from '../support/fixtures.ts';
import { aSucceededRelease, errorOf, withReleaseServer } from '../support/releases.ts';
import type { TestServer } from '../support/server.ts';

const CREATE_ENV = `mutation($i: CreateEnvironmentInput!) { createEnvironment(input: $i) { id name namespace } }`;

describe('tenant isolation: namespaces belong to one project per cluster', () => {
  let t: TestServer;
  withReleaseServer((server) => (t = server));

  // Two tenants, each an OWNER of their own project only (no platform admin in the way).
  let ownerA: { token: string };
  let ownerB: { token: string };
  let projectA: { id: string; slug: string };
  let projectB: { id: string; slug: string };
  let appA: { id: string; name: string };
  let bNamespace: string;
  const B_SECRET_APP = 'payroll-secret';

  beforeAll(async () => {
    ownerA = await aUser(t);
    ownerB = await aUser(t);
    projectA = await aProject(t, ownerA.token, 'tenant-alpha');
    projectB = await aProject(t, ownerB.token, 'tenant-bravo');
    appA = await anApp(t, projectA.id, 'web', ownerA.token);
    const appB = await anApp(t, projectB.id, B_SECRET_APP, ownerB.token);
    const envB = await t.ok(CREATE_ENV, { i: { appId: appB.id, name: 'prod' } }, ownerB.token);
    bNamespace = envB.createEnvironment.namespace;
  });

  it("should refuse another project's namespace without saying anything about that project", async () => {
    expect(bNamespace).toBe('tenant-bravo-prod');
    const res = await t.gql(CREATE_ENV, { i: { appId: appA.id, name: 'steal', namespace: bNamespace } }, ownerA.token);
    expect(errorOf(res)).toMatchObject({ code: 'CONFLICT', field: 'input.namespace' });
    const text = JSON.stringify(res.errors);
    for (const secret of [B_SECRET_APP, 'tenant-bravo', projectB.id, bNamespace]) expect(text).not.toContain(secret);
    // An app with the same name as B's (the old CONFLICT named the app running there).
    const sameAppName = await anApp(t, projectA.id, B_SECRET_APP, ownerA.token);
    const again = await t.gql(CREATE_ENV, { i: { appId: sameAppName.id, name: 'steal', namespace: bNamespace } }, ownerA.token);
    expect(errorOf(again)).toMatchObject({ code: 'CONFLICT', field: 'input.namespace' });
    expect(JSON.stringify(again.errors)).not.toContain(B_SECRET_APP);
    // Nothing was created for A.
    const { project } = await t.ok(`query($s: String!) { project(slug: $s) { apps { nodes { name environments { name } } } } }`, { s: projectA.slug }, ownerA.token);
    expect(project.apps.nodes.flatMap((a: any) => a.environments)).toEqual([]);
  });

  it('should give a namespace claimed by two projects at the same moment to exactly one of them', async () => {
    const appB = await anApp(t, projectB.id, 'racer', ownerB.token);
    const racers = await Promise.all([
      t.gql(CREATE_ENV, { i: { appId: appA.id, name: 'race', namespace: 'contested' } }, ownerA.token),
      t.gql(CREATE_ENV, { i: { appId: appB.id, name: 'race', namespace: 'contested' } }, ownerB.token),
    ]);
    expect(racers.map((r) => errorOf(r).code).sort()).toEqual(['CONFLICT', 'ok']);
  });

  it('should refuse system namespaces with BAD_USER_INPUT on input.namespace', async () => {
    for (const namespace of ['kube-system', 'kube-public', 'kube-node-lease', 'default', 'istio-system', 'gantry-system']) {
      const res = await t.gql(CREATE_ENV, { i: { appId: appA.id, name: 'sys', namespace } }, ownerA.token);
      expect(errorOf(res), namespace).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.namespace' });
    }
  });

  it("should let a project's apps share its own namespaces, explicit or default", async () => {
    const api = await anApp(t, projectA.id, 'api', ownerA.token);
    const worker = await anApp(t, projectA.id, 'worker', ownerA.token);
    const first = await t.ok(CREATE_ENV, { i: { appId: api.id, name: 'stage' } }, ownerA.token);
    const second = await t.ok(CREATE_ENV, { i: { appId: worker.id, name: 'stage' } }, ownerA.token);
    expect(first.createEnvironment.namespace).toBe('tenant-alpha-stage');
    expect(second.createEnvironment.namespace).toBe('tenant-alpha-stage');
    const explicit = await t.ok(CREATE_ENV, { i: { appId: api.id, name: 'qa', namespace: 'alpha-shared' } }, ownerA.token);
    const again = await t.ok(CREATE_ENV, { i: { appId: worker.id, name: 'qa', namespace: 'alpha-shared' } }, ownerA.token);
    expect([explicit.createEnvironment.namespace, again.createEnvironment.namespace]).toEqual(['alpha-shared', 'alpha-shared']);
    // Once A owns it, B cannot get in, not even by naming it.
    const appB = await anApp(t, projectB.id, 'other', ownerB.token);
    expect(errorOf(await t.gql(CREATE_ENV, { i: { appId: appB.id, name: 'qa', namespace: 'alpha-shared' } }, ownerB.token)).code).toBe('CONFLICT');
  });

  it('should give (shop-eu, prod) and (shop, eu-prod) different default namespaces, both valid DNS labels', async () => {
    const shopEu = await aProject(t, undefined, 'shop-eu');
    const shop = await aProject(t, undefined, 'shop');
    const a = await t.ok(CREATE_ENV, { i: { appId: (await anApp(t, shopEu.id, 'web')).id, name: 'prod' } });
    const b = await t.ok(CREATE_ENV, { i: { appId: (await anApp(t, shop.id, 'web')).id, name: 'eu-prod' } });
    expect(a.createEnvironment.namespace).toBe('shop-eu-prod');
    expect(b.createEnvironment.namespace).toMatch(/^shop-eu-prod-[0-9a-f]{6}$/);
    // Stable: another app of `shop` in `eu-prod` lands in the same namespace as its sibling.
    const c = await t.ok(CREATE_ENV, { i: { appId: (await anApp(t, shop.id, 'api')).id, name: 'eu-prod' } });
    expect(c.createEnvironment.namespace).toBe(b.createEnvironment.namespace);
  });

  it('should keep long and system-looking defaults valid: at most 63 characters, never kube-*', async () => {
    const long = await aProject(t, undefined, 'a'.repeat(40));
    const env = await t.ok(CREATE_ENV, { i: { appId: (await anApp(t, long.id, 'web')).id, name: `${'b'.repeat(39)}9` } });
    expect(env.createEnvironment.namespace).toMatch(/^a{40}-b{15}-[0-9a-f]{6}$/);
    expect(env.createEnvironment.namespace.length).toBeLessThanOrEqual(63);
    const kube = await aProject(t, undefined, 'kube');
    const sys = await t.ok(CREATE_ENV, { i: { appId: (await anApp(t, kube.id, 'web')).id, name: 'system' } });
    expect(sys.createEnvironment.namespace).toMatch(/^ns-kube-system-[0-9a-f]{6}$/);
  });

  it('should label the namespace Gantry creates with the owning project', async () => {
    const app = await anApp(t, projectB.id, 'shopfront', ownerB.token);
    const env = await t.ok(CREATE_ENV, { i: { appId: app.id, name: 'live', replicas: 1 } }, ownerB.token);
    const created = { id: env.createEnvironment.id, namespace: env.createEnvironment.namespace, app: 'shopfront', router: 'ISTIO' as const, projectId: projectB.id };
    await aSucceededRelease(t, created, { image: 'registry.local/shopfront:1.0' });
    const ns = JSON.parse(await kubectl(t, 'get', 'namespace', created.namespace, '-o', 'json'));
    expect(ns.metadata.labels).toMatchObject({ 'gantry.io/project': 'tenant-bravo', 'app.kubernetes.io/managed-by': 'gantry' });
    const listed = await kubectl(t, 'get', 'namespaces', '-l', 'gantry.io/project=tenant-bravo', '-o', 'name');
    expect(listed.trim().split('\n')).toEqual([`namespace/${created.namespace}`]);
  });
});
