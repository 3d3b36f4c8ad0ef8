import { describe, it } from 'vitest';
import { kubectl } from '../support/cluster.ts';
import {
  aReleaseEnvironment,
  aSucceededRelease,
  atGate,
  clusterDeployments,
  clusterRoute,
  clusterRouteIs,
  command,
  createRelease,
  eventLog,
  withReleaseServer,
  releaseUntil,
  watchTraffic,
  type ReleaseEnv,
} from '../support/releases.ts';
import type { TestServer } from '../support/server.ts';

// Each test has its own environment, so they run side by side on one server.
describe.concurrent('release strategies and routers', { timeout: 90_000 }, () => {
  let t: TestServer;
  withReleaseServer((server) => (t = server));

  it.concurrent('should roll an unprotected environment with ROLLING by default: the one Deployment changes image in place, never short of ready pods, and SUCCEEDS once rolled out', async ({ expect }) => {
    const env = await aReleaseEnvironment(t, 'shop', { name: 'dev', replicas: 3 });
    const first = await aSucceededRelease(t, env, { image: 'registry.local/shop:1.0' });
    expect(first).toMatchObject({ strategy: 'ROLLING', declaredWeight: 100 });
    expect(first.steps.map((s: any) => [s.weight, s.status])).toEqual([[100, 'DONE']]);
    expect(await clusterDeployments(t, env.namespace)).toEqual({
      'shop-r1': { name: 'shop-r1', version: 'r1', image: 'registry.local/shop:1.0', replicas: 3, readyReplicas: 3, strategy: 'RollingUpdate' },
    });
    // One track, by app name: the router needs no change when the version does.
    await clusterRouteIs(t, env, { stableWeight: 100, canaryWeight: 0, stableVersion: null, canaryVersion: null });

    const traffic = await watchTraffic(t, env);
    const second = await createRelease(t, { environmentId: env.id, image: 'registry.local/shop:2.0' });
    expect(second).toMatchObject({ strategy: 'ROLLING', status: 'PROGRESSING', currentStepIndex: 0 });
    const done = await releaseUntil(t, second.id, (r) => r.status === 'SUCCEEDED', 'ROLLING release SUCCEEDED');
    expect(done).toMatchObject({ declaredWeight: 100, statusMessage: 'ROLLING rollout complete' });
    const replay = await traffic.stop();

    const deployments = await clusterDeployments(t, env.namespace);
    expect(deployments).toEqual({
      'shop-r1': { name: 'shop-r1', version: 'r2', image: 'registry.local/shop:2.0', replicas: 3, readyReplicas: 3, strategy: 'RollingUpdate' },
    });
    await clusterRouteIs(t, env, { stableWeight: 100, canaryWeight: 0, stableVersion: null, canaryVersion: null });
    expect(replay.violations).toEqual([]);
    // maxUnavailable 0: a new pod is ready before an old one goes.
    expect(minServing(replay.pods)).toBeGreaterThanOrEqual(3);
    expect(replay.pods.some((p) => p.version === 'r2' && p.ready)).toBe(true);
    const log = await eventLog(t, second.id);
    expect(log.map((e) => e.type)).toEqual(['CREATED', 'STEP_STARTED', 'PODS_READY', 'SUCCEEDED']);
    const current = await t.ok('query($id: ID!) { node(id: $id) { ... on Environment { currentRelease { id } } } }', { id: env.id });
    expect(current.node.currentRelease.id).toBe(second.id);
  });

  describe.sequential('switching an environment from ROLLING to RECREATE', () => {
    let env: ReleaseEnv;

    it('should stop every old pod before starting new ones with RECREATE, written as strategy.type Recreate', async ({ expect }) => {
      env = await aReleaseEnvironment(t, 'shop', { name: 'dev', replicas: 2 });
      await aSucceededRelease(t, env, { image: 'registry.local/shop:1.0' });
      const traffic = await watchTraffic(t, env);
      const release = await createRelease(t, { environmentId: env.id, image: 'registry.local/shop:2.0', strategy: 'RECREATE' });
      expect(release).toMatchObject({ strategy: 'RECREATE', steps: [expect.objectContaining({ weight: 100 })] });
      const done = await releaseUntil(t, release.id, (r) => r.status === 'SUCCEEDED', 'RECREATE release SUCCEEDED');
      expect(done).toMatchObject({ declaredWeight: 100, statusMessage: 'RECREATE rollout complete' });
      const replay = await traffic.stop();

      const deployments = await clusterDeployments(t, env.namespace);
      expect(deployments).toEqual({
        'shop-r1': { name: 'shop-r1', version: 'r2', image: 'registry.local/shop:2.0', replicas: 2, readyReplicas: 2, strategy: 'Recreate' },
      });
      const oldGone = replay.pods.filter((p) => p.version === 'r1' && p.type === 'DELETED');
      expect(oldGone).toHaveLength(2);
      const firstNew = Math.min(...replay.pods.filter((p) => p.version === 'r2').map((p) => p.rv));
      expect(firstNew).toBeGreaterThan(Math.max(...oldGone.map((p) => p.rv)));
      await clusterRouteIs(t, env, { stableWeight: 100, canaryWeight: 0, stableVersion: null, canaryVersion: null });
      expect((await eventLog(t, release.id)).map((e) => e.type)).toEqual(['CREATED', 'STEP_STARTED', 'PODS_READY', 'SUCCEEDED']);
    });

    // A real API server prunes the rollingUpdate block Gantry no longer applies (server-side apply
    // field ownership), and would reject a Recreate Deployment that kept it.
    it('should leave no rollingUpdate parameters on a Deployment that switched to RECREATE', async ({ expect }) => {
      const strategy = JSON.parse(await kubectl(t, 'get', 'deployment', 'shop-r1', '-n', env.namespace, '-o', 'jsonpath={.spec.strategy}'));
      expect(strategy).toEqual({ type: 'Recreate' });
    });
  });

  it.concurrent('should FAIL a ROLLING release whose pods never become ready and put the previous image back', async ({ expect }) => {
    const env = await aReleaseEnvironment(t, 'shop', { name: 'dev', replicas: 2 });
    await aSucceededRelease(t, env, { image: 'registry.local/shop:1.0' });
    const release = await createRelease(t, { environmentId: env.id, image: 'registry.local/shop:2.0-unready', progressDeadlineSeconds: 2 });
    const failed = await releaseUntil(t, release.id, (r) => r.status === 'FAILED', 'ROLLING release FAILED', 25_000);
    expect(failed.statusMessage).toContain('did not complete within 2s');
    expect(failed.declaredWeight).toBe(0);
    await expect
      .poll(async () => (await clusterDeployments(t, env.namespace))['shop-r1'], { timeout: 10_000, interval: 200 })
      .toMatchObject({ version: 'r1', image: 'registry.local/shop:1.0', replicas: 2, readyReplicas: 2 });
    await clusterRouteIs(t, env, { stableWeight: 100, canaryWeight: 0, stableVersion: null, canaryVersion: null });
    const current = await t.ok('query($id: ID!) { node(id: $id) { ... on Environment { currentRelease { version } activeRelease { id } } } }', { id: env.id });
    expect(current.node).toEqual({ currentRelease: { version: 'r1' }, activeRelease: null });
  });

  it.concurrent('should shift HTTPRoute backendRef weights between per-track Services with the GATEWAY_API router', async ({ expect }) => {
    const env = await aReleaseEnvironment(t, 'shop', { name: 'prod', replicas: 2, protected: true, router: 'GATEWAY_API' });
    await aSucceededRelease(t, env, { image: 'registry.local/shop:1.0' });
    expect(await clusterRoute(t, env)).toEqual({ stableWeight: 100, canaryWeight: 0, stableVersion: 'r1', canaryVersion: 'r1' });

    const release = await createRelease(t, { environmentId: env.id, image: 'registry.local/shop:2.0' });
    const gated = await atGate(t, release.id, 0);
    expect(gated.appliedWeight).toBe(10);
    expect(await clusterRoute(t, env)).toEqual({ stableWeight: 90, canaryWeight: 10, stableVersion: 'r1', canaryVersion: 'r2' });
    const route = JSON.parse(await kubectl(t, 'get', 'httproute', 'shop', '-n', env.namespace, '-o', 'json'));
    expect(route.spec.rules[0].backendRefs).toEqual([
      { name: 'shop-stable', port: 80, weight: 90 },
      { name: 'shop-canary', port: 80, weight: 10 },
    ]);
    const services = JSON.parse(await kubectl(t, 'get', 'services', '-n', env.namespace, '-l', 'gantry.io/track', '-o', 'json'));
    const tracks = Object.fromEntries(services.items.map((s: any) => [s.metadata.labels['gantry.io/track'], s.spec.selector['app.kubernetes.io/version']]));
    expect(tracks).toEqual({ stable: 'r1', canary: 'r2' });
    expect(await kubectl(t, 'get', 'virtualservices', '-n', env.namespace, '-o', 'name')).toBe('');

    await command(t, 'promoteRelease', { id: release.id, expectedStepIndex: 0 });
    expect((await atGate(t, release.id, 1)).appliedWeight).toBe(50);
    expect(await clusterRoute(t, env)).toEqual({ stableWeight: 50, canaryWeight: 50, stableVersion: 'r1', canaryVersion: 'r2' });
    await command(t, 'promoteRelease', { id: release.id, expectedStepIndex: 1 });
    const done = await releaseUntil(t, release.id, (r) => r.status === 'SUCCEEDED', 'SUCCEEDED');
    expect(done.appliedWeight).toBe(100);
    await clusterRouteIs(t, env, { stableWeight: 100, canaryWeight: 0, stableVersion: 'r2', canaryVersion: 'r2' });
    const applied = (await eventLog(t, release.id)).filter((e) => e.type === 'WEIGHT_APPLIED').map((e) => e.weight);
    expect(applied).toEqual([10, 50, 100]);
  });
});

/** Fewest ready, non-terminating pods at any moment after the first full set was ready. */
function minServing(pods: { name: string; type: string; ready: boolean; deleting: boolean }[]): number {
  const live = new Map<string, boolean>();
  let min = Infinity;
  let started = false;
  for (const p of pods) {
    if (p.type === 'DELETED') live.delete(p.name);
    else live.set(p.name, p.ready && !p.deleting);
    const serving = [...live.values()].filter(Boolean).length;
    if (!started && p.type !== 'ADDED') started = true;
    if (started) min = Math.min(min, serving);
  }
  return min;
}
