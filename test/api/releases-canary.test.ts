import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/cluster.ts';
import { aProject, anApp, anEnvironment } from '../support/fixtures.ts';
import { clusterCanaryWeight, collectProgress, createRelease, eventLog, releaseUntil } from '../support/releases.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const FAST = { env: { GANTRY_RELEASE_TICK_MS: '100' }, start: { clusters: undefined, embedded: { timeScale: 0.02 } } };

describe('canary flow release', () => {
  let t: TestServer;
  let env: { id: string; namespace: string };

  beforeAll(async () => {
    t = await startTestServer(FAST);
    const project = await aProject(t);
    const app = await anApp(t, project.id, 'shop');
    env = await anEnvironment(t, app.id, { name: 'prod', replicas: 4, protected: true });
  });
  afterAll(() => t.close());

  it('should take the first release of an environment straight to 100%', async () => {
    const first = await createRelease(t, { environmentId: env.id, image: 'registry.local/shop:1.0' });
    expect(first.strategy).toBe('CANARY');
    const done = await releaseUntil(t, first.id, (r) => r.status === 'SUCCEEDED', 'first release SUCCEEDED');
    expect(done.steps.map((s: any) => s.weight)).toEqual([100]);
  });

  it('should shift 10% with 4 replicas only once all canary pods are ready, wait at each gate, and finish at 100%', async () => {
    const release = await createRelease(t, { environmentId: env.id, image: 'registry.local/shop:2.0' });
    const progress = collectProgress(t.ws(), release.id);
    expect(release.steps.map((s: any) => [s.weight, s.untilPromoted])).toEqual([[10, true], [50, true], [100, false]]);
    const atTen = await releaseUntil(t, release.id, (r) => r.status === 'PAUSED' && r.currentStepIndex === 0, 'paused at 10%');
    expect(atTen.appliedWeight).toBe(10);
    expect(await clusterCanaryWeight(t, env.namespace, 'shop')).toBe(10);
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
    const current = await t.ok('query($id: ID!) { node(id: $id) { ... on Environment { currentRelease { id } activeRelease { id } workload { versions { version trafficWeight } } } } }', { id: env.id });
    expect(current.node.currentRelease.id).toBe(release.id);
    expect(current.node.activeRelease).toBeNull();
    await eventually(async () => {
      const d = await t.ok('query($id: ID!) { node(id: $id) { ... on Environment { workload { versions { version trafficWeight } } } } }', { id: env.id });
      return d.node.workload.versions.find((v: any) => v.version === 'r2')?.trafficWeight === 100;
    }, 10_000, 'new version serving 100%');
  });
});
