import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/cluster.ts';
import { aProject, anEnvironment, unique } from '../support/fixtures.ts';
import { buildToolsMissing, pushBusyboxImage, startGitServer, startRegistry, testSpec, type GitServer } from '../support/builds.ts';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../support/server.ts';

const missing = buildToolsMissing();

const BUILD_FIELDS = `id number status statusMessage trigger ref commit createdBy { login }
  stages { name status cacheKey cacheHit startedAt finishedAt } artifacts { kind name reference digest }`;

// Real builds end to end: git daemon → buildah (chroot) → docker-registry, through the API.
// Builds take seconds each, so this file runs once (on PGlite, outside test/api); the builds API
// on both databases is test/api/builds-api.test.ts.
describe.skipIf(missing)('builds from source', { timeout: 180_000 }, () => {
  let t: TestServer;
  let registry: Awaited<ReturnType<typeof startRegistry>>;
  let git: GitServer;
  let base: string;

  beforeAll(async () => {
    registry = await startRegistry();
    base = pushBusyboxImage(registry.host);
    git = await startGitServer();
    t = await startTestServer({ env: { GANTRY_REGISTRY: registry.host, GANTRY_BUILD_TICK_MS: '200' } });
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    await git?.stop();
    await registry?.stop();
  });

  async function anAppWithRepo(files: Record<string, string> = { 'main.txt': 'hello\n' }) {
    const project = await aProject(t);
    const name = unique('app');
    const repo = unique('repo');
    const commit = git.push(repo, files);
    const { createApp } = await t.ok(`mutation($i: CreateAppInput!) { createApp(input: $i) { id name } }`, {
      i: { projectId: project.id, name, language: 'OTHER', repoUrl: git.url(repo) },
    });
    return { project, app: createApp as { id: string; name: string }, repo, commit };
  }

  const setSpec = (appId: string, spec: string) => t.gql(`mutation($a: ID!, $s: String!) { setBuildSpec(appId: $a, spec: $s) { id buildSpec } }`, { a: appId, s: spec });
  const createBuild = async (appId: string, extra: Record<string, unknown> = {}) =>
    (await t.ok(`mutation($i: CreateBuildInput!) { createBuild(input: $i) { ${BUILD_FIELDS} } }`, { i: { appId, ...extra } })).createBuild;
  const buildOf = async (id: string) => (await t.ok(`query($id: ID!) { build(id: $id) { ${BUILD_FIELDS} } }`, { id })).build;
  const finished = (id: string) =>
    eventually(async () => {
      const b = await buildOf(id);
      return ['SUCCEEDED', 'FAILED', 'CANCELED'].includes(b.status) ? b : null;
    }, 150_000, 'the build to end', 250);

  it('should build a pushed commit into an image in the registry and a tarball, reuse the cached prepare stage, and release the build by digest', async () => {
    const { app, project, commit } = await anAppWithRepo();
    expect((await setSpec(app.id, testSpec(base))).errors).toBeUndefined();

    const first = await finished((await createBuild(app.id)).id);
    expect(first.status, first.statusMessage).toBe('SUCCEEDED');
    expect(first).toMatchObject({ number: 1, trigger: 'MANUAL', ref: 'main', commit, createdBy: { login: 'admin' } });
    expect(first.stages.map((s: any) => [s.name, s.status])).toEqual([
      ['prepare', 'SUCCEEDED'],
      ['build', 'SUCCEEDED'],
      ['package:app', 'SUCCEEDED'],
      ['package:dist', 'SUCCEEDED'],
    ]);
    expect(first.stages[0].cacheHit).toBe(false);
    expect(first.stages[0].cacheKey).toMatch(/^[0-9a-f]{32}$/);

    // The image is in the registry under its digest.
    const image = first.artifacts.find((a: any) => a.kind === 'IMAGE');
    expect(image.reference).toBe(`${registry.host}/${project.slug}/${app.name}:b1@${image.digest}`);
    const head = await fetch(`http://${registry.host}/v2/${project.slug}/${app.name}/manifests/b1`, {
      method: 'HEAD',
      headers: { accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json' },
    });
    expect(head.headers.get('docker-content-digest')).toBe(image.digest);

    // The tarball downloads with a token (not without), matches its digest, and holds the build's output.
    const tarball = first.artifacts.find((a: any) => a.kind === 'TARBALL');
    expect((await fetch(tarball.reference)).status).toBe(401);
    const download = await fetch(tarball.reference, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(download.status).toBe(200);
    const bytes = Buffer.from(await download.arrayBuffer());
    expect(`sha256:${createHash('sha256').update(bytes).digest('hex')}`).toBe(tarball.digest);
    const dir = mkdtempSync(join(tmpdir(), 'gantry-tarball-'));
    writeFileSync(join(dir, 'dist.tar.gz'), bytes);
    expect(spawnSync('tar', ['-xzOf', join(dir, 'dist.tar.gz'), 'out/result'], { encoding: 'utf8' }).stdout).toBe('dep-hello\nhello\n');
    rmSync(dir, { recursive: true, force: true });

    // Every stage's output is stored, with GANTRY_COMMIT set in the build's commands.
    const { build } = await t.ok(`query($id: ID!) { build(id: $id) { log(first: 500) { totalCount nodes { source message } } } }`, { id: first.id });
    expect(build.log.nodes).toContainEqual({ source: 'build', message: `built ${commit}` });
    expect(build.log.totalCount).toBe(build.log.nodes.length);

    // Second build: the prepare stage comes from the registry.
    const second = await finished((await createBuild(app.id)).id);
    expect(second.status, second.statusMessage).toBe('SUCCEEDED');
    expect(second.stages[0]).toMatchObject({ name: 'prepare', status: 'CACHED', cacheHit: true, cacheKey: first.stages[0].cacheKey });

    // Released by digest, and the release says which build it runs.
    const env = await anEnvironment(t, app.id, { name: 'dev', replicas: 1 });
    const { createRelease } = await t.ok(`mutation($i: CreateReleaseInput!) { createRelease(input: $i) { image build { id number } } }`, {
      i: { environmentId: env.id, buildId: second.id },
    });
    expect(createRelease.image).toBe(second.artifacts.find((a: any) => a.kind === 'IMAGE').reference);
    expect(createRelease.build).toEqual({ id: second.id, number: 2 });
  });

  it('should build the prepare image once for two builds with the same cache key at once', async () => {
    const { app } = await anAppWithRepo();
    await setSpec(app.id, testSpec(base, { version: 'twins' }));
    const [a, b] = await Promise.all([createBuild(app.id), createBuild(app.id)]);
    const done = [await finished(a.id), await finished(b.id)];
    expect(done.map((d) => d.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    const prepares = done.map((d) => d.stages[0]);
    expect(prepares.map((p) => p.cacheHit).sort()).toEqual([false, true]);
    expect(prepares[0].cacheKey).toBe(prepares[1].cacheKey);
    const logs = await Promise.all(done.map(async (d) => (await t.ok(`query($id: ID!) { build(id: $id) { log(first: 1000) { nodes { source message } } } }`, { id: d.id })).build.log.nodes));
    // Only one of them ran the prepare commands.
    expect(logs.filter((nodes: any[]) => nodes.some((n) => n.source === 'prepare' && n.message === '$ mkdir -p deps')).length).toBe(1);
  });

  it('should fail a build whose command fails with its exit code and last lines, skip the later stages and push nothing', async () => {
    const { app, project } = await anAppWithRepo();
    // One shell per stage, as GitLab runs script lines: the `cd` carries over to the next command.
    await setSpec(app.id, testSpec(base, { buildCommands: ['echo about to fail', 'mkdir -p sub', 'cd sub', 'test "$PWD" = /workspace/sub || exit 9', 'echo broken >&2; exit 3', 'echo never'] }));
    const build = await finished((await createBuild(app.id)).id);
    expect(build.status).toBe('FAILED');
    expect(build.statusMessage).toContain(`command "echo broken >&2; exit 3" failed (exit code 3)`);
    expect(build.statusMessage).toContain('broken');
    expect(build.stages.map((s: any) => s.status)).toEqual(['SUCCEEDED', 'FAILED', 'SKIPPED', 'SKIPPED']);
    expect(build.artifacts).toEqual([]);
    const tags = await fetch(`http://${registry.host}/v2/${project.slug}/${app.name}/tags/list`);
    expect(tags.status).toBe(404);
    // A failed build cannot be released.
    const env = await anEnvironment(t, app.id, { name: 'dev', replicas: 1 });
    const res = await t.gql(`mutation($i: CreateReleaseInput!) { createRelease(input: $i) { id } }`, { i: { environmentId: env.id, buildId: build.id } });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.buildId' });
  });

  it('should fail clearly for an unknown ref and an unreachable repository', async () => {
    const { app } = await anAppWithRepo();
    await setSpec(app.id, testSpec(base));
    const unknown = await finished((await createBuild(app.id, { ref: 'no-such-branch' })).id);
    expect(unknown.status).toBe('FAILED');
    expect(unknown.statusMessage).toContain('ref "no-such-branch" was not found');
    await t.ok(`mutation($i: UpdateAppInput!) { updateApp(input: $i) { id } }`, { i: { id: app.id, repoUrl: 'git://127.0.0.1:1/nothing.git' } });
    const unreachable = await finished((await createBuild(app.id)).id);
    expect(unreachable.status).toBe('FAILED');
    expect(unreachable.statusMessage).toContain('git clone failed');
  });

  it('should start a build of the pushed commit from a push webhook, once per push, only with the secret and only for built branches', async () => {
    const { app, repo } = await anAppWithRepo();
    await setSpec(app.id, testSpec(base));
    const { rotateWebhookSecret: secret } = await t.ok(`mutation($a: ID!) { rotateWebhookSecret(appId: $a) }`, { a: app.id });
    const { node } = await t.ok(`query($id: ID!) { node(id: $id) { ... on App { webhookUrl } } }`, { id: app.id });
    const hookUrl = node.webhookUrl as string;
    const post = (token: string | null, body: unknown) =>
      fetch(hookUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { 'x-gitlab-token': token } : {}) }, body: JSON.stringify(body) });
    const push = (ref: string, sha: string) => ({ object_kind: 'push', ref, checkout_sha: sha, project: { default_branch: 'main' } });

    expect((await post(null, push('refs/heads/main', 'a'.repeat(40)))).status).toBe(401);
    expect((await post('whs_wrong', push('refs/heads/main', 'a'.repeat(40)))).status).toBe(401);
    expect((await post(secret, push('refs/heads/feature', 'b'.repeat(40)))).status).toBe(202);

    // The repository's post-receive hook posts the push, as GitLab would.
    git.hook(repo, hookUrl, secret);
    const sha = await git.pushAsync(repo, { 'main.txt': 'pushed\n' });
    const builds = async () => (await t.ok(`query($id: ID!) { node(id: $id) { ... on App { builds { totalCount nodes { id trigger commit ref createdBy { login } } } } } }`, { id: app.id })).node.builds;
    const started = await eventually(async () => ((await builds()).totalCount === 1 ? (await builds()).nodes[0] : null), 15_000, 'the pushed build');
    expect(started).toMatchObject({ trigger: 'PUSH', ref: 'main', createdBy: null });
    // A repeated delivery of the same push starts nothing.
    const again = await post(secret, push('refs/heads/main', sha));
    expect(again.status).toBe(200);
    expect((await builds()).totalCount).toBe(1);
    const done = await finished(started.id);
    expect(done.status, done.statusMessage).toBe('SUCCEEDED');
    expect(done.commit).toBe(sha);
    // A rotated secret replaces the old one.
    await t.ok(`mutation($a: ID!) { rotateWebhookSecret(appId: $a) }`, { a: app.id });
    expect((await post(secret, push('refs/heads/main', 'c'.repeat(40)))).status).toBe(401);
  });

  it('should stream build progress and logs over WebSocket, resumable from a cursor without gaps or repeats, completing at the end', async () => {
    const { app } = await anAppWithRepo();
    // The image is built FROM the build stage's result (${BUILD}), which holds the workspace.
    await setSpec(app.id, testSpec(base, { dockerfile: 'FROM ${BUILD}\nRUN test -f /workspace/out/result && echo from-build-stage\n' }));
    const build = await createBuild(app.id);
    const client = t.ws();
    const collect = <T>(query: string, variables: Record<string, unknown>, field: string) =>
      new Promise<T[]>((resolve, reject) => {
        const seen: T[] = [];
        client.subscribe({ query, variables }, { next: (r: any) => (r.errors ? reject(new Error(JSON.stringify(r.errors))) : seen.push(r.data[field])), error: reject, complete: () => resolve(seen) });
      });
    const [events, lines] = await Promise.all([
      collect<any>(`subscription($id: ID!) { buildProgress(buildId: $id) { cursor sequence type stage message build { status } } }`, { id: build.id }, 'buildProgress'),
      collect<any>(`subscription($id: ID!) { buildLogs(buildId: $id) { cursor source message } }`, { id: build.id }, 'buildLogs'),
    ]);
    expect(events.map((e) => e.sequence)).toEqual(events.map((_, i) => i + 1));
    expect(events[0].type).toBe('QUEUED');
    expect(events.at(-1)).toMatchObject({ type: 'SUCCEEDED', build: { status: 'SUCCEEDED' } });
    expect(events.filter((e) => e.type === 'ARTIFACT_PUBLISHED').map((e) => e.stage)).toEqual(['package:app', 'package:dist']);
    const stored = (await t.ok(`query($id: ID!) { build(id: $id) { log(first: 1000) { nodes { cursor source message } } } }`, { id: build.id })).build.log.nodes;
    expect(lines).toEqual(stored);
    expect(lines).toContainEqual(expect.objectContaining({ source: 'package:app', message: 'from-build-stage' }));
    // Resuming after the fifth event and the tenth line replays exactly the rest.
    const restEvents = await collect<any>(`subscription($id: ID!, $a: String) { buildProgress(buildId: $id, after: $a) { sequence } }`, { id: build.id, a: events[4].cursor }, 'buildProgress');
    expect(restEvents.map((e) => e.sequence)).toEqual(events.slice(5).map((e) => e.sequence));
    const restLines = await collect<any>(`subscription($id: ID!, $a: String) { buildLogs(buildId: $id, after: $a) { cursor } }`, { id: build.id, a: lines[9].cursor }, 'buildLogs');
    expect(restLines.map((l) => l.cursor)).toEqual(lines.slice(10).map((l) => l.cursor));
  });

  it('should fail a build that outlives its timeoutSeconds', async () => {
    const { app } = await anAppWithRepo();
    await setSpec(app.id, testSpec(base, { buildCommands: ['sleep 120'] }).replace('timeoutSeconds: 300', 'timeoutSeconds: 20'));
    const build = await finished((await createBuild(app.id)).id);
    expect(build.status).toBe('FAILED');
    expect(build.statusMessage).toBe('the build outlived timeoutSeconds (20 s)');
    expect(build.stages.map((s: any) => s.status)).toEqual(['SUCCEEDED', 'FAILED', 'SKIPPED', 'SKIPPED']);
  });

  it('should cancel a running build: CANCELED, its stages skipped, nothing published', async () => {
    const { app } = await anAppWithRepo();
    await setSpec(app.id, testSpec(base, { buildCommands: ['sleep 60'] }));
    const build = await createBuild(app.id);
    await eventually(async () => (await buildOf(build.id)).stages[1].status === 'RUNNING', 60_000, 'the build stage to run', 200);
    const { cancelBuild } = await t.ok(`mutation($id: ID!) { cancelBuild(id: $id) { status } }`, { id: build.id });
    expect(cancelBuild.status).toBe('CANCELED');
    // Its processes are killed and its workspace removed well before `sleep 60` would end.
    const rawId = Buffer.from(build.id, 'base64url').toString().split(':')[1]!;
    await eventually(() => !t.server.builds.runner.active.includes(rawId), 15_000, 'the build processes to stop', 200);
    expect(existsSync(join(t.server.config.dataDir, 'builds', 'work', rawId))).toBe(false);
    const done = await buildOf(build.id);
    expect(done.status).toBe('CANCELED');
    expect(done.stages.map((s: any) => s.status)).toEqual(['SUCCEEDED', 'SKIPPED', 'SKIPPED', 'SKIPPED']);
    expect(done.artifacts).toEqual([]);
  });

  it('should build on vfs storage where overlay is not wanted (GANTRY_BUILD_STORAGE_DRIVER), from the image cache the second time', async () => {
    const vfs = await startTestServer({ env: { GANTRY_REGISTRY: registry.host, GANTRY_BUILD_TICK_MS: '200', GANTRY_BUILD_STORAGE_DRIVER: 'vfs' } });
    try {
      const project = await aProject(vfs);
      const repo = unique('repo');
      git.push(repo, { 'main.txt': 'hello\n' });
      const { createApp } = await vfs.ok(`mutation($i: CreateAppInput!) { createApp(input: $i) { id } }`, { i: { projectId: project.id, name: unique('app'), language: 'OTHER', repoUrl: git.url(repo) } });
      await vfs.ok(`mutation($a: ID!, $s: String!) { setBuildSpec(appId: $a, spec: $s) { id } }`, { a: createApp.id, s: testSpec(base) });
      const ended = (id: string) =>
        eventually(async () => {
          const b = (await vfs.ok(`query($id: ID!) { build(id: $id) { ${BUILD_FIELDS} } }`, { id })).build;
          return ['SUCCEEDED', 'FAILED', 'CANCELED'].includes(b.status) ? b : null;
        }, 150_000, 'the build to end', 250);
      const build = async () => ended((await vfs.ok(`mutation($i: CreateBuildInput!) { createBuild(input: $i) { id } }`, { i: { appId: createApp.id } })).createBuild.id);
      const first = await build();
      expect(first.status, first.statusMessage).toBe('SUCCEEDED');
      const second = await build();
      expect(second.status, second.statusMessage).toBe('SUCCEEDED');
      expect(second.stages[0]).toMatchObject({ status: 'CACHED', cacheHit: true });
      // The cache is vfs storage too, and holds the base and prepare images the builds started from.
      const cache = join(vfs.server.config.dataDir, 'builds', 'image-cache');
      const listed = spawnSync('buildah', ['--root', join(cache, 'root'), '--runroot', join(cache, 'run'), '--storage-driver', 'vfs', 'images', '--format', '{{.Name}}'], { encoding: 'utf8' });
      expect(listed.status, listed.stderr).toBe(0);
      expect(listed.stdout.split('\n').sort()).toEqual(expect.arrayContaining([base.split(':').slice(0, -1).join(':'), expect.stringMatching(/-prepare$/)]));
      // The second build's output still holds what the cached prepare stage made (deps/list).
      const tarball = second.artifacts.find((a: any) => a.kind === 'TARBALL');
      const bytes = Buffer.from(await (await fetch(tarball.reference, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).arrayBuffer());
      const dir = mkdtempSync(join(tmpdir(), 'gantry-tarball-'));
      writeFileSync(join(dir, 'dist.tar.gz'), bytes);
      expect(spawnSync('tar', ['-xzOf', join(dir, 'dist.tar.gz'), 'out/result'], { encoding: 'utf8' }).stdout).toBe('dep-hello\nhello\n');
      rmSync(dir, { recursive: true, force: true });
    } finally {
      await vfs.close();
    }
  });
});
