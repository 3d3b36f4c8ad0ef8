import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../services/shared/clock.ts';
import { kubectl } from '../support/cluster.ts';
import {
  aReleaseEnvironment,
  aStableEnvironment,
  aSucceededRelease,
  atGate,
  clusterDeployments,
  clusterRouteIs,
  command,
  createRelease,
  errorOf,
  FAST_RELEASES,
  poll,
  releaseUntil,
  type ReleaseEnv,
} from '../support/releases.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const UPDATE_ENV = `mutation($i: UpdateEnvironmentInput!) { updateEnvironment(input: $i) { replicas revisionHistoryLimit } }`;
const WORKLOAD = `query($id: ID!) { node(id: $id) { ... on Environment { workload { declaredReplicas stableReplicas drift versions { deployment desiredReplicas } } } } }`;
/** Canary steps without gates: a release that goes through on its own. */
const UNGATED = [{ weight: 50 }, { weight: 100 }];

/** `spec.replicas` of a Deployment as kubectl reads it; null when it does not exist. */
async function specReplicas(t: TestServer, namespace: string, name: string): Promise<number | null> {
  return (await clusterDeployments(t, namespace))[name]?.replicas ?? null;
}

async function workloadOf(t: TestServer, env: ReleaseEnv): Promise<any> {
  return (await t.ok(WORKLOAD, { id: env.id })).node.workload;
}

