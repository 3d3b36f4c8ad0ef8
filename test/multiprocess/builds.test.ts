import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killProcessesUnder, processesUnder } from '../../services/builds/process.ts';
import { buildToolsMissing, pushBusyboxImage, startGitServer, startRegistry, testSpec, type GitServer } from '../support/builds.ts';
import { createPostgresDatabase } from '../support/database.ts';
import { ChildServer, freePort, waitForHttp, graphqlAt, until as untilValue } from '../support/processes.ts';

const TOKEN = 'gnt_builds-multiprocess-admin-token-0123456789';
const missing = buildToolsMissing();

/**
 * Builds across real Gantry processes on one PostgreSQL database: each build runs in exactly
 * one process, at most GANTRY_BUILD_CONCURRENCY at a time per process, and a build whose
 * process is killed (SIGKILL) is failed clearly by another once its lease expires.
 */
describe.skipIf(missing)('builds across processes', { timeout: 240_000 }, () => {
  let dataDir: string;
  let db: { url: string; drop(): Promise<void> };
  let sql: postgres.Sql;
  let registry: Awaited<ReturnType<typeof startRegistry>>;
  let git: GitServer;
  let base: string;
  const ports: number[] = [];
  const processes: ChildServer[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'gantry-builds-mp-'));
    db = await createPostgresDatabase();
    sql = postgres(db.url, { onnotice: () => {} });
    registry = await startRegistry();
    base = pushBusyboxImage(registry.host);
    git = await startGitServer();
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      ports.push(port);
      processes.push(
        new ChildServer('server/main.ts', {
          DATABASE_URL: db.url,
          GANTRY_EMBEDDED_CLUSTER: '0',
          GANTRY_DATA_DIR: join(dataDir, `gantry-${i}`),
          GANTRY_ADMIN_TOKEN: TOKEN,
          HOST: '127.0.0.1',
          PORT: String(port),
          GANTRY_LOG_LEVEL: 'warn',
          GANTRY_REGISTRY: registry.host,
          GANTRY_BUILD_CONCURRENCY: '1',
          GANTRY_BUILD_TICK_MS: '100',
          GANTRY_BUILD_LEASE_SECONDS: '2',
        }),
      );
    }
    for (const [i, p] of processes.entries()) {
      p.start();
      await waitForHttp(`http://127.0.0.1:${ports[i]}/readyz`, p);
    }
  }, 180_000);

  afterAll(async () => {
    for (const p of processes) await p.kill('SIGKILL');
    // A process killed mid-build leaves its buildah children behind: end them here.
    if (dataDir) await killProcessesUnder(dataDir);
    await sql?.end();
    await db?.drop();
    await git?.stop();
    await registry?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const gql = (port: number, query: string, variables: Record<string, unknown> = {}) => graphqlAt(port, TOKEN, query, variables);

  /** Builds are slow: two minutes and a 200 ms poll by default. */
  const until = <T,>(check: () => Promise<T | null | undefined | false>, what: string, timeoutMs = 120_000) => untilValue(check, what, timeoutMs, 200);

  async function anApp(name: string, buildCommands: string[]): Promise<string> {
    const slug = `mp-${name}`;
    const { createProject } = await gql(ports[0]!, `mutation($i: CreateProjectInput!) { createProject(input: $i) { id } }`, { i: { slug, name: slug } });
    git.push(name, { 'main.txt': 'hello\n' });
    const { createApp } = await gql(ports[0]!, `mutation($i: CreateAppInput!) { createApp(input: $i) { id } }`, {
      i: { projectId: createProject.id, name, language: 'OTHER', repoUrl: git.url(name) },
    });
    await gql(ports[0]!, `mutation($a: ID!, $s: String!) { setBuildSpec(appId: $a, spec: $s) { id } }`, { a: createApp.id, s: testSpec(base, { buildCommands }) });
    return createApp.id;
  }

  const rawId = (globalId: string) => Buffer.from(globalId, 'base64url').toString().split(':')[1]!;

  it('should run each build in exactly one process, one at a time per process, the rest QUEUED until a slot frees', async () => {
    const appId = await anApp('many', ['mkdir -p out', 'sleep 2', 'echo done > out/result']);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await gql(ports[i % 2]!, `mutation($i: CreateBuildInput!) { createBuild(input: $i) { id } }`, { i: { appId } })).createBuild.id);
    const rows = await until(async () => {
      const r = await sql`select id, status, started_at, finished_at from builds where app_id = ${rawId(appId)}`;
      return r.every((b) => b.status === 'SUCCEEDED') && r.length === 3 ? r : null;
    }, 'three builds to succeed', 200_000);
    // Two processes with one slot each: never three builds running at once, but two do run
    // side by side (a busy process leaves queued builds to the idle one).
    const running = (at: Date) => rows.filter((o) => o.started_at <= at && o.finished_at > at).length;
    expect(Math.max(...rows.map((row) => running(row.started_at)))).toBe(2);
    // Each stage started once: no build ran twice.
    for (const id of ids) {
      const started = await sql`select stage from build_events where build_id = ${rawId(id)} and type = 'STAGE_STARTED' order by sequence`;
      expect(started.map((r) => r.stage)).toEqual(['prepare', 'build', 'package:app', 'package:dist']);
    }
    // Every tarball downloads, digest-checked and whole, from both processes: one of them did not build it.
    for (const id of ids) {
      const { build } = await gql(ports[0]!, `query($id: ID!) { build(id: $id) { artifacts { kind name reference digest } } }`, { id });
      const tarball = build.artifacts.find((a: any) => a.kind === 'TARBALL');
      const path = new URL(tarball.reference, 'http://gantry.invalid').pathname;
      for (const port of ports) {
        const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
        expect(res.status, `download from port ${port}`).toBe(200);
        const bytes = Buffer.from(await res.arrayBuffer());
        expect(Number(res.headers.get('content-length'))).toBe(bytes.length);
        expect(`sha256:${createHash('sha256').update(bytes).digest('hex')}`).toBe(tarball.digest);
        expect(gunzipSync(bytes).toString('latin1')).toContain('out/result');
      }
    }
  });

  it('should fail a build whose process was killed, with a clear message, from the surviving process, which ends the buildah children left running', async () => {
    const appId = await anApp('crash', ['sleep 120']);
    await processes[1]!.kill('SIGTERM');
    const { createBuild } = await gql(ports[0]!, `mutation($i: CreateBuildInput!) { createBuild(input: $i) { id } }`, { i: { appId } });
    await until(async () => {
      const [row] = await sql`select stages from builds where id = ${rawId(createBuild.id)}`;
      return row?.stages?.[1]?.status === 'RUNNING';
    }, 'the build stage to run');
    processes[1]!.start();
    await waitForHttp(`http://127.0.0.1:${ports[1]}/readyz`, processes[1]!);
    // The build's `sleep 120` runs in buildah's chroot under the killed process's workspace.
    const workspace = join(dataDir, 'gantry-0', 'builds', 'work', rawId(createBuild.id));
    expect((await processesUnder(workspace)).length, 'the build runs processes in its workspace').toBeGreaterThan(0);
    const mountsUnder = () => readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((line) => line.includes(workspace));
    // With overlay storage (where the host allows it) the build's container is mounted there.
    if (existsSync(join(workspace, 'storage', 'overlay'))) expect(mountsUnder().length).toBeGreaterThan(0);
    await processes[0]!.kill('SIGKILL');
    // SIGKILL gives Gantry no chance to end them: they outlive it until someone takes the build over.
    expect((await processesUnder(workspace)).length, 'buildah children outlive a SIGKILLed Gantry').toBeGreaterThan(0);
    const { build } = await until(async () => {
      const data = await gql(ports[1]!, `query($id: ID!) { build(id: $id) { status statusMessage stages { name status } } }`, { id: createBuild.id });
      return data.build.status === 'FAILED' ? data : null;
    }, 'the survivor to fail the build', 30_000);
    expect(build.statusMessage).toContain('process running this build stopped');
    // The survivor (same host) ended them and removed the containers' storage with the workspace.
    expect(await processesUnder(workspace)).toEqual([]);
    expect(existsSync(workspace)).toBe(false);
    // Nor a mount of the build's container (overlay storage) left behind.
    expect(mountsUnder()).toEqual([]);
    expect(build.stages.map((s: any) => s.status)).toEqual(['SUCCEEDED', 'FAILED', 'SKIPPED', 'SKIPPED']);
    const [row] = await sql`select settled_at from builds where id = ${rawId(createBuild.id)}`;
    expect(row!.settled_at).not.toBeNull();
  });
});
