import { makeInformer, Watch, type V1ConfigMap } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedCluster } from '../../embedded-cluster/index.ts';
import { aConfigMap, aDeployment, eventually, FAST_TIME_SCALE, startTestCluster, statusOf, type TestCluster } from './helpers.ts';

const started: TestCluster[] = [];
async function start(dataDir?: string): Promise<TestCluster> {
  const test = await startTestCluster(dataDir ? { dataDir } : {});
  started.push(test);
  return test;
}
afterEach(async () => {
  for (const test of started.splice(0)) await test.close();
});

async function openWatch(test: TestCluster, resourceVersion: string): Promise<{ types: string[]; ended: Promise<unknown> }> {
  const types: string[] = [];
  let finish: (error: unknown) => void = () => undefined;
  const ended = new Promise<unknown>((resolve) => (finish = resolve));
  await new Watch(test.kubeConfig).watch('/api/v1/namespaces/default/configmaps', { resourceVersion }, (type) => types.push(type), (error) => finish(error));
  return { types, ended };
}

describe('fault injection', () => {
  it('dropWatches closes every open watch connection abruptly', async () => {
    const test = await start();
    const rv = String(test.cluster.store.currentResourceVersion);
    const first = await openWatch(test, rv);
    const second = await openWatch(test, rv);
    await eventually(() => test.cluster.openWatchCount === 2, 5000, 'two watches');
    expect(test.cluster.faults.dropWatches()).toBe(2);
    const errors = await Promise.all([first.ended, second.ended]);
    expect(errors.every((error) => error instanceof Error)).toBe(true);
    await eventually(() => test.cluster.openWatchCount === 0, 5000, 'watches to be released');
  });

  it('expireHistory makes resuming a watch from an earlier resourceVersion fail with 410', async () => {
    const test = await start();
    const created = await test.core.createNamespacedConfigMap({ namespace: 'default', body: aConfigMap('a') });
    await test.core.createNamespacedConfigMap({ namespace: 'default', body: aConfigMap('b') });
    const before = await openWatch(test, created.metadata?.resourceVersion ?? '');
    await eventually(() => before.types.length === 1, 5000, 'replay before expiry');
    test.cluster.faults.expireHistory();
    const after = await openWatch(test, created.metadata?.resourceVersion ?? '');
    await after.ended;
    expect(after.types).toEqual(['ERROR']);
    const current = await openWatch(test, String(test.cluster.store.currentResourceVersion));
    await test.core.createNamespacedConfigMap({ namespace: 'default', body: aConfigMap('c') });
    await eventually(() => current.types.includes('ADDED'), 5000, 'a watch from the current resourceVersion to still work');
  });

  it('a client-node informer restarted after dropped watches and expired history relists and catches up', async () => {
    const test = await start();
    await test.core.createNamespacedConfigMap({ namespace: 'default', body: aConfigMap('early') });
    const informer = makeInformer<V1ConfigMap>(test.kubeConfig, '/api/v1/namespaces/default/configmaps', () => test.core.listNamespacedConfigMap({ namespace: 'default' }));
    const errors: unknown[] = [];
    informer.on('error', (error) => errors.push(error));
    await informer.start();
    await eventually(() => test.cluster.openWatchCount === 1, 5000, 'the informer watch');
    test.cluster.faults.expireHistory();
    test.cluster.faults.dropWatches();
    await test.core.createNamespacedConfigMap({ namespace: 'default', body: aConfigMap('missed') });
    await eventually(() => errors.length > 0, 5000, 'the informer to report the dropped watch');
    await informer.start();
    await eventually(() => informer.list().some((item) => item.metadata?.name === 'missed'), 5000, 'the relisted object');
    await informer.stop();
  });

  it('failNextLists(n, 500) fails exactly the next n lists with an InternalError Status', async () => {
    const test = await start();
    test.cluster.faults.failNextLists(2, 500);
    expect(await statusOf(test.core.listNamespacedConfigMap({ namespace: 'default' }))).toMatchObject({ code: 500, reason: 'InternalError' });
    expect(await statusOf(test.core.listNamespace())).toMatchObject({ code: 500 });
    await expect(test.core.listNamespacedConfigMap({ namespace: 'default' })).resolves.toMatchObject({ items: [] });
  });

  it('failNextLists(n, 429) throttles with a Retry-After header', async () => {
    const test = await start();
    test.cluster.faults.failNextLists(1, 429, { retryAfterSeconds: 2 });
    const response = await fetch(`${test.cluster.url}/api/v1/namespaces/default/pods`);
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('2');
    expect(await response.json()).toMatchObject({ kind: 'Status', reason: 'TooManyRequests', details: { retryAfterSeconds: 2 } });
    expect((await fetch(`${test.cluster.url}/api/v1/namespaces/default/pods`)).status).toBe(200);
  });

  it('restart keeps the port, the objects and the resourceVersion sequence, and drops open watches', async () => {
    const test = await start();
    const port = test.cluster.port;
    await test.core.createNamespacedConfigMap({ namespace: 'default', body: aConfigMap('survivor') });
    const watch = await openWatch(test, String(test.cluster.store.currentResourceVersion));
    const versionBefore = test.cluster.store.currentResourceVersion;
    await test.cluster.restart();
    expect(await watch.ended).toBeDefined();
    expect(test.cluster.port).toBe(port);
    const survivor = await test.core.readNamespacedConfigMap({ name: 'survivor', namespace: 'default' });
    expect(survivor.data).toEqual({ key: 'value' });
    const next = await test.core.createNamespacedConfigMap({ namespace: 'default', body: aConfigMap('after') });
    expect(Number(next.metadata?.resourceVersion)).toBeGreaterThan(versionBefore);
    await test.apps.createNamespacedDeployment({ namespace: 'default', body: aDeployment('resumed', { replicas: 1 }) });
    await eventually(() => test.cluster.store.list('pods', { labelSelector: 'app=resumed' }).length === 1, 10_000, 'controllers to run after restart');
  });

  it('refuses connections while stopped', async () => {
    const test = await start();
    await test.cluster.stop();
    expect(test.cluster.running).toBe(false);
    await expect(fetch(`${test.cluster.url}/version`)).rejects.toThrow();
  });
});

describe('persistence', () => {
  it('a new cluster on the same data directory loads the objects and continues the resourceVersion', async () => {
    const first = await start();
    await first.core.createNamespace({ body: { metadata: { name: 'kept' } } });
    const created = await first.core.createNamespacedConfigMap({ namespace: 'kept', body: aConfigMap('settings', { a: '1' }, {}, 'kept') });
    await first.cluster.stop();

    const second = await startEmbeddedCluster({ dataDir: first.dataDir, timeScale: FAST_TIME_SCALE });
    try {
      const loaded = second.store.get('configmaps', 'kept', 'settings');
      expect(loaded?.metadata.uid).toBe(created.metadata?.uid);
      expect(loaded?.['data']).toEqual({ a: '1' });
      expect(second.store.currentResourceVersion).toBeGreaterThanOrEqual(Number(created.metadata?.resourceVersion));
    } finally {
      await second.stop();
    }
  });
});
