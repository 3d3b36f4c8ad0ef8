import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aProject, aUser, anApp, anEnvironment } from '../support/fixtures.ts';
import { aClosedPort, aKubeconfig, execUser, existsAfter } from '../support/kubeconfigs.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const REGISTER = 'mutation($n: String!, $k: String!) { registerCluster(name: $n, kubeconfig: $k) { name status } }';
const UNREGISTER = 'mutation($n: String!) { unregisterCluster(name: $n) { name } }';

// A real cluster registry with no cluster at start (no embedded one): registrations go through
// the same code as in production; the servers they name are unreachable, which is all these need.
const noEmbedded = { env: { GANTRY_EMBEDDED_CLUSTER: '0' }, start: { clusters: undefined } };

// One server for the file (a PGlite start is slow on a loaded machine); the refusals run first,
// while no cluster is registered.
let t: TestServer;
let dir: string;
beforeAll(async () => {
  t = await startTestServer(noEmbedded);
  dir = mkdtempSync(join(tmpdir(), 'gantry-kubeconfig-'));
});
afterAll(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('registerCluster refuses kubeconfigs that act on Gantry\'s host', () => {

  const refusedWith = async (kubeconfig: string, field: string) => {
    const res = await t.gql(REGISTER, { n: 'evil', k: kubeconfig });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(res.errors![0]!.message).toContain(field.slice('kubeconfig.'.length));
    return res.errors![0]!.message;
  };

  it('should refuse an exec plugin without running it', async () => {
    const marker = join(dir, 'exec-ran');
    await refusedWith(aKubeconfig({ user: execUser(marker) }), 'kubeconfig.users[0].user.exec');
    expect(await existsAfter(marker)).toBe(false);
  });

  it('should refuse auth providers, token files and client certificate or key paths, naming the field', async () => {
    await refusedWith(aKubeconfig({ user: { 'auth-provider': { name: 'oidc', config: { 'id-token': 'x' } } } }), 'kubeconfig.users[0].user.auth-provider');
    await refusedWith(aKubeconfig({ user: { 'token-file': '/etc/hostname' } }), 'kubeconfig.users[0].user.token-file');
    await refusedWith(aKubeconfig({ user: { tokenFile: '/etc/hostname' } }), 'kubeconfig.users[0].user.tokenFile');
    await refusedWith(aKubeconfig({ user: { 'client-certificate': '/etc/passwd', 'client-key-data': 'a2V5' } }), 'kubeconfig.users[0].user.client-certificate');
    await refusedWith(aKubeconfig({ user: { 'client-certificate-data': 'Y2VydA==', 'client-key': '/etc/passwd' } }), 'kubeconfig.users[0].user.client-key');
    await refusedWith(aKubeconfig({ cluster: { 'certificate-authority': '/etc/passwd' } }), 'kubeconfig.clusters[0].cluster.certificate-authority');
  });

  it('should answer the same for a path that exists and one that does not', async () => {
    const present = await refusedWith(aKubeconfig({ user: { 'token-file': '/etc/passwd' } }), 'kubeconfig.users[0].user.token-file');
    const absent = await refusedWith(aKubeconfig({ user: { 'token-file': join(dir, 'no-such-file') } }), 'kubeconfig.users[0].user.token-file');
    expect(absent).toBe(present);
    expect(present).not.toContain('root:');
  });

  it('should accept only https servers, and plain http only to loopback when allowed', async () => {
    await refusedWith(aKubeconfig({ server: 'file:///etc/passwd' }), 'kubeconfig.clusters[0].cluster.server');
    await refusedWith(aKubeconfig({ server: 'http://10.1.2.3:6443' }), 'kubeconfig.clusters[0].cluster.server');
    // No embedded cluster and no GANTRY_ALLOW_INSECURE_CLUSTERS here: loopback http is refused too.
    await refusedWith(aKubeconfig({ server: 'http://127.0.0.1:6443' }), 'kubeconfig.clusters[0].cluster.server');
  });

  it('should not echo kubeconfig lines in a YAML error', async () => {
    const res = await t.gql(REGISTER, { n: 'evil', k: 'users:\n- name: u\n  user: { token: sekret-token-value\n' });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'kubeconfig' });
    expect(res.errors![0]!.message).toMatch(/line \d+, column \d+/);
    expect(res.errors![0]!.message).not.toContain('sekret');
  });

  it('should store nothing for a refused kubeconfig', async () => {
    const listed = await t.ok('{ clusters { name } }');
    expect(listed.clusters).toEqual([]);
    const rows = (await t.server.database.db.execute('select count(*)::int as n from clusters' as never)) as unknown;
    expect(JSON.stringify(rows)).toContain('"n":0');
  });
});

describe('unregisterCluster', () => {
  let server: string;
  beforeAll(async () => {
    server = `https://127.0.0.1:${await aClosedPort()}`;
  });

  it('should forget a registered cluster, delete its row, audit it, and allow the name again', async () => {
    await t.ok(REGISTER, { n: 'far', k: aKubeconfig({ server }) });
    const { unregisterCluster } = await t.ok(UNREGISTER, { n: 'far' });
    expect(unregisterCluster.name).toBe('far');
    const listed = await t.ok('{ clusters { name } }');
    expect(listed.clusters).toEqual([]);
    const rows = JSON.stringify(await t.server.database.db.execute("select action, details from audit_entries where action like 'cluster.%' order by seq" as never));
    expect(rows).toMatch(/cluster\.register.*cluster\.unregister/);
    const count = JSON.stringify(await t.server.database.db.execute('select count(*)::int as n from clusters' as never));
    expect(count).toContain('"n":0');
    expect(t.server.registry!.connection('far')).toBeNull();
    await t.ok(REGISTER, { n: 'far', k: aKubeconfig({ server }) });
    await t.ok(UNREGISTER, { n: 'far' });
  });

  it('should refuse non-admins, unknown names, and clusters that environments use (with a count only)', async () => {
    await t.ok(REGISTER, { n: 'busy', k: aKubeconfig({ server }) });
    const user = await aUser(t);
    const forbidden = await t.gql(UNREGISTER, { n: 'busy' }, user.token);
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const unknown = await t.gql(UNREGISTER, { n: 'nowhere' });
    expect(unknown.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    const project = await aProject(t);
    const app = await anApp(t, project.id);
    const env = await anEnvironment(t, app.id, { cluster: 'busy' });
    const inUse = await t.gql(UNREGISTER, { n: 'busy' });
    expect(inUse.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(inUse.errors![0]!.message).toContain('1 environment');
    expect(inUse.errors![0]!.message).not.toContain(env.namespace);
    expect(inUse.errors![0]!.message).not.toContain(project.slug);
    const listed = await t.ok('{ clusters { name } }');
    expect(listed.clusters.map((c: { name: string }) => c.name)).toContain('busy');
  });
});
