import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { kubectl } from '../support/cluster.ts';
import {
  aReleaseEnvironment,
  aSucceededRelease,
  atGate,
  clusterRouteIs,
  command,
  createRelease,
  poll,
  releaseUntil,
  withReleaseServer,
  type ReleaseEnv,
} from '../support/releases.ts';
import type { TestServer } from '../support/server.ts';

const UPDATE = 'mutation($i: UpdateConfigInput!) { updateConfig(input: $i) { number } }';

async function getJson(t: TestServer, env: ReleaseEnv, ...what: string[]): Promise<any> {
  return JSON.parse(await kubectl(t, 'get', ...what, '-n', env.namespace, '-o', 'json'));
}

/** The config revision a Deployment's pods run with, read from its pod template. */
async function podConfigOf(t: TestServer, env: ReleaseEnv, deployment: string) {
  const d = await getJson(t, env, 'deployment', deployment);
  const pod = d.spec.template.spec;
  const env_ = Object.fromEntries(
    (pod.containers[0].env ?? []).map((e: any) => [e.name, e.valueFrom.configMapKeyRef?.name ?? e.valueFrom.secretKeyRef?.name]),
  );
  return { env: env_, volume: pod.volumes?.[0]?.configMap, mount: pod.containers[0].volumeMounts?.[0]?.mountPath, label: d.metadata.labels['gantry.io/config-revision'] };
}

async function configMapNames(t: TestServer, env: ReleaseEnv): Promise<string[]> {
  const list = await getJson(t, env, 'configmaps', '-l', 'gantry.io/config-revision');
  return list.items.map((i: any) => i.metadata.name).sort();
}