describe('declared replicas: applied at once, drift reported, old Deployments pruned', { timeout: 120_000 }, () => {
  let t: TestServer;
  // Real time, shifted forward on demand: old Deployments scale down 30 s after a success, which
  // these tests skip instead of waiting for (the embedded cluster keeps its own fast clock).
  let shift = 0;
  const clock: Clock = { now: () => new Date(Date.now() + shift) };
  beforeAll(async () => {
    t = await startTestServer({ ...FAST_RELEASES, start: { ...FAST_RELEASES.start, clock } });
  });
  afterAll(() => t?.close());

  it('should scale the stable Deployment as soon as updateEnvironment changes replicas, without a release', async () => {
    const env = await aStableEnvironment(t);
    expect(await specReplicas(t, env.namespace, 'shop-r1')).toBe(2);
    const { updateEnvironment } = await t.ok(UPDATE_ENV, { i: { id: env.id, replicas: 4 } });
    expect(updateEnvironment.replicas).toBe(4);
    await poll(async () => (await specReplicas(t, env.namespace, 'shop-r1')) === 4, 'shop-r1 scaled to 4', 5_000);
    await poll(async () => (await clusterDeployments(t, env.namespace))['shop-r1']!.readyReplicas === 4, '4 pods ready');
    const workload = await poll(async () => {
      const w = await workloadOf(t, env);
      return w.stableReplicas === 4 ? w : null;
    }, 'workload with 4 stable replicas');
    expect(workload).toMatchObject({ declaredReplicas: 4, stableReplicas: 4, drift: false });
  });

  it('should report a kubectl scale as drift in Environment.workload and workloadChanged, and undo it on updateEnvironment', async () => {
    const env = await aStableEnvironment(t);
    const seen: any[] = [];
    const stop = t.ws().subscribe(
      { query: 'subscription($id: ID!) { workloadChanged(environmentId: $id) { declaredReplicas stableReplicas drift } }', variables: { id: env.id } },
      { next: (m) => seen.push(m.data?.workloadChanged ?? m.errors), error: () => {}, complete: () => {} },
    );
    try {
      await poll(() => seen.length > 0, 'first workload');
      expect(seen[0]).toEqual({ declaredReplicas: 2, stableReplicas: 2, drift: false });

      await kubectl(t, 'scale', 'deployment/shop-r1', '-n', env.namespace, '--replicas=5');
      await poll(() => seen.some((w) => w.drift === true && w.stableReplicas === 5 && w.declaredReplicas === 2), 'drift in workloadChanged', 10_000);
      expect(await workloadOf(t, env)).toMatchObject({ declaredReplicas: 2, stableReplicas: 5, drift: true });

      // The same count again is a "sync": the declared replicas win.
      await t.ok(UPDATE_ENV, { i: { id: env.id, replicas: 2 } });
      await poll(async () => (await specReplicas(t, env.namespace, 'shop-r1')) === 2, 'shop-r1 back to 2', 5_000);
      await poll(() => seen.at(-1)?.drift === false && seen.at(-1)?.stableReplicas === 2, 'drift gone in workloadChanged', 10_000);
    } finally {
      stop();
    }
  });

  it('should scale the stable side during a canary and bring the promoted canary to the new count', async () => {
    const env = await aStableEnvironment(t);
    const release = await createRelease(t, { environmentId: env.id, image: 'registry.local/shop:2.0' });
    await atGate(t, release.id, 0);
    await t.ok(UPDATE_ENV, { i: { id: env.id, replicas: 3 } });
    await poll(async () => (await specReplicas(t, env.namespace, 'shop-r1')) === 3, 'stable shop-r1 scaled to 3', 5_000);
    // The engine owns the canary's size while the release runs.
    expect(await specReplicas(t, env.namespace, 'shop-r2')).toBe(2);

    await command(t, 'promoteReleaseFully', { id: release.id });
    await releaseUntil(t, release.id, (r) => r.status === 'SUCCEEDED', 'release SUCCEEDED');
    await poll(async () => (await specReplicas(t, env.namespace, 'shop-r2')) === 3, 'new stable shop-r2 at 3', 10_000);
    await poll(async () => {
      const w = await workloadOf(t, env);
      return w.stableReplicas === 3 && !w.drift;
    }, 'no drift after the promotion');
  });

  it('should keep revisionHistoryLimit old Deployments at zero, delete older ones, and still roll back to a deleted one', async () => {
    const env = await aReleaseEnvironment(t, 'shop', { name: 'prod', replicas: 1, revisionHistoryLimit: 1 });
    const canary = { strategy: 'CANARY', steps: UNGATED };
    const first = await aSucceededRelease(t, env, { image: 'registry.local/shop:1.0', ...canary });
    const names = async () => Object.entries(await clusterDeployments(t, env.namespace)).map(([name, d]) => `${name}=${d.replicas}`).sort();

    for (const [n, expected] of [
      [2, ['shop-r1=0', 'shop-r2=1']],
      [3, ['shop-r2=0', 'shop-r3=1']],
      [4, ['shop-r3=0', 'shop-r4=1']],
    ] as const) {
      await aSucceededRelease(t, env, { image: `registry.local/shop:${n}.0`, ...canary });
      shift += 31_000; // past the scale-down delay
      let last: string[] = [];
      await poll(async () => JSON.stringify((last = await names())) === JSON.stringify(expected), `r${n}: ${expected.join(' ')}`, 15_000).catch((error) => {
        throw new Error(`${(error as Error).message}; deployments: ${last.join(' ')}`);
      });
    }

    const rollback = await command(t, 'rollbackEnvironment', { environmentId: env.id, toReleaseId: first.id });
    await releaseUntil(t, rollback.id, (r) => r.status === 'SUCCEEDED', 'rollback to r1 SUCCEEDED');
    await clusterRouteIs(t, env, { stableWeight: 100, canaryWeight: 0 });
    // r1's Deployment is long gone: the rollback (ROLLING here, the environment's default) runs its image as r5.
    const serving = await poll(async () => Object.values(await clusterDeployments(t, env.namespace)).find((d) => d.version === 'r5' && d.readyReplicas === 1), 'r5 ready');
    expect(serving).toMatchObject({ image: 'registry.local/shop:1.0', replicas: 1 });
    expect(await names()).not.toContain('shop-r1=0');
  });

  it('should validate revisionHistoryLimit on create and update', async () => {
    const env = await aReleaseEnvironment(t, 'shop', { name: 'prod', revisionHistoryLimit: 0 });
    for (const value of [-1, 51]) {
      expect(errorOf(await t.gql(UPDATE_ENV, { i: { id: env.id, revisionHistoryLimit: value } }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.revisionHistoryLimit' });
    }
    expect((await t.ok(UPDATE_ENV, { i: { id: env.id, revisionHistoryLimit: 5 } })).updateEnvironment.revisionHistoryLimit).toBe(5);
  });
});
