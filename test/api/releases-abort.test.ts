import { describe, it, type ExpectStatic } from 'vitest';
import {
  aStableEnvironment,
  atGate,
  clusterDeployments,
  clusterRoute,
  clusterWeightIs,
  command,
  createRelease,
  deploymentGone,
  eventLog,
  withReleaseServer,
  poll,
  releaseOf,
  releaseUntil,
  watchTraffic,
  type ReleaseEnv,
} from '../support/releases.ts';
import type { TestServer } from '../support/server.ts';

/** "At once": the engine reacts to the command, not to its next tick or a timer. */
const AT_ONCE_MS = 5_000;

// Each test has its own environment, so they all run side by side on one server.
describe.concurrent('aborting a canary release', { timeout: 90_000 }, () => {
  let t: TestServer;
  withReleaseServer((server) => (t = server));

  /**
   * After an abort: stable r1 takes 100% in the cluster at once, the API reads that back, the
   * canary Deployment is gone and r1 is untouched.
   */
  async function expectBackOnStable(expect: ExpectStatic, env: ReleaseEnv, releaseId: string, canaryDeployment: string): Promise<void> {
    const route = await clusterWeightIs(t, env, 0, AT_ONCE_MS);
    expect(route).toMatchObject({ stableWeight: 100, canaryWeight: 0, stableVersion: 'r1' });
    // appliedWeight is what the router reads back: 0 now, not the weight before the abort.
    await releaseUntil(t, releaseId, (r) => r.status === 'ABORTED' && r.appliedWeight === 0, 'appliedWeight 0 after the abort', AT_ONCE_MS);
    await deploymentGone(t, env.namespace, canaryDeployment, AT_ONCE_MS);
    const deployments = await clusterDeployments(t, env.namespace);
    expect(Object.keys(deployments)).toEqual(['shop-r1']);
    expect(deployments['shop-r1']).toMatchObject({ image: 'registry.local/shop:1.0', replicas: 2, readyReplicas: 2 });
  }

  it.concurrent('should put all traffic back on stable at once and remove the canary when aborted at the 10% gate', async ({ expect }) => {
    const env = await aStableEnvironment(t);
    const release = await createRelease(t, { environmentId: env.id, image: 'registry.local/shop:2.0' });
    const gated = await atGate(t, release.id, 0);
    expect(gated.appliedWeight).toBe(10);
    expect(await clusterRoute(t, env)).toEqual({ stableWeight: 90, canaryWeight: 10, stableVersion: 'r1', canaryVersion: 'r2' });

    const aborted = await command(t, 'abortRelease', { id: release.id, reason: 'error rate above 2%' });
    expect(aborted).toMatchObject({ status: 'ABORTED', statusMessage: 'error rate above 2%', declaredWeight: 0 });
    expect(aborted.finishedAt).toBeTruthy();
    await expectBackOnStable(expect, env, release.id, 'shop-r2');
    const log = await eventLog(t, release.id);
    expect(log.at(-1)).toMatchObject({ type: 'ABORTED', message: 'error rate above 2%', weight: 0, stepIndex: 0 });
    expect(log.filter((e) => e.type === 'ABORTED')).toHaveLength(1);
    expect((await releaseOf(t, release.id)).steps.map((s: any) => s.status)).toEqual(['SKIPPED', 'SKIPPED', 'SKIPPED']);
  });

  it.concurrent('should put all traffic back on stable at once and remove the canary when aborted at the 50% gate', async ({ expect }) => {
    const env = await aStableEnvironment(t);
    const release = await createRelease(t, { environmentId: env.id, image: 'registry.local/shop:2.0' });
    await atGate(t, release.id, 0);
    await command(t, 'promoteRelease', { id: release.id, expectedStepIndex: 0 });
    const gated = await atGate(t, release.id, 1);
    expect(gated.appliedWeight).toBe(50);
    expect(await clusterRoute(t, env)).toEqual({ stableWeight: 50, canaryWeight: 50, stableVersion: 'r1', canaryVersion: 'r2' });

    const aborted = await command(t, 'abortRelease', { id: release.id, reason: 'latency p99 regression' });
    expect(aborted).toMatchObject({ status: 'ABORTED', statusMessage: 'latency p99 regression', declaredWeight: 0 });
    await expectBackOnStable(expect, env, release.id, 'shop-r2');
    const log = await eventLog(t, release.id);
    expect(log.at(-1)).toMatchObject({ type: 'ABORTED', message: 'latency p99 regression', weight: 0, stepIndex: 1 });
    expect((await releaseOf(t, release.id)).steps.map((s: any) => s.status)).toEqual(['DONE', 'SKIPPED', 'SKIPPED']);
  });

  it.concurrent('should abort a release paused by the user: weight off the canary at once, no resume needed', async ({ expect }) => {
    const env = await aStableEnvironment(t);
    const release = await createRelease(t, {
      environmentId: env.id,
      image: 'registry.local/shop:2.0',
      steps: [{ weight: 10, pauseSeconds: 600 }, { weight: 100 }],
    });
    await releaseUntil(t, release.id, (r) => r.appliedWeight === 10 && r.statusMessage?.includes('pausing until'), 'timed pause at 10%');
    const paused = await command(t, 'pauseRelease', { id: release.id });
    expect(paused).toMatchObject({ status: 'PAUSED', statusMessage: 'paused by user', declaredWeight: 10, appliedWeight: 10 });
    expect((await clusterRoute(t, env))?.canaryWeight).toBe(10);

    const aborted = await command(t, 'abortRelease', { id: release.id });
    expect(aborted).toMatchObject({ status: 'ABORTED', statusMessage: 'aborted by user', declaredWeight: 0 });
    await expectBackOnStable(expect, env, release.id, 'shop-r2');
    const types = (await eventLog(t, release.id)).map((e) => e.type);
    expect(types.slice(-2)).toEqual(['PAUSED', 'ABORTED']);
    expect(types).not.toContain('RESUMED');
  });

  it.concurrent('should abort a canary still waiting for its pods without ever giving it traffic', async ({ expect }) => {
    const env = await aStableEnvironment(t);
    const traffic = await watchTraffic(t, env);
    const release = await createRelease(t, { environmentId: env.id, image: 'registry.local/shop:2.0-unready' });
    expect(release).toMatchObject({ status: 'PENDING', currentStepIndex: null, declaredWeight: 0 });
    // Before the abort: the canary track exists and reads back 0%, the canary's pods run, unready.
    const waiting = await releaseUntil(t, release.id, (r) => r.appliedWeight === 0, 'router ready with 0% on the canary');
    expect(waiting).toMatchObject({ status: 'PENDING', statusMessage: 'waiting for the canary: 0/2 canary pods ready' });
    expect(await clusterRoute(t, env)).toEqual({ stableWeight: 100, canaryWeight: 0, stableVersion: 'r1', canaryVersion: 'r2' });
    await poll(async () => (await clusterDeployments(t, env.namespace))['shop-r2']?.replicas === 2, 'canary Deployment created');

    const aborted = await command(t, 'abortRelease', { id: release.id, reason: 'wrong image' });
    expect(aborted).toMatchObject({ status: 'ABORTED', statusMessage: 'wrong image', declaredWeight: 0 });
    await expectBackOnStable(expect, env, release.id, 'shop-r2');
    const replay = await traffic.stop();
    expect(replay.changes).toBeGreaterThan(0);
    expect(replay.canaryWeights.filter((w) => w > 0)).toEqual([]);
    expect(replay.violations).toEqual([]);
    const log = await eventLog(t, release.id);
    expect(log.map((e) => e.type)).toEqual(['CREATED', 'ABORTED']);
    expect(log.at(-1)).toMatchObject({ message: 'wrong image', weight: 0, stepIndex: null });
  });
});
