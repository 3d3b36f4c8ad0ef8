import { describe, it } from 'vitest';
import {
  aStableEnvironment,
  atGate,
  clusterDeployments,
  clusterRoute,
  clusterRouteIs,
  command,
  createRelease,
  deploymentGone,
  errorOf,
  eventLog,
  withReleaseServer,
  releaseOf,
  tryCreateRelease,
  watchTraffic,
} from '../support/releases.ts';
import type { TestServer } from '../support/server.ts';

// Each test has its own environment, so they run side by side on one server.
describe.concurrent('one active release per environment', { timeout: 90_000 }, () => {
  let t: TestServer;
  withReleaseServer((server) => (t = server));

  const releaseCount = async (envId: string): Promise<number> =>
    (await t.ok('query($id: ID!) { node(id: $id) { ... on Environment { releases { totalCount } } } }', { id: envId })).node.releases.totalCount;

  it.concurrent('should refuse createRelease with CONFLICT while another release is active, changing nothing', async ({ expect }) => {
    const env = await aStableEnvironment(t);
    const active = await createRelease(t, { environmentId: env.id, image: 'registry.local/shop:2.0' });
    const gated = await atGate(t, active.id, 0);
    const before = await eventLog(t, active.id);

    const res = await tryCreateRelease(t, { environmentId: env.id, image: 'registry.local/shop:3.0' });
    expect(errorOf(res).code).toBe('CONFLICT');
    expect(res.errors?.[0]?.extensions?.activeReleaseId).toBe(active.id);
    expect(await releaseCount(env.id)).toBe(2);
    expect(await releaseOf(t, active.id)).toEqual(gated);
    expect(await eventLog(t, active.id)).toEqual(before);
    expect(await clusterRoute(t, env)).toEqual({ stableWeight: 90, canaryWeight: 10, stableVersion: 'r1', canaryVersion: 'r2' });
    expect(Object.keys(await clusterDeployments(t, env.namespace)).sort()).toEqual(['shop-r1', 'shop-r2']);
    await command(t, 'abortRelease', { id: active.id });
  });

  it.concurrent('should end the active release SUPERSEDED with supersede: true, and the new one proceeds without traffic ever reaching a version with no ready pods', async ({ expect }) => {
    const env = await aStableEnvironment(t);
    const old = await createRelease(t, { environmentId: env.id, image: 'registry.local/shop:2.0' });
    await atGate(t, old.id, 0);
    expect((await clusterRoute(t, env))?.canaryVersion).toBe('r2');
    const traffic = await watchTraffic(t, env);

    const next = await createRelease(t, { environmentId: env.id, image: 'registry.local/shop:3.0', supersede: true });
    expect(next).toMatchObject({ version: 'r3', status: 'PENDING' });
    const superseded = await releaseOf(t, old.id);
    expect(superseded).toMatchObject({ status: 'SUPERSEDED', statusMessage: 'superseded by release #3', declaredWeight: 0 });
    expect((await eventLog(t, old.id)).at(-1)).toMatchObject({ type: 'SUPERSEDED', weight: 0 });

    const gated = await atGate(t, next.id, 0);
    expect(gated.appliedWeight).toBe(10);
    expect(await clusterRoute(t, env)).toEqual({ stableWeight: 90, canaryWeight: 10, stableVersion: 'r1', canaryVersion: 'r3' });
    await deploymentGone(t, env.namespace, 'shop-r2');
    const replay = await traffic.stop();
    expect(replay.changes).toBeGreaterThan(0);
    expect(replay.violations).toEqual([]);
    // Off the old canary first, then onto the new one.
    expect(replay.canaryWeights).toEqual([10, 0, 10]);

    await command(t, 'promoteReleaseFully', { id: next.id });
    await expect.poll(async () => (await releaseOf(t, next.id)).status, { timeout: 20_000, interval: 100 }).toBe('SUCCEEDED');
    await clusterRouteIs(t, env, { stableWeight: 100, canaryWeight: 0, stableVersion: 'r3' });
    expect((await releaseOf(t, old.id)).status).toBe('SUPERSEDED');
  });

  it.concurrent('should let exactly one of several concurrent createRelease calls win', async ({ expect }) => {
    const env = await aStableEnvironment(t);
    const attempts = await Promise.all(
      ['2.0', '2.1', '2.2', '2.3', '2.4'].map((tag) => tryCreateRelease(t, { environmentId: env.id, image: `registry.local/shop:${tag}` })),
    );
    const outcomes = attempts.map((res) => errorOf(res).code);
    expect(outcomes.filter((code) => code === 'ok')).toHaveLength(1);
    expect(outcomes.filter((code) => code === 'CONFLICT')).toHaveLength(4);
    const winner = attempts.find((res) => !res.errors)!.data!.createRelease;
    expect(await releaseCount(env.id)).toBe(2);
    const active = await t.ok('query($id: ID!) { node(id: $id) { ... on Environment { activeRelease { id version } } } }', { id: env.id });
    expect(active.node.activeRelease).toEqual({ id: winner.id, version: 'r2' });
    const gated = await atGate(t, winner.id, 0);
    expect(gated.appliedWeight).toBe(10);
    expect(await clusterRoute(t, env)).toEqual({ stableWeight: 90, canaryWeight: 10, stableVersion: 'r1', canaryVersion: 'r2' });
    const deployments = await clusterDeployments(t, env.namespace);
    expect(Object.keys(deployments).sort()).toEqual(['shop-r1', 'shop-r2']);
    expect(deployments['shop-r2']?.image).toBe(winner.image);
    await command(t, 'abortRelease', { id: winner.id });
  });
});
