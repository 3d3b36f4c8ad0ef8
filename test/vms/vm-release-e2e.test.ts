import { randomBytes } from 'node:crypto';
import { readdirSync, readlinkSync, statSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../server/logger.ts';
import { findBinary } from '../../services/metrics/managed-process.ts';
import { anAgent, bundleAgent, removeAgentDir, type AgentProcess } from '../support/agents.ts';
import { buildToolsMissing, pushBusyboxImage, startGitServer, startRegistry, type GitServer } from '../support/builds.ts';
import { eventually } from '../support/cluster.ts';
import { aProject, anEnvironment, unique } from '../support/fixtures.ts';
import { FAST_RELEASES } from '../support/releases.ts';
import { outcome, startTestServer, type TestServer } from '../support/server.ts';
import { get, getWithHeaders, sample, VM_APP_SOURCE, vmAppSpec } from '../support/vm-apps.ts';

const missing = buildToolsMissing() ?? (findBinary('haproxy') ? null : 'haproxy');
if (missing === 'haproxy' && process.env.CI === 'true') throw new Error('the VM tests need haproxy (apt-get install haproxy)');
if (missing === 'haproxy') console.warn('SKIPPED: the VM release tests need haproxy');

// VM releases end to end: a real build (git daemon → buildah → registry + tarball), three agent
// processes from the single-file bundle, the managed HAProxy in front of them.
describe.skipIf(missing)('releases to VM hosts', { timeout: 300_000 }, () => {
  let t: TestServer;
  let registry: Awaited<ReturnType<typeof startRegistry>>;
  let git: GitServer;
  let base: string;
  let bundle: string;
  let env: { id: string };
  let appId: string;
  let repo: string;
  const agents: AgentProcess[] = [];
  // Gantry's own log, at debug level: the secret test greps it.
  const logLines: string[] = [];

  const createBuild = async () => {
    const { createBuild } = await t.ok(`mutation($i: CreateBuildInput!) { createBuild(input: $i) { id } }`, { i: { appId } });
    return eventually(async () => {
      const { build } = await t.ok(`query($id: ID!) { build(id: $id) { id number status statusMessage artifacts { kind digest } } }`, { id: createBuild.id });
      return ['SUCCEEDED', 'FAILED', 'CANCELED'].includes(build.status) ? build : null;
    }, 200_000, 'the build to end', 300);
  };
  const release = (buildId: string, extra: Record<string, unknown> = {}) =>
    t.ok(`mutation($i: CreateReleaseInput!) { createRelease(input: $i) { id version target status } }`, { i: { environmentId: env.id, buildId, target: extra.steps ? 'JOINT' : 'VM', ...extra } });
  const releaseEnd = async (id: string, timeoutMs = 120_000) => {
    const read = async () => (await t.ok(`query($id: ID!) { release(id: $id) { status statusMessage target events(first: 80) { nodes { type weight message } } } }`, { id })).release;
    try {
      return await eventually(async () => {
        const release = await read();
        return ['SUCCEEDED', 'FAILED', 'ABORTED'].includes(release.status) ? release : null;
      }, timeoutMs, 'the release to end', 200);
    } catch (error) {
      // Say where it stands: which side a step waits for is in the status message.
      const release = await read();
      throw new Error(`${(error as Error).message}: ${release.status} ${release.statusMessage}; last events ${JSON.stringify(release.events.nodes.slice(-4))}`);
    }
  };

  beforeAll(async () => {
    registry = await startRegistry();
    base = pushBusyboxImage(registry.host);
    git = await startGitServer();
    bundle = await bundleAgent();
    t = await startTestServer({
      env: { ...FAST_RELEASES.env, GANTRY_REGISTRY: registry.host, GANTRY_BUILD_TICK_MS: '200', GANTRY_VM_OFFLINE_SECONDS: '10' },
      start: { ...FAST_RELEASES.start, logger: createLogger('debug', { write: (line: string) => void logLines.push(line) }) },
    });
    const project = await aProject(t);
    repo = unique('repo');
    git.push(repo, { 'server.mjs': VM_APP_SOURCE });
    const { createApp } = await t.ok(`mutation($i: CreateAppInput!) { createApp(input: $i) { id } }`, { i: { projectId: project.id, name: 'shop', language: 'NODE', repoUrl: git.url(repo) } });
    appId = createApp.id;
    await t.ok(`mutation($a: ID!, $s: String!) { setBuildSpec(appId: $a, spec: $s) { id } }`, { a: appId, s: vmAppSpec(base) });
    env = await anEnvironment(t, appId, { name: 'prod' });
    for (const name of ['vm-a', 'vm-b', 'vm-c']) {
      const { registerVmHost } = await t.ok(`mutation($e: ID!, $n: String!) { registerVmHost(environmentId: $e, name: $n) { token } }`, { e: env.id, n: name });
      agents.push(await anAgent(bundle, name, t.url, registerVmHost.token));
    }
  }, 200_000);

  afterAll(async () => {
    for (const agent of agents) {
      await agent.stop();
      removeAgentDir(agent);
    }
    await t?.close();
    await git?.stop();
    await registry?.stop();
  });

  it('should put the build on every host, one at a time, each healthy before the next, behind HAProxy', async () => {
    const build = await createBuild();
    expect(build.status, build.statusMessage).toBe('SUCCEEDED');
    const created = (await release(build.id)).createRelease;
    expect(created.target).toBe('VM');
    const done = await releaseEnd(created.id);
    expect(done.status, done.statusMessage).toBe('SUCCEEDED');
    const updated = done.events.nodes.filter((e: any) => e.type === 'VM_HOST_UPDATED').map((e: any) => e.message.split(' ')[2]);
    expect(updated).toEqual(['vm-a', 'vm-b', 'vm-c']);
    for (const agent of agents) expect((await get(agent.port)).body).toBe(`b${build.number}`);
    const { node } = await t.ok(`query($id: ID!) { node(id: $id) { ... on Environment { vmHosts { name status version healthy } trafficSplit { frontend vmWeight cloudWeight } } } }`, { id: env.id });
    expect(node.vmHosts.map((h: any) => [h.name, h.status, h.version, h.healthy])).toEqual([
      ['vm-a', 'CONNECTED', created.version, true],
      ['vm-b', 'CONNECTED', created.version, true],
      ['vm-c', 'CONNECTED', created.version, true],
    ]);
    expect(node.trafficSplit).toMatchObject({ vmWeight: 100, cloudWeight: 0 });
    const frontend = Number(node.trafficSplit.frontend.split(':')[1]);
    await eventually(async () => (await get(frontend)).body === `b${build.number}` || null, 15_000, 'HAProxy to send traffic to the VMs');
    // The agent keeps the release under releases/<version>/ with `current` pointing at it.
    expect(readdirSync(join(agents[0]!.dir, 'releases'))).toEqual([created.version]);
  });

  it('should switch every host to the next release with no failed request through HAProxy', async () => {
    const { node } = await t.ok(`query($id: ID!) { node(id: $id) { ... on Environment { trafficSplit { frontend } } } }`, { id: env.id });
    const frontend = Number(node.trafficSplit.frontend.split(':')[1]);
    git.push(repo, { 'README': 'second\n' });
    const build = await createBuild();
    expect(build.status).toBe('SUCCEEDED');
    let running = true;
    const answers: { status: number; body: string }[] = [];
    const loop = (async () => {
      while (running) answers.push(await get(frontend));
    })();
    const created = (await release(build.id)).createRelease;
    const done = await releaseEnd(created.id);
    await eventually(async () => answers.at(-1)?.body === `b${build.number}` || null, 10_000, 'the new version through HAProxy');
    running = false;
    await loop;
    expect(done.status, done.statusMessage).toBe('SUCCEEDED');
    expect(answers.length).toBeGreaterThan(20);
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    expect(new Set(answers.map((a) => a.body))).toEqual(new Set([`b${build.number - 1}`, `b${build.number}`]));
    // Two releases kept for an instant switch back.
    expect(readdirSync(join(agents[0]!.dir, 'releases')).sort()).toHaveLength(2);
  });

  it("should start the app with the release's config revision, secrets and files included, and never log a secret", async () => {
    const secret = `sk-${randomBytes(16).toString('hex')}`;
    await t.ok(`mutation($i: UpdateConfigInput!) { updateConfig(input: $i) { number } }`, { i: { environmentId: env.id, set: [{ name: 'SHOP_MODE', value: 'vm' }], files: [{ path: 'app/settings.json', content: '{"pool":"vm"}' }] } });
    await t.ok(`mutation($i: SetSecretInput!) { setSecret(input: $i) { name } }`, { i: { environmentId: env.id, name: 'SHOP_API_KEY', value: secret } });
    const { app } = await t.ok(`query($a: ID!) { app: node(id: $a) { ... on App { builds(first: 1) { nodes { id number } } } } }`, { a: appId });
    const done = await releaseEnd((await release(app.builds.nodes[0].id)).createRelease.id);
    expect(done.status, done.statusMessage).toBe('SUCCEEDED');
    for (const agent of agents) {
      expect(JSON.parse((await get(agent.port, '/config')).body)).toEqual({ secret, mode: 'vm', file: '{"pool":"vm"}' });
      // Kept beside the release for a restart: the agent's user only.
      const current = readlinkSync(join(agent.dir, 'current'));
      expect(statSync(join(agent.dir, current, '.gantry-run.json')).mode & 0o777).toBe(0o600);
      expect(agent.output.filter((line) => line.includes(secret))).toEqual([]);
    }
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.filter((line) => line.includes(secret))).toEqual([]);
  });

  it('should refuse a tarball whose digest does not match, fail the release naming the host, and switch nothing', async () => {
    const build = await createBuild();
    expect(build.status).toBe('SUCCEEDED');
    // The stored bytes change after the build recorded its digest (a corrupted disk, a tampered store).
    const uuid = Buffer.from(build.id, 'base64url').toString().split(':')[1]!;
    await t.server.database.db.execute(sql`update build_artifact_chunks set data = convert_to('not the tarball that was built', 'UTF8') where build_id = ${uuid} and chunk = 0`);
    const before = (await get(agents[0]!.port)).body;
    const done = await releaseEnd((await release(build.id)).createRelease.id);
    expect(done.status).toBe('FAILED');
    // Gantry checks the digest while it streams and cuts the transfer short; the agent's own check
    // (test/agent/releases.test.ts) would refuse it whole.
    expect(done.statusMessage).toMatch(/^VM host vm-a failed: could not download/);
    for (const agent of agents) expect((await get(agent.port)).body).toBe(before);
  });

  it('should resume after an agent is killed mid-deploy', async () => {
    git.push(repo, { 'README': 'fourth\n' });
    const build = await createBuild();
    const created = (await release(build.id)).createRelease;
    // Killed while the rollout is on its way (at vm-a or vm-b), started again a moment later.
    await agents[1]!.kill();
    await new Promise((r) => setTimeout(r, 1_000));
    agents[1]!.start();
    const done = await releaseEnd(created.id);
    expect(done.status, done.statusMessage).toBe('SUCCEEDED');
    for (const agent of agents) expect((await get(agent.port)).body).toBe(`b${build.number}`);
  });

  it('should roll the VM hosts back to the build they ran before, from the kept release directory, with no failed request', async () => {
    const frontend = await frontendPort();
    const before = (await get(agents[0]!.port)).body;
    let running = true;
    const answers: { status: number; body: string }[] = [];
    const loop = (async () => {
      while (running) answers.push(await get(frontend));
    })();
    // No toReleaseId: the VMs changed last, so the VM release before with another build (the config test's).
    const { rollbackEnvironment } = await t.ok(`mutation($e: ID!) { rollbackEnvironment(environmentId: $e) { id version target isRollback } }`, { e: env.id });
    expect(rollbackEnvironment).toMatchObject({ target: 'VM', isRollback: true });
    const done = await releaseEnd(rollbackEnvironment.id);
    running = false;
    await loop;
    expect(done.status, done.statusMessage).toBe('SUCCEEDED');
    const back = (await get(agents[0]!.port)).body;
    expect(back).not.toBe(before);
    for (const agent of agents) {
      expect((await get(agent.port)).body).toBe(back);
      expect(agent.output.some((line) => line.includes(`${rollbackEnvironment.version} is the tarball of kept`)), agent.output.slice(-5).join('\n')).toBe(true);
      expect(agent.output.some((line) => line.includes(`downloading ${rollbackEnvironment.version}`))).toBe(false);
      expect(JSON.parse((await get(agent.port, '/config')).body).mode).toBe('vm');
    }
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    expect(new Set(answers.map((a) => a.body))).toEqual(new Set([before, back]));
  });

  it('should fail the release naming a host that stays OFFLINE past the deadline', async () => {
    await agents[2]!.stop();
    const { build } = await t.ok(`query($a: ID!) { node(id: $a) { ... on App { builds(first: 1) { nodes { id } } } } }`, { a: appId }).then((d) => ({ build: d.node.builds.nodes[0] }));
    const done = await releaseEnd((await release(build.id, { progressDeadlineSeconds: 15 })).createRelease.id);
    expect(done.status).toBe('FAILED');
    expect(done.statusMessage).toBe('VM host vm-c did not run the release healthy within 15s (it is OFFLINE)');
    agents[2]!.start();
  });

  it('should refuse a VM or JOINT release without a build', async () => {
    for (const target of ['VM', 'JOINT']) {
      const res = await t.gql(`mutation($i: CreateReleaseInput!) { createRelease(input: $i) { id } }`, { i: { environmentId: env.id, image: 'registry.local/shop:1', target } });
      expect(outcome(res)).toBe('BAD_USER_INPUT');
    }
  });

  const progress = (id: string) =>
    t.ok(`query($id: ID!) { release(id: $id) { status statusMessage currentStepIndex steps { status } events(first: 80) { nodes { type weight message } } } }`, { id }).then((d) => d.release);
  const frontendPort = async () => Number((await t.ok(`query($id: ID!) { node(id: $id) { ... on Environment { trafficSplit { frontend } } } }`, { id: env.id })).node.trafficSplit.frontend.split(':')[1]);
  const splitNow = async () => (await t.ok(`query($id: ID!) { node(id: $id) { ... on Environment { trafficSplit { vmWeight cloudWeight appliedAt } } } }`, { id: env.id })).node.trafficSplit;

  it('should move traffic from the VMs to the cloud step by step, each split within 5 points, with no failed request', async () => {
    const { app } = await t.ok(`query($a: ID!) { app: node(id: $a) { ... on App { builds(first: 1) { nodes { id } } } } }`, { a: appId });
    const frontend = await frontendPort();
    let running = true;
    // Paused while a sample is counted: two interleaved clients would split HAProxy's exact round robin between them.
    let sampling = false;
    const background = { failed: 0, total: 0 };
    const loop = (async () => {
      while (running) {
        if (sampling) {
          await new Promise((r) => setTimeout(r, 20));
          continue;
        }
        const answer = await getWithHeaders(frontend);
        background.total += 1;
        if (answer.status !== 200) background.failed += 1;
      }
    })();
    const created = (await release(app.builds.nodes[0].id, { steps: [{ weight: 10, untilPromoted: true }, { weight: 50, untilPromoted: true }, { weight: 100 }], progressDeadlineSeconds: 120 })).createRelease;
    expect(created.target).toBe('JOINT');
    // Step 0: VMs updated one by one, the cluster rolled out, then 10% to the cloud, held for promotion.
    await eventually(async () => ((await progress(created.id)).status === 'PAUSED' ? true : null), 120_000, 'the gate of step 0', 300);
    sampling = true;
    const atTen = await sample(frontend, 100);
    sampling = false;
    expect(atTen.failed).toBe(0);
    expect(Math.abs(atTen.cloud - 10), JSON.stringify({ ...atTen, versions: [...atTen.versions] })).toBeLessThanOrEqual(5);
    expect(await splitNow()).toMatchObject({ vmWeight: 90, cloudWeight: 10 });
    await t.ok(`mutation($id: ID!) { promoteRelease(id: $id, expectedStepIndex: 0) { id } }`, { id: created.id });
    // Held for promotion (a timed pause could end while the sample is counted on a loaded machine).
    await eventually(async () => ((await progress(created.id)).events.nodes.filter((e: any) => e.type === 'WEIGHT_APPLIED').length === 2 ? true : null), 30_000, 'step 1 applied', 200);
    sampling = true;
    const atFifty = await sample(frontend, 100);
    sampling = false;
    expect(atFifty.failed).toBe(0);
    expect(Math.abs(atFifty.cloud - 50), JSON.stringify({ ...atFifty, versions: [...atFifty.versions] })).toBeLessThanOrEqual(5);
    await t.ok(`mutation($id: ID!) { promoteRelease(id: $id, expectedStepIndex: 1) { id } }`, { id: created.id });
    const done = await releaseEnd(created.id, 200_000);
    expect(done.status, done.statusMessage).toBe('SUCCEEDED');
    sampling = true;
    const atHundred = await sample(frontend, 50);
    expect(atHundred).toMatchObject({ cloud: 50, vm: 0, failed: 0 });
    expect([...atHundred.versions]).toEqual([created.version]);
    running = false;
    await loop;
    expect(background.total).toBeGreaterThan(50);
    expect(background.failed).toBe(0);
    const applied = done.events.nodes.filter((e: any) => e.type === 'WEIGHT_APPLIED');
    expect(applied.map((e: any) => e.weight)).toEqual([10, 50, 100]);
    expect(applied[0].message).toContain('reads back 90% VMs / 10% cloud');
  });

  it('should put the split back at once when a joint release is aborted', async () => {
    const { app } = await t.ok(`query($a: ID!) { app: node(id: $a) { ... on App { builds(first: 1) { nodes { id } } } } }`, { a: appId });
    const before = (await splitNow()).cloudWeight;
    expect(before).not.toBe(30);
    const created = (await release(app.builds.nodes[0].id, { steps: [{ weight: 30, untilPromoted: true }, { weight: 100 }], progressDeadlineSeconds: 120, supersede: true })).createRelease;
    await eventually(async () => ((await progress(created.id)).status === 'PAUSED' ? true : null), 120_000, 'the gate at 30%', 300);
    expect(await splitNow()).toMatchObject({ cloudWeight: 30 });
    const started = Date.now();
    await t.ok(`mutation($id: ID!) { abortRelease(id: $id, reason: "test") { status } }`, { id: created.id });
    await eventually(async () => ((await splitNow()).cloudWeight === before ? true : null), 10_000, 'the split back where it was', 50);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect((await progress(created.id)).status).toBe('ABORTED');
  });

  it('should roll back to a joint release on both sides, the cloud straight to 100% with no pause', async () => {
    const { node } = await t.ok(`query($id: ID!) { node(id: $id) { ... on Environment { releases(first: 20) { nodes { id target status } } } } }`, { id: env.id });
    const joint = node.releases.nodes.find((r: any) => r.target === 'JOINT' && r.status === 'SUCCEEDED');
    const { rollbackEnvironment } = await t.ok(`mutation($e: ID!, $to: ID) { rollbackEnvironment(environmentId: $e, toReleaseId: $to) { id version target isRollback } }`, { e: env.id, to: joint.id });
    expect(rollbackEnvironment).toMatchObject({ target: 'JOINT', isRollback: true });
    const done = await releaseEnd(rollbackEnvironment.id);
    expect(done.status, done.statusMessage).toBe('SUCCEEDED');
    const types = done.events.nodes.map((e: any) => e.type);
    expect(types.filter((type: string) => type === 'VM_HOST_UPDATED')).toHaveLength(3);
    expect(types).toContain('PODS_READY');
    expect(types).not.toContain('PAUSED');
    expect(done.events.nodes.filter((e: any) => e.type === 'WEIGHT_APPLIED').map((e: any) => e.weight)).toEqual([100]);
    expect(await splitNow()).toMatchObject({ vmWeight: 0, cloudWeight: 100 });
    for (const agent of agents) expect(agent.output.some((line) => line.includes(`${rollbackEnvironment.version} is the tarball of kept`))).toBe(true);
  });

  it('should wait for an unreachable HAProxy, then fail the step at the deadline', async () => {
    const { app } = await t.ok(`query($a: ID!) { app: node(id: $a) { ... on App { builds(first: 1) { nodes { id } } } } }`, { a: appId });
    const created = (await release(app.builds.nodes[0].id, { steps: [{ weight: 60 }, { weight: 100 }], progressDeadlineSeconds: 40, supersede: true })).createRelease;
    // Stopped while the last VM host updates: before any step could reach the load balancer.
    await eventually(async () => ((await progress(created.id)).statusMessage?.includes('updating VM host vm-c') ? true : null), 120_000, 'the last VM host updating', 100);
    // The managed HAProxy stops (its process really ends); nothing restarts it in this process.
    await t.server.vms.balancer.stop();
    const done = await releaseEnd(created.id);
    expect(done.status).toBe('FAILED');
    expect(done.statusMessage).toMatch(/load balancer did not apply step 0 \(60% cloud\)|not ready/);
    expect(done.events.nodes.some((e: any) => e.type === 'WEIGHT_APPLIED' && e.weight === 60)).toBe(false);
  });
});