describe.concurrent('releases pin a config revision', { timeout: 120_000 }, () => {
  let t: TestServer;
  withReleaseServer((server) => (t = server));

  it.concurrent('should run pods with their revision as env and files, canary a config-only change beside the old pods, and roll back to the old revision', async ({ expect }) => {
    const env = await aReleaseEnvironment(t, 'shop', { name: 'prod', replicas: 1, protected: true });
    await t.ok(UPDATE, { i: { environmentId: env.id, set: [{ name: 'MODE', value: 'one' }], files: [{ path: 'conf/app.yaml', content: 'mode: one\n' }] } });
    await t.ok('mutation($i: SetSecretInput!) { setSecret(input: $i) { name } }', { i: { environmentId: env.id, name: 'DB_PASSWORD', value: 'hunter2' } });
    const first = await aSucceededRelease(t, env, { image: 'registry.local/shop:1.0' });
    const pinned = await t.ok('query($id: ID!) { release(id: $id) { configRevision { number } } }', { id: first.id });
    expect(pinned.release.configRevision.number).toBe(3);
    expect(await podConfigOf(t, env, 'shop-r1')).toEqual({
      env: { MODE: 'shop-config-3', DB_PASSWORD: 'shop-secrets-3' },
      volume: { name: 'shop-config-3', items: [{ key: 'file.0', path: 'conf/app.yaml' }] },
      mount: '/etc/gantry/config',
      label: '3',
    });
    const cm = await getJson(t, env, 'configmap', 'shop-config-3');
    expect(cm).toMatchObject({ immutable: true, data: { 'env.MODE': 'one', 'file.0': 'mode: one\n' } });
    const secret = await getJson(t, env, 'secret', 'shop-secrets-3');
    expect(secret.immutable).toBe(true);
    expect(Buffer.from(secret.data.DB_PASSWORD, 'base64').toString()).toBe('hunter2');

    // A config change reaches pods only through a release: the same image, a new revision, as a canary.
    await t.ok(UPDATE, { i: { environmentId: env.id, set: [{ name: 'MODE', value: 'two' }] } });
    expect((await podConfigOf(t, env, 'shop-r1')).label).toBe('3');
    const second = await createRelease(t, { environmentId: env.id, image: 'registry.local/shop:1.0', steps: [{ weight: 50, untilPromoted: true }, { weight: 100 }] });
    await atGate(t, second.id, 0);
    expect((await podConfigOf(t, env, 'shop-r2')).env).toEqual({ MODE: 'shop-config-4', DB_PASSWORD: 'shop-secrets-4' });
    expect((await podConfigOf(t, env, 'shop-r1')).env.MODE).toBe('shop-config-3');
    await command(t, 'promoteRelease', { id: second.id });
    await releaseUntil(t, second.id, (r) => r.status === 'SUCCEEDED', 'config-only release SUCCEEDED');

    // The rollback goes back to the first release's image and its revision.
    const rollback = await command(t, 'rollbackEnvironment', { environmentId: env.id });
    const back = await t.ok('query($id: ID!) { release(id: $id) { image configRevision { number } } }', { id: rollback.id });
    expect(back.release).toEqual({ image: 'registry.local/shop:1.0', configRevision: { number: 3 } });
    await releaseUntil(t, rollback.id, (r) => r.status === 'SUCCEEDED', 'rollback SUCCEEDED');
    expect((await podConfigOf(t, env, 'shop-r3')).env).toEqual({ MODE: 'shop-config-3', DB_PASSWORD: 'shop-secrets-3' });
  });

  it.concurrent('should FAIL a release before any traffic moves when the cluster refuses its revision objects', async ({ expect }) => {
    const env = await aReleaseEnvironment(t, 'cart', { name: 'prod', replicas: 1, protected: true });
    await aSucceededRelease(t, env, { image: 'registry.local/cart:1.0' });
    // Someone else's immutable ConfigMap already holds the name revision 2 needs.
    const file = join(t.server.config.dataDir, `squatter-${env.namespace}.json`);
    writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cart-config-2', namespace: env.namespace }, immutable: true, data: { other: 'data' } }));
    await kubectl(t, 'apply', '-f', file);
    await t.ok(UPDATE, { i: { environmentId: env.id, set: [{ name: 'A', value: '1' }] } });
    const release = await createRelease(t, { environmentId: env.id, image: 'registry.local/cart:2.0' });
    const failed = await releaseUntil(t, release.id, (r) => r.status === 'FAILED', 'release FAILED');
    expect(failed.statusMessage).toMatch(/refused config revision 2/);
    expect(failed.appliedWeight ?? 0).toBe(0);
    await clusterRouteIs(t, env, { stableWeight: 100, canaryWeight: 0, stableVersion: 'r1' });
    const deployments = await getJson(t, env, 'deployments');
    expect(deployments.items.map((d: any) => d.metadata.name)).toEqual(['cart-r1']);
  });

  it.concurrent('should delete the objects of revisions nothing runs any more, stray ones included', async ({ expect }) => {
    const env = await aReleaseEnvironment(t, 'feed', { name: 'dev', replicas: 1, revisionHistoryLimit: 0 });
    await aSucceededRelease(t, env, { image: 'registry.local/feed:1.0' });
    expect(await configMapNames(t, env)).toEqual(['feed-config-1']);
    // Left by a process killed between writing a revision's objects and using them.
    const file = join(t.server.config.dataDir, `stray-${env.namespace}.json`);
    const labels = { 'app.kubernetes.io/instance': 'feed-dev', 'gantry.io/config-revision': '9', 'app.kubernetes.io/managed-by': 'gantry' };
    writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'feed-config-9', namespace: env.namespace, labels }, data: {} }));
    await kubectl(t, 'apply', '-f', file);
    await t.ok(UPDATE, { i: { environmentId: env.id, set: [{ name: 'A', value: '1' }] } });
    await aSucceededRelease(t, env, { image: 'registry.local/feed:1.0' });
    expect((await podConfigOf(t, env, 'feed-r1')).label).toBe('2');
    await poll(async () => JSON.stringify(await configMapNames(t, env)) === JSON.stringify(['feed-config-2']), 'only revision 2 left');
    const secrets = await getJson(t, env, 'secrets', '-l', 'gantry.io/config-revision');
    expect(secrets.items.map((s: any) => s.metadata.name)).toEqual(['feed-secrets-2']);
  });
});
