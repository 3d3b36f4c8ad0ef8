import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { eventually } from '../support/cluster.ts';
import { createPostgresDatabase } from '../support/database.ts';
import { ChildServer, freePort, gantryProcessEnv, graphqlAt, startAndWait, startClusterProcess } from '../support/processes.ts';

const TOKEN = 'gnt_config-crash-admin-token-0123456789abcdef';
const APP = 'api';
/** Attempts per case at killing inside the window; each costs a restart. */
const ATTEMPTS = 6;

type KubeObject = { metadata: { name: string; labels?: Record<string, string> } };

/** Reads the out-of-process embedded cluster the way any client does: its REST API with the kubeconfig's token. */
function clusterReader(kubeconfigPath: string) {
  const config = parse(readFileSync(kubeconfigPath, 'utf8'));
  const server: string = config.clusters[0].cluster.server;
  const token: string = config.users[0].user.token;
  return async (path: string): Promise<any | null> => {
    const res = await fetch(`${server}${path}`, { headers: { authorization: `Bearer ${token}` } });
    if (res.status === 404) return null;
    if (!res.ok) throw new Error(`GET ${path}: ${res.status}`);
    return res.json();
  };
}

/**
 * A Gantry process killed (SIGKILL) between writing a config revision's objects and the release
 * that uses them. The window is made observable from outside: the test polls the cluster for the
 * revision's ConfigMap and kills the moment it appears, and counts an attempt only when the
 * Deployment was then still on the old revision (otherwise it tries again with a new revision).
 * Meanwhile a sampler checks that no Deployment ever refers to a revision whose ConfigMap or
 * Secret is missing.
 */
