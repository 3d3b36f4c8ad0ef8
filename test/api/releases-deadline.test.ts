import { describe, it } from 'vitest';
import {
  aReleaseEnvironment,
  aSucceededRelease,
  clusterDeployments,
  clusterRouteIs,
  createRelease,
  deploymentGone,
  eventLog,
  withReleaseServer,
  releaseOf,
  releaseUntil,
  watchTraffic,
} from '../support/releases.ts';
import type { TestServer } from '../support/server.ts';

const DEADLINE_SECONDS = 2;

// Each test has its own environment, so they run side by side on one server.
describe.concurrent('a canary whose pods never become ready', { timeout: 90_000 }, () => {
  let t: TestServer;
  withReleaseServer((server) => (t = server));

  // The embedded cluster's clock runs 50× fast, the engine's deadline in real seconds: pods that
  // were going to be ready would have been, many times over, long before the deadline.
  it.concurrent.for([
    ['stay unready', 'registry.local/shop:2.0-unready'],
    ['crash-loop', 'registry.local/shop:2.0-crashloop'],
  ] as const)('should FAIL a canary whose pods %s once progressDeadlineSeconds pass, never shifting traffic off stable', async ([, image], { expect }) => {
    const env = await aReleaseEnvironment(t, 'shop', { name: 'prod', replicas: 2, protected: true });
    await aSucceededRelease(t, env, { image: 'registry.local/shop:1.0' });
    const traffic = await watchTraffic(t, env);
    const release = await createRelease(t, { environmentId: env.id, image, progressDeadlineSeconds: DEADLINE_SECONDS });
    expect(release).toMatchObject({ status: 'PENDING', declaredWeight: 0 });

    // While it waits: PENDING, no weight declared or read back, the cluster's canary weight 0.
    const samples: { status: string; declared: number; applied: number | null }[] = [];
    const failed = await releaseUntil(t, release.id, (r) => {
      samples.push({ status: r.status, declared: r.declaredWeight, applied: r.appliedWeight });
      return r.status === 'FAILED';
    }, 'release FAILED', 25_000);
    await clusterRouteIs(t, env, { stableWeight: 100, canaryWeight: 0, stableVersion: 'r1' });
    const replay = await traffic.stop();

    const waiting = samples.filter((s) => s.status !== 'FAILED');
    expect(waiting.length).toBeGreaterThan(0);
    for (const sample of waiting) {
      expect(sample).toMatchObject({ status: 'PENDING', declared: 0 });
      expect(sample.applied ?? 0).toBe(0);
    }
    expect(replay.changes).toBeGreaterThan(0);
    expect(replay.canaryWeights.filter((w) => w > 0)).toEqual([]);
    expect(replay.violations).toEqual([]);

    expect(failed.declaredWeight).toBe(0);
    expect(failed.appliedWeight ?? 0).toBe(0);
    expect(failed.statusMessage).toContain(`not ready within ${DEADLINE_SECONDS}s`);
    expect(failed.statusMessage).toContain('0/2 pods ready');
    expect(failed.steps.map((s: any) => s.status)).toEqual(['SKIPPED', 'SKIPPED', 'SKIPPED']);
    const log = await eventLog(t, release.id);
    expect(log.map((e) => e.type)).toEqual(['CREATED', 'FAILED']);
    expect(log.at(-1)).toMatchObject({ weight: 0, stepIndex: null });

    // Not before the deadline: progressDeadlineSeconds of real time passed between creation and failure.
    const { createdAt, finishedAt } = (await t.ok('query($id: ID!) { release(id: $id) { createdAt finishedAt } }', { id: release.id })).release;
    expect(Date.parse(finishedAt) - Date.parse(createdAt)).toBeGreaterThanOrEqual(DEADLINE_SECONDS * 1000);

    await deploymentGone(t, env.namespace, 'shop-r2');
    const deployments = await clusterDeployments(t, env.namespace);
    expect(Object.keys(deployments)).toEqual(['shop-r1']);
    expect(deployments['shop-r1']).toMatchObject({ image: 'registry.local/shop:1.0', readyReplicas: 2 });
    expect((await releaseOf(t, release.id)).status).toBe('FAILED');
  });
});
