import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturingLogger } from '../support/log-lines.ts';
import { addMember, aProject, anEnvironment, aUser, unique } from '../support/fixtures.ts';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../support/server.ts';
import { eventually } from '../support/cluster.ts';
import { startGitServer } from '../support/builds.ts';
import { spawnSync } from 'node:child_process';
import { count, eq } from 'drizzle-orm';
import { buildEvents, builds, logLines, logStreams } from '../../db/schema/index.ts';

const SPEC = `variables: { BASE: "registry.local/base/busybox:1" }
prepare: { version: "1", image: "\${BASE}", commands: ["mkdir -p deps"], paths: [deps] }
build: { commands: ["mkdir -p out"] }
artifacts:
  - { kind: tarball, name: dist, paths: [out] }
`;

// The builds API without running builds: specs, templates, roles, input checks, the webhook's
// refusals, audit and secrecy. Builds here fail at once (their repository is unreachable);
// real builds run in test/builds/builds-e2e.test.ts.
describe('the builds API', () => {
  let t: TestServer;
  const { logger, lines } = capturingLogger();

  beforeAll(async () => {
    // Nothing listens on port 1: a build fails at its clone, quickly, without a registry.
    t = await startTestServer({ env: { GANTRY_REGISTRY: '127.0.0.1:1', GANTRY_BUILD_TICK_MS: '100' }, start: { logger } });
  });
  afterAll(() => t?.close());

  async function anApp(repoUrl: string | null = 'git://127.0.0.1:1/none.git', language = 'GO') {
    const project = await aProject(t);
    const { createApp } = await t.ok(`mutation($i: CreateAppInput!) { createApp(input: $i) { id name } }`, {
      i: { projectId: project.id, name: unique('app'), language, ...(repoUrl ? { repoUrl } : {}) },
    });
    return { project, app: createApp as { id: string; name: string } };
  }

  const errorOf = (res: { errors?: { extensions?: Record<string, any> }[] }) => res.errors?.[0]?.extensions ?? null;

  it('should list one template per language and answer the language template as the spec until one is set', async () => {
    const { buildTemplates } = await t.ok(`{ buildTemplates { language spec variables { name description default } } }`);
    expect(buildTemplates.map((x: any) => x.language).sort()).toEqual(['GO', 'JAVA', 'NODE', 'OTHER', 'PHP', 'PYTHON']);
    const java = buildTemplates.find((x: any) => x.language === 'JAVA');
    expect(java.spec).toContain('mvn');
    expect(java.variables.map((v: any) => v.name)).toEqual(['BUILDER_IMAGE', 'BASE_IMAGE']);
    const { app } = await anApp(null, 'JAVA');
    const read = async () => (await t.ok(`query($id: ID!) { node(id: $id) { ... on App { buildSpec webhookUrl } } }`, { id: app.id })).node;
    expect((await read()).buildSpec).toBe(java.spec);
    expect((await read()).webhookUrl).toBe(`${new URL(t.url).origin}/hooks/gitlab/${app.id}`);
    await t.ok(`mutation($a: ID!, $s: String!) { setBuildSpec(appId: $a, spec: $s) { id } }`, { a: app.id, s: SPEC });
    expect((await read()).buildSpec).toBe(SPEC);
  });

  it('should refuse a bad spec with BAD_USER_INPUT pointing at its line and column, keeping the old one', async () => {
    const { app } = await anApp();
    await t.ok(`mutation($a: ID!, $s: String!) { setBuildSpec(appId: $a, spec: $s) { id } }`, { a: app.id, s: SPEC });
    const res = await t.gql(`mutation($a: ID!, $s: String!) { setBuildSpec(appId: $a, spec: $s) { id } }`, { a: app.id, s: `${SPEC}cache: true\n` });
    expect(errorOf(res)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'spec', line: 6, column: 1 });
    expect(res.errors![0]!.message).toContain('unknown key "cache"');
    const yaml = await t.gql(`mutation($a: ID!, $s: String!) { setBuildSpec(appId: $a, spec: $s) { id } }`, { a: app.id, s: 'build: [' });
    expect(errorOf(yaml)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'spec', line: 1 });
    const { node } = await t.ok(`query($id: ID!) { node(id: $id) { ... on App { buildSpec } } }`, { id: app.id });
    expect(node.buildSpec).toBe(SPEC);
  });

  it('should let DEVELOPER and above build and set the spec, VIEWER only read, and non-members see nothing', async () => {
    const { project, app } = await anApp();
    const users: Record<string, string> = {};
    for (const role of ['VIEWER', 'DEVELOPER']) {
      const u = await aUser(t);
      await addMember(t, project.id, u.login, role);
      users[role] = u.token;
    }
    const outsider = (await aUser(t)).token;
    const set = (token: string) => t.gql(`mutation($a: ID!, $s: String!) { setBuildSpec(appId: $a, spec: $s) { id } }`, { a: app.id, s: SPEC }, token);
    const build = (token: string) => t.gql(`mutation($i: CreateBuildInput!) { createBuild(input: $i) { id status trigger createdBy { login } } }`, { i: { appId: app.id } }, token);
    const rotate = (token: string) => t.gql(`mutation($a: ID!) { rotateWebhookSecret(appId: $a) }`, { a: app.id }, token);
    expect(errorOf(await set(users.VIEWER!))?.code).toBe('FORBIDDEN');
    expect(errorOf(await build(users.VIEWER!))?.code).toBe('FORBIDDEN');
    expect(errorOf(await rotate(users.VIEWER!))?.code).toBe('FORBIDDEN');
    expect(errorOf(await set(outsider))?.code).toBe('NOT_FOUND');
    expect(errorOf(await build(outsider))?.code).toBe('NOT_FOUND');
    expect(errorOf(await set(users.DEVELOPER!))).toBeNull();
    const created = await build(users.DEVELOPER!);
    expect(created.data?.createBuild).toMatchObject({ status: 'QUEUED', trigger: 'MANUAL' });
    const id = created.data!.createBuild.id;
    const read = (token: string) => t.gql(`query($id: ID!) { build(id: $id) { number app { id } } }`, { id }, token);
    expect((await read(users.VIEWER!)).data?.build).toEqual({ number: 1, app: { id: app.id } });
    expect(errorOf(await read(outsider))?.code).toBe('NOT_FOUND');
    expect(errorOf(await t.gql(`mutation($id: ID!) { cancelBuild(id: $id) { id } }`, { id }, users.VIEWER!))?.code).toBe('FORBIDDEN');
    const secret = (await rotate(users.DEVELOPER!)).data!.rotateWebhookSecret as string;
    expect(secret).toMatch(/^whs_/);

    // Every mutation is audited; the secret is in no audit row, no answer and no log line.
    const { node } = await t.ok(`query($id: ID!) { node(id: $id) { ... on Project { auditLog(first: 50) { nodes { action details } } } } }`, { id: project.id });
    const actions = node.auditLog.nodes.map((n: any) => n.action);
    expect(actions).toEqual(expect.arrayContaining(['build.setSpec', 'build.create', 'build.rotateWebhookSecret']));
    expect(JSON.stringify(node)).not.toContain(secret);
    expect(JSON.stringify(lines)).not.toContain(secret);
    const { node: appNode } = await t.ok(`query($id: ID!) { node(id: $id) { ... on App { webhookUrl buildSpec } } }`, { id: app.id });
    expect(JSON.stringify(appNode)).not.toContain(secret);

    // The build fails at its clone, clearly, and is never left running.
    const failed = await eventually(async () => {
      const b = (await read(ADMIN_TOKEN)).data?.build && (await t.ok(`query($id: ID!) { build(id: $id) { status statusMessage stages { status } } }`, { id })).build;
      return b?.status === 'FAILED' ? b : null;
    }, 20_000, 'the build to fail');
    expect(failed.statusMessage).toContain('git clone failed');
    expect(failed.stages.map((s: any) => s.status)).toEqual(['SKIPPED', 'SKIPPED', 'SKIPPED']);
  });

  it('should refuse a spec variable named like a system one with BAD_USER_INPUT at its line and column', async () => {
    const { app } = await anApp();
    for (const [name, line] of [['PATH', 3], ['HOME', 3], ['LD_PRELOAD', 3], ['GANTRY_SECRET', 3], ['http_proxy', 3]] as const) {
      const spec = `prepare: { image: x }\nvariables:\n  ${name}: /opt/evil\nbuild: {}\n`;
      const res = await t.gql(`mutation($a: ID!, $s: String!) { setBuildSpec(appId: $a, spec: $s) { id } }`, { a: app.id, s: spec });
      expect(errorOf(res), name).toMatchObject({ code: 'BAD_USER_INPUT', field: 'spec', line, column: expect.any(Number) });
      expect(res.errors?.[0]?.message).toContain(`variables: ${name} cannot be defined`);
    }
    // Names that merely resemble them are the user's.
    await t.ok(`mutation($a: ID!, $s: String!) { setBuildSpec(appId: $a, spec: $s) { id } }`, { a: app.id, s: 'prepare: { image: x }\nvariables: { MY_PATH: a, HOMEPAGE: b, NODE_ENV: c }\nbuild: {}\n' });
  });

  it('should refuse bad refs, unknown variables and repositories builds may not clone', async () => {
    const { app } = await anApp();
    await t.ok(`mutation($a: ID!, $s: String!) { setBuildSpec(appId: $a, spec: $s) { id } }`, { a: app.id, s: SPEC });
    const create = (input: Record<string, unknown>) => t.gql(`mutation($i: CreateBuildInput!) { createBuild(input: $i) { id } }`, { i: { appId: app.id, ...input } });
    expect(errorOf(await create({ ref: '--upload-pack=touch /tmp/x' }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.ref' });
    expect(errorOf(await create({ ref: 'a..b' }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.ref' });
    expect(errorOf(await create({ variables: { NOT_DECLARED: 'x' } }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.variables.NOT_DECLARED' });
    // A system variable is refused as such, before the spec is consulted (a spec stored before the rule may declare it).
    for (const name of ['PATH', 'HOME', 'LD_PRELOAD', 'GANTRY_COMMIT', 'GIT_SSH_COMMAND']) {
      const res = await create({ variables: { [name]: '/tmp/x' } });
      expect(errorOf(res)).toMatchObject({ code: 'BAD_USER_INPUT', field: `input.variables.${name}` });
      expect(res.errors?.[0]?.message).not.toContain('/tmp/x');
    }
    expect(errorOf(await create({ variables: { BASE: 'a\nRUN evil' } }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.variables.BASE' });
    expect(errorOf(await create({ variables: ['x'] }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.variables' });
    const { app: noRepo } = await anApp(null);
    const none = await t.gql(`mutation($i: CreateBuildInput!) { createBuild(input: $i) { id } }`, { i: { appId: noRepo.id } });
    expect(errorOf(none)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'app.repoUrl' });
    const { app: plainHttp } = await anApp('http://git.example.com/a.git');
    expect(errorOf(await t.gql(`mutation($i: CreateBuildInput!) { createBuild(input: $i) { id } }`, { i: { appId: plainHttp.id } }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'app.repoUrl' });
    const { node } = await t.ok(`query($id: ID!) { node(id: $id) { ... on App { builds { totalCount } } } }`, { id: app.id });
    expect(node.builds.totalCount).toBe(0);
  });

  it('should release either an image or a build, and only a build of the same app that SUCCEEDED', async () => {
    const { app } = await anApp();
    const env = await anEnvironment(t, app.id, { name: 'dev', replicas: 1 });
    const release = (input: Record<string, unknown>) => t.gql(`mutation($i: CreateReleaseInput!) { createRelease(input: $i) { id } }`, { i: { environmentId: env.id, ...input } });
    expect(errorOf(await release({}))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.image' });
    const { createBuild } = await t.ok(`mutation($i: CreateBuildInput!) { createBuild(input: $i) { id } }`, { i: { appId: app.id } });
    expect(errorOf(await release({ image: 'nginx:1', buildId: createBuild.id }))).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(errorOf(await release({ buildId: createBuild.id }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.buildId' });
    const { app: other } = await anApp();
    const otherBuild = (await t.ok(`mutation($i: CreateBuildInput!) { createBuild(input: $i) { id } }`, { i: { appId: other.id } })).createBuild;
    expect(errorOf(await release({ buildId: otherBuild.id }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.buildId' });
    expect(errorOf(await release({ buildId: app.id }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.buildId' });
  });

  it('should refuse webhook deliveries without the secret, and start nothing for what is not a push', async () => {
    const { app } = await anApp();
    const { rotateWebhookSecret: secret } = await t.ok(`mutation($a: ID!) { rotateWebhookSecret(appId: $a) }`, { a: app.id });
    const url = `${new URL(t.url).origin}/hooks/gitlab/${app.id}`;
    const post = (headers: Record<string, string>, body: string) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const push = JSON.stringify({ object_kind: 'push', ref: 'refs/heads/main', checkout_sha: 'a'.repeat(40), project: { default_branch: 'main' } });
    expect((await post({}, push)).status).toBe(401);
    expect((await post({ 'x-gitlab-token': `${secret}x` }, push)).status).toBe(401);
    expect((await fetch(`${new URL(t.url).origin}/hooks/gitlab/nonsense`, { method: 'POST', headers: { 'x-gitlab-token': secret }, body: push })).status).toBe(401);
    expect((await post({ 'x-gitlab-token': secret }, '{not json')).status).toBe(400);
    expect((await fetch(url)).status).toBe(405);
    const tagPush = await post({ 'x-gitlab-token': secret }, JSON.stringify({ object_kind: 'push', ref: 'refs/tags/v1', checkout_sha: 'a'.repeat(40) }));
    expect(tagPush.status).toBe(202);
    const mr = await post({ 'x-gitlab-token': secret }, JSON.stringify({ object_kind: 'merge_request' }));
    expect(mr.status).toBe(202);
    const body = await (await post({ 'x-gitlab-token': secret }, push)).json();
    expect(body).toMatchObject({ started: true, number: 1 });
    expect(JSON.stringify(lines)).not.toContain(secret);
    const { node } = await t.ok(`query($id: ID!) { node(id: $id) { ... on App { builds { nodes { trigger ref createdBy { login } } } } } }`, { id: app.id });
    expect(node.builds.nodes).toEqual([{ trigger: 'PUSH', ref: 'main', createdBy: null }]);
  });

  it('should fail a build clearly when the image registry cannot be reached', async (ctx) => {
    if (spawnSync('git', ['--version']).status !== 0) {
      if (process.env.CI === 'true') throw new Error('git is missing');
      console.warn('SKIPPED: this test needs git');
      return ctx.skip();
    }
    const git = await startGitServer();
    try {
      git.push('reg-down', { 'main.txt': 'x\n' });
      const { app } = await anApp(git.url('reg-down'));
      await t.ok(`mutation($a: ID!, $s: String!) { setBuildSpec(appId: $a, spec: $s) { id } }`, { a: app.id, s: SPEC });
      const { createBuild } = await t.ok(`mutation($i: CreateBuildInput!) { createBuild(input: $i) { id } }`, { i: { appId: app.id } });
      const failed = await eventually(async () => {
        const { build } = await t.ok(`query($id: ID!) { build(id: $id) { status statusMessage commit stages { status } } }`, { id: createBuild.id });
        return build.status === 'FAILED' ? build : null;
      }, 20_000, 'the build to fail');
      expect(failed.statusMessage).toContain('the image registry 127.0.0.1:1 cannot be reached');
      expect(failed.commit).toMatch(/^[0-9a-f]{40}$/);
      expect(failed.stages.map((s: any) => s.status)).toEqual(['FAILED', 'SKIPPED', 'SKIPPED']);
    } finally {
      await git.stop();
    }
  });

  it('should serve tarballs only to callers who may read the build', async () => {
    const { app } = await anApp();
    const { createBuild } = await t.ok(`mutation($i: CreateBuildInput!) { createBuild(input: $i) { id } }`, { i: { appId: app.id } });
    const url = `${new URL(t.url).origin}/artifacts/${createBuild.id}/dist.tar.gz`;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: `Bearer ${(await aUser(t)).token}` } })).status).toBe(404);
    expect((await fetch(url, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status).toBe(404);
    expect((await fetch(`${new URL(t.url).origin}/artifacts/${createBuild.id}/..%2F..%2Fetc.tar.gz`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status).toBe(404);
  });

  it("should delete an app's builds with their log streams and events when the app is deleted", async () => {
    const { app } = await anApp();
    const { createBuild } = await t.ok(`mutation($i: CreateBuildInput!) { createBuild(input: $i) { id } }`, { i: { appId: app.id } });
    const buildId = Buffer.from(createBuild.id, 'base64url').toString('utf8').split(':')[1]!;
    const stream = `build:${buildId}`;
    const sql = t.server.database.db;
    // The clone fails at once, and says so in the build's log.
    await eventually(async () => (await t.ok(`query($id: ID!) { build(id: $id) { status log { totalCount } } }`, { id: createBuild.id })).build.log.totalCount > 0 || null, 20_000, 'build log lines');
    await eventually(async () => (await t.ok(`query($id: ID!) { build(id: $id) { status } }`, { id: createBuild.id })).build.status === 'FAILED' || null, 20_000, 'the build to fail');
    const tables = {
      log_lines: () => sql.select({ n: count() }).from(logLines).where(eq(logLines.stream, stream)),
      log_streams: () => sql.select({ n: count() }).from(logStreams).where(eq(logStreams.stream, stream)),
      build_events: () => sql.select({ n: count() }).from(buildEvents).where(eq(buildEvents.buildId, buildId)),
      builds: () => sql.select({ n: count() }).from(builds).where(eq(builds.id, buildId)),
    };
    const rows = async (table: keyof typeof tables) => (await tables[table]())[0]!.n;
    for (const table of Object.keys(tables) as (keyof typeof tables)[]) expect(await rows(table), table).toBeGreaterThan(0);
    await t.ok(`mutation($id: ID!) { deleteApp(id: $id) }`, { id: app.id });
    for (const table of Object.keys(tables) as (keyof typeof tables)[]) expect(await rows(table), table).toBe(0);
  });
});
