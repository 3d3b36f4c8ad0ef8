import { makeInformer, Watch, type V1ConfigMap } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import type { EmbeddedClusterOptions } from '../../embedded-cluster/index.ts';
import { aConfigMap, eventually, startTestCluster, type TestCluster } from './helpers.ts';

interface WatchedEvent {
  type: string;
  object: { kind?: string; apiVersion?: string; code?: number; reason?: string; metadata?: { name?: string; resourceVersion?: string; annotations?: Record<string, string> } };
}

interface Collected {
  events: WatchedEvent[];
  /** Resolves with the error passed to `done` (null for a clean end). */
  ended: Promise<unknown>;
  stop(): void;
}

let test: TestCluster;
async function start(options: EmbeddedClusterOptions = {}): Promise<TestCluster> {
  test = await startTestCluster(options);
  return test;
}
afterEach(async () => {
  await test.close();
});

async function watchConfigMaps(query: Record<string, string | number | boolean>): Promise<Collected> {
  const events: WatchedEvent[] = [];
  let finish: (error: unknown) => void = () => undefined;
  const ended = new Promise<unknown>((resolve) => (finish = resolve));
  const controller = await new Watch(test.kubeConfig).watch('/api/v1/namespaces/default/configmaps', query, (type, object) => events.push({ type, object }), (error) => finish(error));
  return { events, ended, stop: () => controller.abort() };
}

const names = (events: WatchedEvent[]) => events.map((event) => `${event.type} ${event.object.metadata?.name ?? ''}`);

