import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl } from '../support/cluster.ts';
import { aProject, anApp, anEnvironment } from '../support/fixtures.ts';
import { auditLog, clusterRouteIs, createRelease, errorOf, FAST_RELEASES, releaseUntil, tryCreateRelease, type ReleaseEnv } from '../support/releases.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describe('createRelease input validation', { timeout: 90_000 }, () => {
  let t: TestServer;
  let protectedEnv: ReleaseEnv;
  let openEnv: ReleaseEnv;

  beforeAll(async () => {
    t = await startTestServer(FAST_RELEASES);
    const project = await aProject(t);
    const app = await anApp(t, project.id, 'shop');
    const p = await anEnvironment(t, app.id, { name: 'prod', replicas: 2, protected: true });
    const o = await anEnvironment(t, app.id, { name: 'dev', replicas: 2 });
    protectedEnv = { ...p, app: 'shop', router: 'ISTIO', projectId: project.id };
    openEnv = { ...o, app: 'shop', router: 'ISTIO', projectId: project.id };
  });
  afterAll(() => t.close());

  const refused = async (input: Record<string, unknown>) => {
    const { code, field } = errorOf(await tryCreateRelease(t, input));
    return { code, field };
  };

  it.each([
    ['an empty image', ''],
    ['upper-case letters', 'Registry.local/Shop:1.0'],
    ['a space', 'registry.local/shop 1.0'],
    ['an empty tag', 'registry.local/shop:'],
    ['a short digest', 'registry.local/shop@sha256:abc'],
    ['a scheme', 'https://registry.local/shop:1.0'],
  ])('should refuse an image reference with %s as BAD_USER_INPUT naming input.image', async (_, image) => {
    expect(await refused({ environmentId: protectedEnv.id, image })).toEqual({ code: 'BAD_USER_INPUT', field: 'input.image' });
  });

  it.each([
    ['weights that repeat', [{ weight: 10 }, { weight: 10 }, { weight: 100 }], 'input.steps[1].weight'],
    ['weights that go down', [{ weight: 50 }, { weight: 20 }, { weight: 100 }], 'input.steps[1].weight'],
    ['a last weight below 100', [{ weight: 10 }, { weight: 50 }], 'input.steps'],
    ['a weight of 0', [{ weight: 0 }, { weight: 100 }], 'input.steps[0].weight'],
    ['a weight of 101', [{ weight: 10 }, { weight: 101 }], 'input.steps[1].weight'],
    ['no steps at all', [], 'input.steps'],
    ['a pause of 0 seconds', [{ weight: 10, pauseSeconds: 0 }, { weight: 100 }], 'input.steps[0].pauseSeconds'],
    ['both a timed pause and a gate', [{ weight: 10, pauseSeconds: 5, untilPromoted: true }, { weight: 100 }], 'input.steps[0]'],
    ['a pause on the 100% step', [{ weight: 10 }, { weight: 100, untilPromoted: true }], 'input.steps[1]'],
  ])('should refuse canary steps with %s as BAD_USER_INPUT naming the step', async (_, steps, field) => {
    expect(await refused({ environmentId: protectedEnv.id, image: 'registry.local/shop:1.0', steps })).toEqual({ code: 'BAD_USER_INPUT', field });
  });

  it.each([
    ['canaryReplicas with the ROLLING default of an unprotected environment', { canaryReplicas: 1 }, 'input.canaryReplicas'],
    ['steps with the ROLLING default of an unprotected environment', { steps: [{ weight: 100 }] }, 'input.steps'],
    ['steps with RECREATE', { strategy: 'RECREATE', steps: [{ weight: 100 }] }, 'input.steps'],
    ['canaryReplicas with ROLLING', { strategy: 'ROLLING', canaryReplicas: 2 }, 'input.canaryReplicas'],
    ['canaryReplicas of 0', { strategy: 'CANARY', canaryReplicas: 0 }, 'input.canaryReplicas'],
    ['progressDeadlineSeconds of 0', { progressDeadlineSeconds: 0 }, 'input.progressDeadlineSeconds'],
  ])('should refuse %s as BAD_USER_INPUT naming the field', async (_, extra, field) => {
    expect(await refused({ environmentId: openEnv.id, image: 'registry.local/shop:1.0', ...extra })).toEqual({ code: 'BAD_USER_INPUT', field });
  });

  it('should leave no trace of a refused createRelease: no release, no audit row, nothing in the cluster', async () => {
    for (const env of [protectedEnv, openEnv]) {
      const data = await t.ok('query($id: ID!) { node(id: $id) { ... on Environment { releases { totalCount } activeRelease { id } } } }', { id: env.id });
      expect(data.node).toEqual({ releases: { totalCount: 0 }, activeRelease: null });
      expect(await kubectl(t, 'get', 'deployments,virtualservices', '-n', env.namespace, '-o', 'name', '--ignore-not-found')).toBe('');
    }
    expect((await auditLog(t, protectedEnv.projectId)).filter((row) => row.action.startsWith('release.'))).toEqual([]);
    // And a valid request still goes through.
    const release = await createRelease(t, { environmentId: openEnv.id, image: 'registry.local/shop:1.0' });
    expect((await releaseUntil(t, release.id, (r) => r.status === 'SUCCEEDED', 'SUCCEEDED')).strategy).toBe('ROLLING');
    await clusterRouteIs(t, openEnv, { stableWeight: 100, canaryWeight: 0 });
  });
});
