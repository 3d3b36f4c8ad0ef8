import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusters as clustersTable } from '../../db/schema/index.ts';
import { SecretBox } from '../../services/shared/secret-box.ts';
import { aClosedPort, aKubeconfig, execUser, existsAfter } from '../support/kubeconfigs.ts';
import { capturingLogger } from '../support/log-lines.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const SECRET = 'test-secret-key-0123456789';
const dir = mkdtempSync(join(tmpdir(), 'gantry-cluster-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function execKubeconfigFile(name: string): Promise<{ file: string; marker: string }> {
  const marker = join(dir, `${name}-exec-ran`);
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, aKubeconfig({ server: `https://127.0.0.1:${await aClosedPort()}`, user: execUser(marker) }));
  return { file, marker };
}

const serverWith = (env: Record<string, string>, logger?: ReturnType<typeof capturingLogger>['logger']) =>
  startTestServer({ env: { GANTRY_EMBEDDED_CLUSTER: '0', GANTRY_SECRET_KEY: SECRET, ...env }, start: { clusters: undefined, ...(logger ? { logger } : {}) } });

describe('GANTRY_CLUSTERS files', () => {
  it('should refuse to start with a file that uses exec, naming the variable and the field, without running it', async () => {
    const { file, marker } = await execKubeconfigFile('refused');
    await expect(serverWith({ GANTRY_CLUSTERS: `far=${file}` })).rejects.toThrow(/GANTRY_CLUSTERS cluster "far".*users\[0\]\.user\.exec.*GANTRY_TRUST_CLUSTER_FILES=1/);
    expect(await existsAfter(marker)).toBe(false);
  }, 120_000); // a first start in a test file opens PGlite and migrates: slow on a loaded machine

  describe('with GANTRY_TRUST_CLUSTER_FILES=1', () => {
    let t: TestServer;
    const { logger, lines } = capturingLogger();
    beforeAll(async () => {
      const { file } = await execKubeconfigFile('trusted');
      t = await serverWith({ GANTRY_CLUSTERS: `far=${file}`, GANTRY_TRUST_CLUSTER_FILES: '1' }, logger);
    });
    afterAll(() => t.close());

    it('should load the file as kubectl would, and refuse to unregister it', async () => {
      const listed = await t.ok('{ clusters { name } }');
      expect(listed.clusters).toEqual([{ name: 'far' }]);
      const res = await t.gql('mutation { unregisterCluster(name: "far") { name } }');
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
    });

    it('should not run a stored registration that uses exec: the cluster is UNREACHABLE with a logged reason', async () => {
      // A row as registerCluster stored it before kubeconfigs were checked.
      const marker = join(dir, 'stored-exec-ran');
      const sealed = new SecretBox(SECRET).seal(aKubeconfig({ server: `https://127.0.0.1:${await aClosedPort()}`, user: execUser(marker) }));
      await t.server.database.db.insert(clustersTable).values({ name: 'legacy', kubeconfigCiphertext: sealed, createdBy: null });
      await t.restart();
      const listed = await t.ok('{ clusters { name status } }');
      expect(listed.clusters).toContainEqual({ name: 'legacy', status: 'UNREACHABLE' });
      expect(await existsAfter(marker, 1000)).toBe(false);
      const reason = lines.find((l) => l.cluster === 'legacy' && l.level === 50);
      expect(reason?.reason).toContain('users[0].user.exec');
      // It can still be removed through the API.
      await t.ok('mutation { unregisterCluster(name: "legacy") { name } }');
      expect((await t.ok('{ clusters { name } }')).clusters).toEqual([{ name: 'far' }]);
    });
  });
});
