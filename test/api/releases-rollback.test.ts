import { describe, it } from 'vitest';
import {
  aReleaseEnvironment,
  aSucceededRelease,
  atGate,
  clusterDeployments,
  clusterRouteIs,
  collectProgress,
  command,
  createRelease,
  errorOf,
  eventLog,
  withReleaseServer,
  releaseUntil,
  tryCommand,
} from '../support/releases.ts';
import type { TestServer } from '../support/server.ts';

/** Canary steps without gates: a release that goes through on its own. */
const UNGATED = [{ weight: 50 }, { weight: 100 }];

// Each test has its own environment, so they run side by side on one server.
describe.concurrent('rollbackEnvironment', { timeout: 90_000 }, () => {
  let t: TestServer;
  withReleaseServer((server) => (t = server));

  it.concurrent('should roll back to the previous stable image as a fast release that skips every pause and SUCCEEDS', async ({ expect }) => {
    const env = await aReleaseEnvironment(t, 'shop', { name: 'prod', replicas: 2, protected: true });
    const first = await aSucceededRelease(t, env, { image: 'registry.local/shop:1.0' });
    const second = await createRelease(t, { environmentId: env.id, image: 'registry.local/shop:2.0' });
    await atGate(t, second.id, 0);
    await command(t, 'promoteReleaseFully', { id: second.id });
    await releaseUntil(t, second.id, (r) => r.status === 'SUCCEEDED', 'second release SUCCEEDED');
    await clusterRouteIs(t, env, { stableWeight: 100, canaryWeight: 0, stableVersion: 'r2' });

    const rollback = await command(t, 'rollbackEnvironment', { environmentId: env.id });
    expect(rollback).toMatchObject({ isRollback: true, image: first.image, strategy: 'CANARY', version: 'r3' });
    // The environment's gates, without their pauses.
    expect(rollback.steps.map((s: any) => [s.weight, s.untilPromoted, s.pauseSeconds])).toEqual([[10, false, null], [50, false, null], [100, false, null]]);
    const progress = collectProgress(t.ws(), rollback.id);
    const done = await releaseUntil(t, rollback.id, (r) => r.status === 'SUCCEEDED', 'rollback SUCCEEDED');
    await progress.done;
    expect(done).toMatchObject({ isRollback: true, declaredWeight: 100, appliedWeight: 100 });
    expect(done.steps.map((s: any) => s.status)).toEqual(['DONE', 'DONE', 'DONE']);

    const types = progress.events.map((e) => e.type);
    expect(types).not.toContain('PAUSED');
    expect(types).not.toContain('PROMOTED');
    expect(progress.events.filter((e) => e.type === 'WEIGHT_APPLIED').map((e) => e.weight)).toEqual([10, 50, 100]);
    expect(types.at(-1)).toBe('SUCCEEDED');
    expect((await eventLog(t, rollback.id))[0]?.message).toMatch(/^rollback CANARY release/);

    await clusterRouteIs(t, env, { stableWeight: 100, canaryWeight: 0, stableVersion: 'r3' });
    const deployments = await clusterDeployments(t, env.namespace);
    expect(deployments['shop-r3']).toMatchObject({ image: 'registry.local/shop:1.0', version: 'r3', replicas: 2, readyReplicas: 2 });
    const current = await t.ok('query($id: ID!) { node(id: $id) { ... on Environment { currentRelease { id image isRollback } activeRelease { id } } } }', { id: env.id });
    expect(current.node).toEqual({ currentRelease: { id: rollback.id, image: 'registry.local/shop:1.0', isRollback: true }, activeRelease: null });
  });

  it.concurrent('should roll back to the release named by toReleaseId, not just the previous one', async ({ expect }) => {
    const env = await aReleaseEnvironment(t, 'shop', { name: 'prod', replicas: 2, protected: true });
    const first = await aSucceededRelease(t, env, { image: 'registry.local/shop:1.0' });
    await aSucceededRelease(t, env, { image: 'registry.local/shop:2.0', steps: UNGATED });
    await aSucceededRelease(t, env, { image: 'registry.local/shop:3.0', steps: UNGATED });
    await clusterRouteIs(t, env, { stableVersion: 'r3', stableWeight: 100 });

    const rollback = await command(t, 'rollbackEnvironment', { environmentId: env.id, toReleaseId: first.id });
    expect(rollback).toMatchObject({ isRollback: true, image: 'registry.local/shop:1.0', version: 'r4' });
    const done = await releaseUntil(t, rollback.id, (r) => r.status === 'SUCCEEDED', 'rollback SUCCEEDED');
    expect(done.appliedWeight).toBe(100);
    const types = (await eventLog(t, rollback.id)).map((e) => e.type);
    expect(types).not.toContain('PAUSED');
    await clusterRouteIs(t, env, { stableWeight: 100, canaryWeight: 0, stableVersion: 'r4' });
    expect((await clusterDeployments(t, env.namespace))['shop-r4']).toMatchObject({ image: 'registry.local/shop:1.0', readyReplicas: 2 });
  });

  it.concurrent('should refuse a rollback with CONFLICT when there is no earlier successful release, NOT_FOUND for a release of another environment, and BAD_USER_INPUT for one that never succeeded', async ({ expect }) => {
    const env = await aReleaseEnvironment(t, 'shop', { name: 'prod', replicas: 1, protected: true });
    const other = await aReleaseEnvironment(t, 'shop', { name: 'prod', replicas: 1, protected: true });
    const first = await aSucceededRelease(t, env, { image: 'registry.local/shop:1.0' });
    const foreign = await aSucceededRelease(t, other, { image: 'registry.local/shop:9.0' });

    const none = await tryCommand(t, 'rollbackEnvironment', { environmentId: env.id });
    expect(errorOf(none).code).toBe('CONFLICT');
    expect(errorOf(await tryCommand(t, 'rollbackEnvironment', { environmentId: env.id, toReleaseId: foreign.id })).code).toBe('NOT_FOUND');

    // An aborted canary's image never proved itself: not a place to roll back to.
    const aborted = await createRelease(t, { environmentId: env.id, image: 'registry.local/shop:2.0' });
    await command(t, 'abortRelease', { id: aborted.id, reason: 'bad build' });
    const refused = errorOf(await tryCommand(t, 'rollbackEnvironment', { environmentId: env.id, toReleaseId: aborted.id }));
    expect(refused).toMatchObject({ code: 'BAD_USER_INPUT', field: 'toReleaseId' });
    expect(refused.message).toContain('ABORTED');

    const releases = await t.ok('query($id: ID!) { node(id: $id) { ... on Environment { releases { totalCount } currentRelease { id } } } }', { id: env.id });
    expect(releases.node).toEqual({ releases: { totalCount: 2 }, currentRelease: { id: first.id } });
    await clusterRouteIs(t, env, { stableWeight: 100, canaryWeight: 0, stableVersion: 'r1' });
  });
});
