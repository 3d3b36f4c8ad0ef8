import { beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/cluster.ts';
import { aProject, anApp, anEnvironment } from '../support/fixtures.ts';
import {
  aReleaseEnvironment,
  aSucceededRelease,
  atGate,
  auditLog,
  clusterCanaryWeight,
  clusterRoute,
  clusterRouteIs,
  clusterWeightIs,
  collectProgress,
  command,
  createRelease,
  errorOf,
  eventLog,
  withReleaseServer,
  releaseOf,
  releaseUntil,
  tryCommand,
  watchTraffic,
  type ReleaseEnv,
} from '../support/releases.ts';
import type { TestServer } from '../support/server.ts';

// Environments are independent, so their tests run side by side; within one, in order.
describe.concurrent('canary flow release', { timeout: 90_000 }, () => {
  let t: TestServer;
  withReleaseServer((server) => (t = server));

  describe.sequential('through both gates of a protected environment with 4 replicas', () => {
    let env: { id: string; namespace: string };

    beforeAll(async () => {
      const project = await aProject(t);
      const app = await anApp(t, project.id, 'shop');
      env = await anEnvironment(t, app.id, { name: 'prod', replicas: 4, protected: true });
    });

    it('should take the first release of an environment straight to 100%', async () => {
      const first = await createRelease(t, { environmentId: env.id, image: 'registry.local/shop:1.0' });
      expect(first.strategy).toBe('CANARY');
      const done = await releaseUntil(t, first.id, (r) => r.status === 'SUCCEEDED', 'first release SUCCEEDED');
      expect(done.steps.map((s: any) => s.weight)).toEqual([100]);
      await clusterRouteIs(t, { ...env, app: 'shop', router: 'ISTIO' }, { stableWeight: 100, canaryWeight: 0, stableVersion: 'r1' });
    });

    it('should shift 10% with 4 replicas only once all canary pods are ready, wait at each gate, and finish at 100%', async () => {
      const release = await createRelease(t, { environmentId: env.id, image: 'registry.local/shop:2.0' });
      const progress = collectProgress(t.ws(), release.id);
      expect(release.steps.map((s: any) => [s.weight, s.untilPromoted])).toEqual([[10, true], [50, true], [100, false]]);
      const atTen = await releaseUntil(t, release.id, (r) => r.status === 'PAUSED' && r.currentStepIndex === 0, 'paused at 10%');
      expect(atTen.appliedWeight).toBe(10);
      expect(await clusterCanaryWeight(t, env.namespace, 'shop')).toBe(10);
      expect(await clusterRoute(t, { ...env, app: 'shop', router: 'ISTIO' })).toEqual({ stableWeight: 90, canaryWeight: 10, stableVersion: 'r1', canaryVersion: 'r2' });
      await t.ok('mutation($id: ID!) { promoteRelease(id: $id, expectedStepIndex: 0) { id } }', { id: release.id });
      await releaseUntil(t, release.id, (r) => r.status === 'PAUSED' && r.currentStepIndex === 1 && r.appliedWeight === 50, 'paused at 50%');
      expect(await clusterCanaryWeight(t, env.namespace, 'shop')).toBe(50);
      await t.ok('mutation($id: ID!) { promoteRelease(id: $id) { id } }', { id: release.id });
      const done = await releaseUntil(t, release.id, (r) => r.status === 'SUCCEEDED', 'SUCCEEDED');
      expect(done.finishedAt).toBeTruthy();
      await progress.done;
      const types = progress.events.map((e) => e.type);
      expect(types[0]).toBe('CREATED');
      expect(types.at(-1)).toBe('SUCCEEDED');
      expect(progress.events.map((e) => e.sequence)).toEqual(progress.events.map((_, i) => i + 1));
      const applied = progress.events.filter((e) => e.type === 'WEIGHT_APPLIED').map((e) => e.weight);
      expect(applied).toEqual([10, 50, 100]);
      const log = await eventLog(t, release.id);
      expect(log.map((e) => e.type)).toEqual(types);
      // Release.events is exactly what the subscription delivered, field for field.
      const fields = (e: any) => ({ cursor: e.cursor, sequence: e.sequence, type: e.type, weight: e.weight, stepIndex: e.stepIndex });
      expect(log.map(fields)).toEqual(progress.events.map(fields));
      expect(types.filter((type) => type === 'PAUSED')).toHaveLength(2);
      expect(types.filter((type) => type === 'PROMOTED')).toHaveLength(2);
      expect(done.steps.map((s: any) => s.status)).toEqual(['DONE', 'DONE', 'DONE']);
      const current = await t.ok('query($id: ID!) { node(id: $id) { ... on Environment { currentRelease { id } activeRelease { id } workload { versions { version trafficWeight } } } } }', { id: env.id });
      expect(current.node.currentRelease.id).toBe(release.id);
      expect(current.node.activeRelease).toBeNull();
      await clusterRouteIs(t, { ...env, app: 'shop', router: 'ISTIO' }, { stableWeight: 100, canaryWeight: 0, stableVersion: 'r2' });
      await eventually(async () => {
        const d = await t.ok('query($id: ID!) { node(id: $id) { ... on Environment { workload { versions { version trafficWeight } } } } }', { id: env.id });
        return d.node.workload.versions.find((v: any) => v.version === 'r2')?.trafficWeight === 100;
      }, 10_000, 'new version serving 100%');
    });
  });

  it.concurrent('should deliver every event exactly once to a subscriber that reconnects mid-release with the cursor it last saw', async ({ expect }) => {
    const other = await aReleaseEnvironment(t, 'cart', { name: 'prod', replicas: 2, protected: true });
    await aSucceededRelease(t, other, { image: 'registry.local/cart:1.0' });
    const release = await createRelease(t, { environmentId: other.id, image: 'registry.local/cart:2.0' });

    // First connection: until the first gate, then the socket goes away.
    const firstClient = t.ws();
    const first = collectProgress(firstClient, release.id);
    await eventually(() => first.events.some((e) => e.type === 'PAUSED'), 20_000, 'first subscriber saw the first gate');
    first.stop();
    await firstClient.dispose();
    const cursor = first.events.at(-1).cursor;

    // Events happen while nobody listens.
    await command(t, 'promoteRelease', { id: release.id, expectedStepIndex: 0 });
    await atGate(t, release.id, 1);
    expect(await clusterCanaryWeight(t, other.namespace, 'cart')).toBe(50);

    // Second connection resumes after the cursor, and the release finishes while it listens.
    const second = collectProgress(t.ws(), release.id, cursor);
    await eventually(() => second.events.some((e) => e.type === 'PAUSED'), 10_000, 'second subscriber caught up');
    await command(t, 'promoteRelease', { id: release.id, expectedStepIndex: 1 });
    await second.done;

    const seen = [...first.events, ...second.events];
    expect(seen.map((e) => e.sequence)).toEqual(seen.map((_, i) => i + 1));
    expect(second.events[0].sequence).toBe(first.events.at(-1).sequence + 1);
    expect(seen.at(-1).type).toBe('SUCCEEDED');
    const log = await eventLog(t, release.id);
    expect(log.map((e) => [e.sequence, e.type, e.cursor])).toEqual(seen.map((e) => [e.sequence, e.type, e.cursor]));
    await clusterRouteIs(t, other, { stableWeight: 100, canaryWeight: 0, stableVersion: 'r2' });
    expect((await releaseUntil(t, release.id, (r) => r.status === 'SUCCEEDED', 'SUCCEEDED')).declaredWeight).toBe(100);

    // A subscriber resuming after the final event gets nothing more, and completes.
    const late = collectProgress(t.ws(), release.id, log.at(-1)!.cursor);
    await late.done;
    expect(late.events).toEqual([]);
  });

  it.concurrent('should show each event with the release as it is then, not as it was when the subscription began', async ({ expect }) => {
    const env = await aReleaseEnvironment(t, 'shelf', { name: 'prod', replicas: 2, protected: true });
    await aSucceededRelease(t, env, { image: 'registry.local/shelf:1.0' });
    const release = await createRelease(t, { environmentId: env.id, image: 'registry.local/shelf:2.0' });
    const seen: any[] = [];
    const done = new Promise<void>((resolve, reject) =>
      t.ws().subscribe(
        { query: 'subscription($id: ID!) { releaseProgress(releaseId: $id) { sequence type release { status currentStepIndex appliedWeight } } }', variables: { id: release.id } },
        { next: (m) => (m.errors ? reject(new Error(JSON.stringify(m.errors))) : seen.push(m.data?.releaseProgress)), error: reject, complete: resolve },
      ),
    );
    await atGate(t, release.id, 0);
    await eventually(() => seen.some((e) => e.type === 'PAUSED'), 10_000, 'the subscriber saw the first gate');
    await command(t, 'promoteRelease', { id: release.id, expectedStepIndex: 0 });
    await eventually(() => seen.filter((e) => e.type === 'PAUSED').length === 2, 10_000, 'the subscriber saw the second gate');
    await command(t, 'promoteRelease', { id: release.id, expectedStepIndex: 1 });
    await done;

    // Nobody acted while a gate held, so the release was exactly this when those events went out.
    const gates = seen.filter((e) => e.type === 'PAUSED').map((e) => e.release);
    expect(gates).toEqual([
      { status: 'PAUSED', currentStepIndex: 0, appliedWeight: 10 },
      { status: 'PAUSED', currentStepIndex: 1, appliedWeight: 50 },
    ]);
    expect(seen.at(-1)).toMatchObject({ type: 'SUCCEEDED', release: { status: 'SUCCEEDED', appliedWeight: 100 } });
  });

  /** A protected environment (2 replicas) with stable r1, and r2 holding at its first gate (10%). */
  async function gatedCanary(): Promise<{ env: ReleaseEnv; release: any }> {
    const env = await aReleaseEnvironment(t, 'shop', { name: 'prod', replicas: 2, protected: true });
    await aSucceededRelease(t, env, { image: 'registry.local/shop:1.0' });
    const created = await createRelease(t, { environmentId: env.id, image: 'registry.local/shop:2.0' });
    const release = await atGate(t, created.id, 0);
    return { env, release };
  }

  it.concurrent('should take a release from its first gate straight to 100% with promoteReleaseFully, the skipped steps SKIPPED', async ({ expect }) => {
    const { env, release } = await gatedCanary();
    expect(release.appliedWeight).toBe(10);
    expect((await clusterRoute(t, env))?.canaryWeight).toBe(10);

    const promoted = await command(t, 'promoteReleaseFully', { id: release.id });
    expect(promoted.status).toBe('PROGRESSING');
    expect(promoted.steps.map((s: any) => s.status)).toEqual(['DONE', 'SKIPPED', 'PENDING']);
    const done = await releaseUntil(t, release.id, (r) => r.status === 'SUCCEEDED', 'SUCCEEDED');
    expect(done.steps.map((s: any) => s.status)).toEqual(['DONE', 'SKIPPED', 'DONE']);
    expect(done).toMatchObject({ declaredWeight: 100, appliedWeight: 100, currentStepIndex: 2 });

    const log = await eventLog(t, release.id);
    const types = log.map((e) => e.type);
    expect(log.filter((e) => e.type === 'WEIGHT_APPLIED').map((e) => e.weight)).toEqual([10, 100]);
    expect(types.filter((type) => type === 'PAUSED')).toHaveLength(1);
    expect(types.slice(types.indexOf('PROMOTED'))).toEqual(['PROMOTED', 'STEP_STARTED', 'WEIGHT_APPLIED', 'SUCCEEDED']);
    expect(log.find((e) => e.type === 'STEP_STARTED' && e.stepIndex === 1)).toBeUndefined();
    await clusterRouteIs(t, env, { stableWeight: 100, canaryWeight: 0, stableVersion: 'r2' });
  });

  it.concurrent('should refuse promoteRelease naming another step with STALE_STEP, and change nothing', async ({ expect }) => {
    const { env, release } = await gatedCanary();
    const before = await eventLog(t, release.id);
    const auditBefore = await auditLog(t, env.projectId);

    for (const expectedStepIndex of [1, 2]) {
      const res = await tryCommand(t, 'promoteRelease', { id: release.id, expectedStepIndex });
      expect(errorOf(res).code).toBe('STALE_STEP');
      expect(res.data).toBeNull();
    }
    const after = await releaseOf(t, release.id);
    expect(after).toEqual(release);
    expect(await eventLog(t, release.id)).toEqual(before);
    expect(await auditLog(t, env.projectId)).toEqual(auditBefore);
    expect(await clusterRoute(t, env)).toEqual({ stableWeight: 90, canaryWeight: 10, stableVersion: 'r1', canaryVersion: 'r2' });

    // The right step still promotes.
    const promoted = await command(t, 'promoteRelease', { id: release.id, expectedStepIndex: 0 });
    expect(promoted.steps[0].status).toBe('DONE');
    await atGate(t, release.id, 1);
    expect((await clusterRoute(t, env))?.canaryWeight).toBe(50);
    // A promote that raced with this one still names step 0: stale now.
    expect(errorOf(await tryCommand(t, 'promoteRelease', { id: release.id, expectedStepIndex: 0 })).code).toBe('STALE_STEP');
    await command(t, 'abortRelease', { id: release.id });
  });

  it.concurrent('should refuse promoteRelease with CONFLICT when the release is not waiting for promotion', async ({ expect }) => {
    const env = await aReleaseEnvironment(t, 'shop', { name: 'prod', replicas: 2, protected: true });
    await aSucceededRelease(t, env, { image: 'registry.local/shop:1.0' });

    // Waiting for pods: no gate reached yet.
    const pending = await createRelease(t, { environmentId: env.id, image: 'registry.local/shop:2.0-unready' });
    const refused = await tryCommand(t, 'promoteRelease', { id: pending.id });
    expect(errorOf(refused).code).toBe('CONFLICT');
    expect(refused.errors?.[0]?.message).toContain('not waiting for promotion');
    expect(await releaseOf(t, pending.id)).toMatchObject({ status: 'PENDING', currentStepIndex: null, declaredWeight: 0 });
    await clusterRouteIs(t, env, { canaryWeight: 0, stableWeight: 100 });
    await command(t, 'abortRelease', { id: pending.id });

    // Finished: nothing to promote. (Wait until the engine has read back the 0% it wrote.)
    const aborted = await releaseUntil(t, pending.id, (r) => r.status === 'ABORTED' && r.appliedWeight === 0, 'abort settled');
    expect(errorOf(await tryCommand(t, 'promoteRelease', { id: pending.id })).code).toBe('CONFLICT');
    expect(errorOf(await tryCommand(t, 'promoteReleaseFully', { id: pending.id })).code).toBe('CONFLICT');
    expect(errorOf(await tryCommand(t, 'abortRelease', { id: pending.id })).code).toBe('CONFLICT');
    expect(await releaseOf(t, pending.id)).toEqual(aborted);

    // During a timed pause: it moves on by itself, promote is refused.
    const timed = await createRelease(t, { environmentId: env.id, image: 'registry.local/shop:2.1', steps: [{ weight: 20, pauseSeconds: 600 }, { weight: 100 }] });
    const pausing = await releaseUntil(t, timed.id, (r) => r.appliedWeight === 20 && r.statusMessage?.includes('pausing until'), 'timed pause at 20%');
    expect(pausing.status).toBe('PROGRESSING');
    expect(errorOf(await tryCommand(t, 'promoteRelease', { id: timed.id })).code).toBe('CONFLICT');
    expect(errorOf(await tryCommand(t, 'resumeRelease', { id: timed.id })).code).toBe('CONFLICT');
    expect((await clusterRoute(t, env))?.canaryWeight).toBe(20);
    await command(t, 'abortRelease', { id: timed.id });
    await clusterWeightIs(t, env, 0);
  });

  it.concurrent('should hold the weight while paused by the user and move on after resumeRelease', async ({ expect }) => {
    const env = await aReleaseEnvironment(t, 'shop', { name: 'prod', replicas: 2, protected: true });
    await aSucceededRelease(t, env, { image: 'registry.local/shop:1.0' });
    const release = await createRelease(t, { environmentId: env.id, image: 'registry.local/shop:2.0', steps: [{ weight: 30, pauseSeconds: 4 }, { weight: 100 }] });
    const pausing = await releaseUntil(t, release.id, (r) => r.appliedWeight === 30 && r.statusMessage?.includes('pausing until'), 'timed pause at 30%');
    const pauseEnds = Date.parse(pausing.statusMessage.split('pausing until ')[1]);
    const paused = await command(t, 'pauseRelease', { id: release.id });
    expect(paused).toMatchObject({ status: 'PAUSED', statusMessage: 'paused by user', appliedWeight: 30 });
    const traffic = await watchTraffic(t, env);
    expect(errorOf(await tryCommand(t, 'pauseRelease', { id: release.id })).code).toBe('CONFLICT');
    // Past the end of the timed pause, it still holds 30%.
    await new Promise((r) => setTimeout(r, Math.max(0, pauseEnds - Date.now()) + 500));
    expect(await releaseOf(t, release.id)).toMatchObject({ status: 'PAUSED', declaredWeight: 30, appliedWeight: 30 });
    expect((await clusterRoute(t, env))?.canaryWeight).toBe(30);
    // Held means held: the router carried 30% the whole time, not a flicker back to 0 and up again.
    const held = await traffic.stop();
    expect(held.canaryWeights).toEqual([30]);
    expect(held.violations).toEqual([]);

    await command(t, 'resumeRelease', { id: release.id });
    const done = await releaseUntil(t, release.id, (r) => r.status === 'SUCCEEDED', 'SUCCEEDED');
    expect(done.appliedWeight).toBe(100);
    const types = (await eventLog(t, release.id)).map((e) => e.type);
    expect(types.filter((type) => type === 'PAUSED' || type === 'RESUMED')).toEqual(['PAUSED', 'RESUMED']);
    await clusterRouteIs(t, env, { stableWeight: 100, canaryWeight: 0, stableVersion: 'r2' });
  });
});
