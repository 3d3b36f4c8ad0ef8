import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase } from '../support/database.ts';
import { ChildServer, freePort, gantryProcessEnv, graphqlAt, startAndWait, startClusterProcess, until } from '../support/processes.ts';

const TOKEN = 'gnt_crash-test-admin-token-0123456789abcdef';
const METRICS_TOKEN = 'metrics-crash-test-token-0123456789';

/**
 * Gantry processes killed with SIGKILL at each point of a canary, against one PostgreSQL
 * database and an embedded cluster running in a process of its own (so the cluster outlives
 * Gantry, as a real one would).
 */
describe('crash safety and leadership across real processes', () => {
  let dataDir: string;
  let db: { url: string; drop(): Promise<void> };
  let cluster: ChildServer;
  let kubeconfig: string;
  let sql: postgres.Sql;
  /** Every Gantry process started, so a failing test still leaves none behind. */
  const started: ChildServer[] = [];

  function gantry(port: number): ChildServer {
    const child = new ChildServer(
      'server/main.ts',
      gantryProcessEnv(
        { databaseUrl: db.url, kubeconfig, dataDir: join(dataDir, `gantry-${port}`), port, token: TOKEN },
        {
          GANTRY_RELEASE_LEASE_SECONDS: '2',
          // Several processes on one machine: each metrics listener on a free port, and /metrics
          // read through the main port with the metrics token (the listener's port is not known here).
          GANTRY_METRICS_PORT: '0',
          GANTRY_METRICS_TOKEN: METRICS_TOKEN,
        },
      ),
    );
    started.push(child);
    return child;
  }

  const gql = (port: number, query: string, variables: Record<string, unknown> = {}) => graphqlAt(port, TOKEN, query, variables);

  const up = startAndWait;

  async function releaseRow(id: string) {
    const [row] = await sql`select status, state, lease_owner, event_count from releases where id = ${decodeId(id)}`;
    return row as { status: string; state: any; lease_owner: string | null; event_count: number };
  }

  async function events(id: string): Promise<{ sequence: number; type: string; step_index: number | null; weight: number | null }[]> {
    return (await sql`select sequence, type, step_index, weight from release_events where release_id = ${decodeId(id)} order by sequence`) as never;
  }

  /** The rules a crash must never break: sequence 1..n, no step started or applied twice. */
  function expectCleanLog(log: Awaited<ReturnType<typeof events>>): void {
    expect(log.map((e) => e.sequence)).toEqual(log.map((_, i) => i + 1));
    for (const type of ['STEP_STARTED', 'WEIGHT_APPLIED', 'PODS_READY', 'CREATED', 'SUCCEEDED']) {
      const keys = log.filter((e) => e.type === type).map((e) => `${e.step_index}`);
      expect(new Set(keys).size, `${type} repeated: ${JSON.stringify(log.map((e) => e.type))}`).toBe(keys.length);
    }
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'gantry-crash-'));
    db = await createPostgresDatabase();
    sql = postgres(db.url, { max: 2, onnotice: () => {} });
    ({ process: cluster, kubeconfig } = await startClusterProcess(join(dataDir, 'cluster')));
  }, 60_000);

  afterAll(async () => {
    for (const child of started) await child.kill();
    await cluster?.kill('SIGTERM');
    await sql?.end();
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('should resume a canary after a SIGKILL at every step with no step skipped or repeated and weights only ever previous or next', async () => {
    const port = await freePort();
    const server = gantry(port);
    await up(server, port);
    const { createProject } = await gql(port, 'mutation { createProject(input: { slug: "crash", name: "Crash" }) { id } }');
    const { createApp } = await gql(port, 'mutation($p: ID!) { createApp(input: { projectId: $p, name: "api", language: GO }) { id } }', { p: createProject.id });
    const { createEnvironment } = await gql(port, 'mutation($a: ID!) { createEnvironment(input: { appId: $a, name: "prod", replicas: 2, protected: true }) { id } }', { a: createApp.id });
    const envId = createEnvironment.id;
    const first = (await gql(port, 'mutation($e: ID!) { createRelease(input: { environmentId: $e, image: "registry.local/api:1" }) { id } }', { e: envId })).createRelease;
    await until(async () => (await releaseRow(first.id)).status === 'SUCCEEDED', 'first release succeeded');

    const release = (await gql(port, 'mutation($e: ID!) { createRelease(input: { environmentId: $e, image: "registry.local/api:2" }) { id } }', { e: envId })).createRelease;
    const seen = new Set<number>();
    const sample = async () => {
      const out = await gql(port, 'query($id: ID!) { node(id: $id) { ... on Environment { workload { versions { version trafficWeight } } } } }', { id: envId }).catch(() => null);
      const w = out?.node.workload.versions.find((v: any) => v.version === 'r2')?.trafficWeight;
      if (typeof w === 'number') seen.add(w);
    };

    // 1: killed right after the create committed, before the engine touched the cluster.
    await server.kill();
    await up(server, port);
    await until(async () => (await releaseRow(release.id)).status === 'PAUSED', 'paused at the first gate');
    await sample();

    // 2: killed while paused at 10%.
    await server.kill();
    await up(server, port);
    await sample();
    expect((await releaseRow(release.id)).state.currentStepIndex).toBe(0);

    // 3: killed right after promote committed (between the commit and the cluster write).
    await gql(port, 'mutation($id: ID!) { promoteRelease(id: $id, expectedStepIndex: 0) { id } }', { id: release.id });
    await server.kill();
    await up(server, port);
    await until(async () => {
      const row = await releaseRow(release.id);
      return row.status === 'PAUSED' && row.state.currentStepIndex === 1;
    }, 'paused at the second gate');
    await sample();

    // 4: killed a few ms after the last promote, mid-reconcile.
    await gql(port, 'mutation($id: ID!) { promoteRelease(id: $id, expectedStepIndex: 1) { id } }', { id: release.id });
    await new Promise((r) => setTimeout(r, 150));
    await server.kill();
    await up(server, port);
    await until(async () => (await releaseRow(release.id)).status === 'SUCCEEDED', 'succeeded after the crashes');
    await sample();

    const log = await events(release.id);
    expectCleanLog(log);
    expect(log.filter((e) => e.type === 'WEIGHT_APPLIED').map((e) => e.weight)).toEqual([10, 50, 100]);
    for (const w of seen) expect([0, 10, 50, 100]).toContain(w);
    await server.kill('SIGTERM');
  }, 180_000);

  it('should let exactly one of two processes drive a release, and the other take over within the lease after a kill', async () => {
    const [portA, portB] = [await freePort(), await freePort()];
    const a = gantry(portA);
    const b = gantry(portB);
    await up(a, portA);
    await up(b, portB);
    const { project } = await gql(portA, '{ project(slug: "crash") { id apps { nodes { environments { id } } } } }').then((d) => ({ project: d.project }));
    const envId = project.apps.nodes[0].environments[0].id;
    const release = (await gql(portB, 'mutation($e: ID!) { createRelease(input: { environmentId: $e, image: "registry.local/api:3" }) { id } }', { e: envId })).createRelease;
    await until(async () => (await releaseRow(release.id)).status === 'PAUSED', 'paused at the first gate');

    /** The lease owner id a process reports on /metrics. */
    const ownerOf = async (port: number) => {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
      return /^gantry_release_engine_info\{owner="([^"]+)"\} 1/m.exec(text)?.[1];
    };
    const [ownerA, ownerB] = [await ownerOf(portA), await ownerOf(portB)];
    const owners = new Set<string>();
    for (let i = 0; i < 10; i++) {
      owners.add((await releaseRow(release.id)).lease_owner ?? 'none');
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(owners.size).toBe(1);
    const holder = [...owners][0];
    expect([ownerA, ownerB]).toContain(holder);

    const [driver, other, otherPort, otherOwner] = holder === ownerA ? [a, b, portB, ownerB] : [b, a, portA, ownerA];
    await driver.kill();
    const started = Date.now();
    await until(async () => (await releaseRow(release.id)).lease_owner === otherOwner, 'takeover', 30_000);
    expect(Date.now() - started).toBeLessThan(30_000);

    await gql(otherPort, 'mutation($id: ID!) { promoteReleaseFully(id: $id) { id } }', { id: release.id });
    await until(async () => (await releaseRow(release.id)).status === 'SUCCEEDED', 'succeeded under the new driver');
    expectCleanLog(await events(release.id));
    await other.kill('SIGTERM');
  }, 120_000);
});

function decodeId(globalId: string): string {
  return Buffer.from(globalId, 'base64url').toString('utf8').split(':')[1]!;
}