describe('watch', () => {
  it('sends the current objects as ADDED when no resourceVersion is given, then live changes', async () => {
    await start();
    await test.core.createNamespacedConfigMap({ namespace: 'default', body: aConfigMap('existing') });
    const watch = await watchConfigMaps({});
    await test.core.createNamespacedConfigMap({ namespace: 'default', body: aConfigMap('fresh') });
    await eventually(() => watch.events.length === 2, 5000, 'two events');
    expect(names(watch.events)).toEqual(['ADDED existing', 'ADDED fresh']);
    watch.stop();
  });

  it('replays every change after the given resourceVersion, in order', async () => {
    await start();
    await test.core.createNamespacedConfigMap({ namespace: 'default', body: aConfigMap('kept') });
    await test.core.createNamespacedConfigMap({ namespace: 'default', body: aConfigMap('removed') });
    const listed = await test.core.listNamespacedConfigMap({ namespace: 'default' });
    await test.core.patchNamespacedConfigMap({ name: 'kept', namespace: 'default', body: [{ op: 'add', path: '/data/extra', value: '1' }] });
    await test.core.deleteNamespacedConfigMap({ name: 'removed', namespace: 'default' });
    await test.core.createNamespacedConfigMap({ namespace: 'default', body: aConfigMap('added') });

    const watch = await watchConfigMaps({ resourceVersion: listed.metadata?.resourceVersion ?? '' });
    await eventually(() => watch.events.length === 3, 5000, 'replayed events');
    expect(names(watch.events)).toEqual(['MODIFIED kept', 'DELETED removed', 'ADDED added']);
    const versions = watch.events.map((event) => Number(event.object.metadata?.resourceVersion));
    expect([...versions].sort((a, b) => a - b)).toEqual(versions);
    watch.stop();
  });

  it('answers a resourceVersion older than the retained history with an in-stream 410 ERROR and ends the stream', async () => {
    await start();
    const old = await test.core.createNamespacedConfigMap({ namespace: 'default', body: aConfigMap('old') });
    await test.core.createNamespacedConfigMap({ namespace: 'default', body: aConfigMap('newer') });
    test.cluster.faults.expireHistory();
    const watch = await watchConfigMaps({ resourceVersion: old.metadata?.resourceVersion ?? '' });
    expect(await watch.ended).toBeNull();
    expect(watch.events).toHaveLength(1);
    expect(watch.events[0]).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });
  });

  it('evicts history beyond historySize, so old resourceVersions get 410', async () => {
    await start({ historySize: 3 });
    const first = await test.core.createNamespacedConfigMap({ namespace: 'default', body: aConfigMap('c0') });
    for (let i = 1; i <= 4; i++) await test.core.createNamespacedConfigMap({ namespace: 'default', body: aConfigMap(`c${i}`) });
    const watch = await watchConfigMaps({ resourceVersion: first.metadata?.resourceVersion ?? '' });
    await watch.ended;
    expect(watch.events[0]?.object.code).toBe(410);
  });

  it('sends periodic BOOKMARK events carrying only kind, apiVersion and resourceVersion when allowed', async () => {
    await start({ bookmarkIntervalMs: 5000 });
    const watch = await watchConfigMaps({ allowWatchBookmarks: true, resourceVersion: String(test.cluster.store.currentResourceVersion) });
    await eventually(() => watch.events.some((event) => event.type === 'BOOKMARK'), 5000, 'a bookmark');
    const bookmark = watch.events.find((event) => event.type === 'BOOKMARK');
    expect(bookmark?.object).toEqual({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: String(test.cluster.store.currentResourceVersion) } });
    watch.stop();
  });

  it('sends no BOOKMARK events to watchers that did not ask for them', async () => {
    await start({ bookmarkIntervalMs: 1000 });
    const watch = await watchConfigMaps({ resourceVersion: String(test.cluster.store.currentResourceVersion) });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(watch.events).toEqual([]);
    watch.stop();
  });

  it('ends the watch cleanly after timeoutSeconds', async () => {
    await start();
    const startedAt = Date.now();
    const watch = await watchConfigMaps({ timeoutSeconds: 1, resourceVersion: String(test.cluster.store.currentResourceVersion) });
    expect(await watch.ended).toBeNull();
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(900);
  });

  it('turns label changes into ADDED and DELETED for a label-selected watch', async () => {
    await start();
    await test.core.createNamespacedConfigMap({ namespace: 'default', body: aConfigMap('moving', {}, { tier: 'cold' }) });
    const watch = await watchConfigMaps({ labelSelector: 'tier=hot', resourceVersion: String(test.cluster.store.currentResourceVersion) });
    const relabel = (tier: string) => test.core.patchNamespacedConfigMap({ name: 'moving', namespace: 'default', body: [{ op: 'replace', path: '/metadata/labels/tier', value: tier }] });
    await relabel('hot');
    await relabel('cold');
    await eventually(() => watch.events.length === 2, 5000, 'two events');
    expect(names(watch.events)).toEqual(['ADDED moving', 'DELETED moving']);
    watch.stop();
  });

  it('sends initial events followed by a bookmark marking their end when sendInitialEvents is set', async () => {
    await start();
    await test.core.createNamespacedConfigMap({ namespace: 'default', body: aConfigMap('present') });
    const watch = await watchConfigMaps({ sendInitialEvents: true, allowWatchBookmarks: true, resourceVersionMatch: 'NotOlderThan' });
    await eventually(() => watch.events.length === 2, 5000, 'initial events');
    expect(watch.events[0]?.type).toBe('ADDED');
    expect(watch.events[1]).toMatchObject({ type: 'BOOKMARK', object: { metadata: { annotations: { 'k8s.io/initial-events-end': 'true' } } } });
    watch.stop();
  });
});

describe('informer', () => {
  it('keeps a client-node informer cache in sync with adds, updates and deletes', async () => {
    await start();
    await test.core.createNamespacedConfigMap({ namespace: 'default', body: aConfigMap('before') });
    const informer = makeInformer<V1ConfigMap>(test.kubeConfig, '/api/v1/namespaces/default/configmaps', () => test.core.listNamespacedConfigMap({ namespace: 'default' }));
    const seen: string[] = [];
    informer.on('add', (object) => seen.push(`add ${object.metadata?.name}`));
    informer.on('update', (object) => seen.push(`update ${object.metadata?.name}`));
    informer.on('delete', (object) => seen.push(`delete ${object.metadata?.name}`));
    await informer.start();
    await test.core.createNamespacedConfigMap({ namespace: 'default', body: aConfigMap('after') });
    await test.core.patchNamespacedConfigMap({ name: 'before', namespace: 'default', body: [{ op: 'add', path: '/data/x', value: 'y' }] });
    await test.core.deleteNamespacedConfigMap({ name: 'after', namespace: 'default' });
    await eventually(() => seen.length === 4, 5000, 'informer events');
    expect(seen).toEqual(['add before', 'add after', 'update before', 'delete after']);
    expect(informer.list().map((item) => item.metadata?.name)).toEqual(['before']);
    await informer.stop();
  });
});