describe('config objects when Gantry is killed before the release uses them', () => {
  let dataDir: string;
  let db: { url: string; drop(): Promise<void> };
  let cluster: ChildServer;
  let get: ReturnType<typeof clusterReader>;
  let server: ChildServer;
  let port: number;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'gantry-config-crash-'));
    db = await createPostgresDatabase();
    const started = await startClusterProcess(join(dataDir, 'cluster'));
    cluster = started.process;
    get = clusterReader(started.kubeconfig);
    port = await freePort();
    server = new ChildServer('server/main.ts', gantryProcessEnv({ databaseUrl: db.url, kubeconfig: started.kubeconfig, dataDir: join(dataDir, 'gantry'), port, token: TOKEN }, { GANTRY_RELEASE_LEASE_SECONDS: '1' }));
    await up();
  }, 120_000);

  afterAll(async () => {
    await server?.kill();
    await cluster?.kill('SIGTERM');
    await db?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const up = () => startAndWait(server, port);

  const gql = (query: string, variables: Record<string, unknown> = {}) => graphqlAt(port, TOKEN, query, variables);

  it('should run no release on a half-written revision and delete the orphaned objects when the next release settles', async () => {
    const { createProject } = await gql('mutation { createProject(input: { slug: "cfgcrash", name: "Config crash" }) { id } }');
    const { createApp } = await gql('mutation($p: ID!) { createApp(input: { projectId: $p, name: "api", language: GO }) { id } }', { p: createProject.id });
    const { createEnvironment: env } = await gql('mutation($a: ID!) { createEnvironment(input: { appId: $a, name: "prod", replicas: 1 }) { id namespace } }', { a: createApp.id });
    const ns: string = env.namespace;
    const release = async (extra: Record<string, unknown> = {}) =>
      (await gql('mutation($i: CreateReleaseInput!) { createRelease(input: $i) { id } }', { i: { environmentId: env.id, image: 'registry.local/api:1', ...extra } })).createRelease.id as string;
    const statusOf = async (id: string) => (await gql('query($id: ID!) { node(id: $id) { ... on Release { status } } }', { id })).node.status as string;
    const settled = (id: string) => eventually(async () => (await statusOf(id)) === 'SUCCEEDED', 90_000, `release ${id} succeeded`, 200);
    await settled(await release());

    const objectExists = async (kind: 'configmaps' | 'secrets', name: string) => (await get(`/api/v1/namespaces/${ns}/${kind}/${name}`)) !== null;
    const deploymentRevisions = async () => {
      const list = await get(`/apis/apps/v1/namespaces/${ns}/deployments`);
      return (list.items as KubeObject[]).map((d) => d.metadata.labels?.['gantry.io/config-revision']).filter((r): r is string => r !== undefined);
    };

    // The sampler: a Deployment on revision R while R's ConfigMap or Secret is missing is a pod
    // started on a half-written revision (re-read once, so a Deployment that just moved on is not counted).
    const violations: string[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        for (const r of await deploymentRevisions().catch(() => [])) {
          const complete = (await objectExists('configmaps', `${APP}-config-${r}`)) && (await objectExists('secrets', `${APP}-secrets-${r}`));
          if (!complete && (await deploymentRevisions()).includes(r)) violations.push(`deployment on revision ${r} without its ConfigMap or Secret`);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();

    /**
     * Makes a new revision (a variable and a secret), starts a config-only release of it and
     * SIGKILLs Gantry as soon as the revision's ConfigMap is in the cluster.
     * @returns the revision, the release, and whether the kill came before the Deployment used it.
     */
    const killMidWrite = async (attempt: string) => {
      await gql('mutation($i: UpdateConfigInput!) { updateConfig(input: $i) { number } }', { i: { environmentId: env.id, set: [{ name: 'ATTEMPT', value: attempt }] } });
      await gql('mutation($i: SetSecretInput!) { setSecret(input: $i) { name } }', { i: { environmentId: env.id, name: 'TOKEN', value: `secret-${attempt}` } });
      const { node } = await gql('query($id: ID!) { node(id: $id) { ... on Environment { config { number } } } }', { id: env.id });
      const revision = String(node.config.number);
      const id = await release();
      const deadline = Date.now() + 60_000;
      while (!(await objectExists('configmaps', `${APP}-config-${revision}`))) {
        if (Date.now() > deadline) throw new Error(`ConfigMap of revision ${revision} never appeared`);
      }
      await server.kill();
      const hit = !(await deploymentRevisions()).includes(revision);
      return { revision, id, hit, secretWritten: await objectExists('secrets', `${APP}-secrets-${revision}`) };
    };

    try {
      // 1. The release resumes after the restart: it completes the revision's objects before the Deployment uses them.
      let resumed = null;
      for (let i = 0; i < ATTEMPTS && !resumed; i++) {
        const attempt = await killMidWrite(`resume-${i}`);
        await up();
        await settled(attempt.id);
        if (attempt.hit) resumed = attempt;
      }
      expect(resumed, `no kill landed between the ConfigMap and the Deployment in ${ATTEMPTS} attempts`).not.toBeNull();
      expect(await deploymentRevisions()).toEqual([resumed!.revision]);
      expect(await objectExists('secrets', `${APP}-secrets-${resumed!.revision}`)).toBe(true);

      // 2. The release never resumes (superseded at once by one pinned to the running revision): its objects are orphans.
      let orphaned = null;
      for (let i = 0; i < ATTEMPTS && !orphaned; i++) {
        const running = (await deploymentRevisions())[0]!;
        const attempt = await killMidWrite(`orphan-${i}`);
        await up();
        await settled(await release({ configRevision: Number(running), supersede: true }));
        if (attempt.hit) orphaned = attempt;
      }
      expect(orphaned, `no kill landed between the ConfigMap and the Deployment in ${ATTEMPTS} attempts`).not.toBeNull();
      // Cleaned on the next reconcile that settles a release: nothing of the orphaned revisions is left.
      await eventually(async () => !(await objectExists('configmaps', `${APP}-config-${orphaned!.revision}`)) && !(await objectExists('secrets', `${APP}-secrets-${orphaned!.revision}`)), 30_000, 'orphaned objects deleted');
      const inUse = new Set(await deploymentRevisions());
      const configMaps = (await get(`/api/v1/namespaces/${ns}/configmaps?labelSelector=gantry.io/config-revision`)).items as KubeObject[];
      const secrets = (await get(`/api/v1/namespaces/${ns}/secrets?labelSelector=gantry.io/config-revision`)).items as KubeObject[];
      expect(new Set([...configMaps, ...secrets].map((o) => o.metadata.labels!['gantry.io/config-revision']))).toEqual(inUse);
    } finally {
      sampling = false;
      await sampler;
    }
    expect(violations).toEqual([]);
  }, 420_000);
});
