import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { aConfigMap, aDeployment, eventually, aClusterPerTest, statusCodeOf, statusOf, type TestCluster } from './helpers.ts';

let test: TestCluster;
aClusterPerTest((started) => (test = started));

describe('object CRUD through client-node', () => {
  it('creates, reads, updates and deletes a ConfigMap with server-set metadata', async () => {
    const created = await test.core.createNamespacedConfigMap({ namespace: 'default', body: aConfigMap('settings') });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number(created.metadata?.resourceVersion)).toBeGreaterThan(0);
    expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date);

    const read = await test.core.readNamespacedConfigMap({ name: 'settings', namespace: 'default' });
    const updated = await test.core.replaceNamespacedConfigMap({ name: 'settings', namespace: 'default', body: { ...read, data: { key: 'changed' } } });
    expect(updated.data).toEqual({ key: 'changed' });
    expect(Number(updated.metadata?.resourceVersion)).toBeGreaterThan(Number(read.metadata?.resourceVersion));

    await test.core.deleteNamespacedConfigMap({ name: 'settings', namespace: 'default' });
    expect(await statusCodeOf(test.core.readNamespacedConfigMap({ name: 'settings', namespace: 'default' }))).toBe(404);
  });

  it('answers a missing object with a NotFound Status naming the resource', async () => {
    const status = await statusOf(test.apps.readNamespacedDeployment({ name: 'ghost', namespace: 'default' }));
    expect(status).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'deployments.apps "ghost" not found' });
  });

  it('rejects creating an object whose name is taken with 409 AlreadyExists', async () => {
    await test.core.createNamespacedConfigMap({ namespace: 'default', body: aConfigMap('twice') });
    const status = await statusOf(test.core.createNamespacedConfigMap({ namespace: 'default', body: aConfigMap('twice') }));
    expect(status).toMatchObject({ code: 409, reason: 'AlreadyExists' });
  });

  it('rejects an update carrying a stale resourceVersion with 409 Conflict', async () => {
    const created = await test.core.createNamespacedConfigMap({ namespace: 'default', body: aConfigMap('contended') });
    await test.core.replaceNamespacedConfigMap({ name: 'contended', namespace: 'default', body: { ...created, data: { key: 'first' } } });
    const status = await statusOf(test.core.replaceNamespacedConfigMap({ name: 'contended', namespace: 'default', body: { ...created, data: { key: 'second' } } }));
    expect(status).toMatchObject({ code: 409, reason: 'Conflict' });
    expect(status.message).toContain('the object has been modified');
  });

  it('rejects a manifest that violates the schema with 422 Invalid listing each field', async () => {
    const bad = aDeployment('broken');
    (bad.spec as Record<string, unknown>)['replicas'] = 'three';
    bad.spec.template.spec.containers[0] = { name: 'app' } as never;
    const status = await statusOf(test.apps.createNamespacedDeployment({ namespace: 'default', body: bad as never }));
    expect(status.code).toBe(422);
    expect(status.reason).toBe('Invalid');
    expect(status.details?.causes?.map((cause) => cause.field)).toEqual(expect.arrayContaining(['spec.replicas', 'spec.template.spec.containers[0].image']));
  });

  it('rejects names that are not DNS-1123 with 422 Invalid', async () => {
    const status = await statusOf(test.core.createNamespacedConfigMap({ namespace: 'default', body: aConfigMap('Not_Valid') }));
    expect(status).toMatchObject({ code: 422, reason: 'Invalid' });
    expect(status.details?.causes?.[0]?.field).toBe('metadata.name');
  });

  it('bumps generation on spec changes but not on metadata changes', async () => {
    await test.apps.createNamespacedDeployment({ namespace: 'default', body: aDeployment('gen') });
    const labelled = await test.apps.patchNamespacedDeployment({ name: 'gen', namespace: 'default', body: { metadata: { labels: { team: 'a' } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    expect(labelled.metadata?.generation).toBe(1);
    const scaled = await test.apps.patchNamespacedDeployment({ name: 'gen', namespace: 'default', body: [{ op: 'replace', path: '/spec/replicas', value: 4 }] }, setHeaderOptions('Content-Type', PatchStrategy.JsonPatch));
    expect(scaled.metadata?.generation).toBe(2);
  });

  it('merges containers and env by name in strategic merge patches', async () => {
    const deployment = aDeployment('merge');
    deployment.spec.template.spec.containers.push({ name: 'sidecar', image: 'registry.local/proxy:1', ports: [] });
    await test.apps.createNamespacedDeployment({ namespace: 'default', body: deployment });
    const patch = { spec: { template: { spec: { containers: [{ name: 'app', image: 'registry.local/app:2.0.0', env: [{ name: 'MODE', value: 'fast' }] }] } } } };
    const patched = await test.apps.patchNamespacedDeployment({ name: 'merge', namespace: 'default', body: patch }, setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch));
    const containers = patched.spec?.template.spec?.containers ?? [];
    expect(containers.map((container) => [container.name, container.image])).toEqual([
      ['app', 'registry.local/app:2.0.0'],
      ['sidecar', 'registry.local/proxy:1'],
    ]);
    expect(containers[0]?.env).toEqual([{ name: 'MODE', value: 'fast' }]);
  });

  it('creates with server-side apply when missing and merges into the object when present', async () => {
    const options = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);
    await test.core.patchNamespacedConfigMap({ name: 'applied', namespace: 'default', body: aConfigMap('applied', { a: '1' }), fieldManager: 'gantry' }, options);
    const merged = await test.core.patchNamespacedConfigMap({ name: 'applied', namespace: 'default', body: aConfigMap('applied', { b: '2' }), fieldManager: 'gantry' }, options);
    expect(merged.data).toEqual({ a: '1', b: '2' });
  });

  it('rejects strategic merge patches of custom resources with 415 as a real cluster does', async () => {
    const virtualService = { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'web' }, spec: { hosts: ['web'] } };
    await test.custom.createNamespacedCustomObject({ group: 'networking.istio.io', version: 'v1', namespace: 'default', plural: 'virtualservices', body: virtualService });
    const code = await statusCodeOf(
      test.custom.patchNamespacedCustomObject({ group: 'networking.istio.io', version: 'v1', namespace: 'default', plural: 'virtualservices', name: 'web', body: { spec: { hosts: ['x'] } } }, setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch)),
    );
    expect(code).toBe(415);
    const merged = (await test.custom.patchNamespacedCustomObject(
      { group: 'networking.istio.io', version: 'v1', namespace: 'default', plural: 'virtualservices', name: 'web', body: { spec: { gateways: ['mesh'] } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )) as { spec: Record<string, unknown> };
    expect(merged.spec).toEqual({ hosts: ['web'], gateways: ['mesh'] });
  });

  it('validates Istio and Gateway API objects against their schemas', async () => {
    const badRule = { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'web' }, spec: { host: 7 } };
    const code = await statusCodeOf(test.custom.createNamespacedCustomObject({ group: 'networking.istio.io', version: 'v1', namespace: 'default', plural: 'destinationrules', body: badRule }));
    expect(code).toBe(422);
    const route = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'web' }, spec: { parentRefs: [{ name: 'gateway' }], rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] } };
    const created = (await test.custom.createNamespacedCustomObject({ group: 'gateway.networking.k8s.io', version: 'v1', namespace: 'default', plural: 'httproutes', body: route })) as { metadata: { uid: string } };
    expect(created.metadata.uid).toBeTruthy();
  });

  it('refuses to create objects in a namespace that does not exist', async () => {
    const status = await statusOf(test.core.createNamespacedConfigMap({ namespace: 'nowhere', body: aConfigMap('x', {}, {}, 'nowhere') }));
    expect(status).toMatchObject({ code: 404, message: 'namespaces "nowhere" not found' });
  });
});

describe('lists', () => {
  it('lists across all namespaces and reports the list resourceVersion', async () => {
    await test.core.createNamespace({ body: { metadata: { name: 'team-a' } } });
    await test.core.createNamespacedConfigMap({ namespace: 'team-a', body: aConfigMap('one', {}, {}, 'team-a') });
    await test.core.createNamespacedConfigMap({ namespace: 'default', body: aConfigMap('two') });
    const list = await test.core.listConfigMapForAllNamespaces();
    expect(list.items.map((item) => `${item.metadata?.namespace}/${item.metadata?.name}`)).toEqual(['default/two', 'team-a/one']);
    expect(Number(list.metadata?.resourceVersion)).toBe(test.cluster.store.currentResourceVersion);
  });

  it('filters by equality, inequality, set-based and existence label selectors', async () => {
    await test.core.createNamespacedConfigMap({ namespace: 'default', body: aConfigMap('web', {}, { app: 'web', tier: 'front' }) });
    await test.core.createNamespacedConfigMap({ namespace: 'default', body: aConfigMap('api', {}, { app: 'api', tier: 'back' }) });
    await test.core.createNamespacedConfigMap({ namespace: 'default', body: aConfigMap('db', {}, { app: 'db' }) });
    const names = async (labelSelector: string) => (await test.core.listNamespacedConfigMap({ namespace: 'default', labelSelector })).items.map((item) => item.metadata?.name);
    expect(await names('app=web')).toEqual(['web']);
    expect(await names('app!=web')).toEqual(['api', 'db']);
    expect(await names('app in (api,db)')).toEqual(['api', 'db']);
    expect(await names('app notin (api)')).toEqual(['db', 'web']);
    expect(await names('tier')).toEqual(['api', 'web']);
    expect(await names('!tier')).toEqual(['db']);
    expect(await names('tier,app=api')).toEqual(['api']);
  });

  it('filters by metadata.name and metadata.namespace field selectors', async () => {
    await test.core.createNamespacedConfigMap({ namespace: 'default', body: aConfigMap('wanted') });
    await test.core.createNamespacedConfigMap({ namespace: 'default', body: aConfigMap('other') });
    const byName = await test.core.listConfigMapForAllNamespaces({ fieldSelector: 'metadata.name=wanted,metadata.namespace=default' });
    expect(byName.items.map((item) => item.metadata?.name)).toEqual(['wanted']);
  });

  it('pages with limit and continue, consistently at the first page resourceVersion', async () => {
    for (const name of ['a', 'b', 'c', 'd', 'e']) await test.core.createNamespacedConfigMap({ namespace: 'default', body: aConfigMap(name) });
    const first = await test.core.listNamespacedConfigMap({ namespace: 'default', limit: 2 });
    expect(first.items.map((item) => item.metadata?.name)).toEqual(['a', 'b']);
    expect(first.metadata?.remainingItemCount).toBe(3);
    await test.core.deleteNamespacedConfigMap({ name: 'c', namespace: 'default' });
    await test.core.createNamespacedConfigMap({ namespace: 'default', body: aConfigMap('bb') });
    const second = await test.core.listNamespacedConfigMap({ namespace: 'default', limit: 2, _continue: first.metadata?._continue });
    expect(second.items.map((item) => item.metadata?.name)).toEqual(['c', 'd']);
    const third = await test.core.listNamespacedConfigMap({ namespace: 'default', limit: 2, _continue: second.metadata?._continue });
    expect(third.items.map((item) => item.metadata?.name)).toEqual(['e']);
    expect(third.metadata?._continue).toBeUndefined();
  });

  it('answers a continue token older than the retained history with HTTP 410', async () => {
    for (const name of ['a', 'b', 'c']) await test.core.createNamespacedConfigMap({ namespace: 'default', body: aConfigMap(name) });
    const first = await test.core.listNamespacedConfigMap({ namespace: 'default', limit: 1 });
    await test.core.createNamespacedConfigMap({ namespace: 'default', body: aConfigMap('later') });
    test.cluster.faults.expireHistory();
    const status = await statusOf(test.core.listNamespacedConfigMap({ namespace: 'default', limit: 1, _continue: first.metadata?._continue }));
    expect(status).toMatchObject({ code: 410, reason: 'Expired' });
  });
});

describe('deletion', () => {
  it('deletes every object in a namespace when the namespace is deleted', async () => {
    await test.core.createNamespace({ body: { metadata: { name: 'doomed' } } });
    await test.core.createNamespacedConfigMap({ namespace: 'doomed', body: aConfigMap('inside', {}, {}, 'doomed') });
    await test.apps.createNamespacedDeployment({ namespace: 'doomed', body: aDeployment('web', { namespace: 'doomed' }) });
    await eventually(() => test.cluster.store.list('pods', { namespace: 'doomed' }).length === 2, 10_000, 'pods to exist');
    const deleting = await test.core.deleteNamespace({ name: 'doomed' });
    expect((deleting as { status?: { phase?: string } }).status?.phase).toBe('Terminating');
    await eventually(() => !test.cluster.store.get('namespaces', undefined, 'doomed'), 10_000, 'namespace removal');
    expect(test.cluster.store.list('configmaps', { namespace: 'doomed' })).toEqual([]);
    expect(test.cluster.store.list('pods', { namespace: 'doomed' })).toEqual([]);
  });

  it('deletes the ReplicaSets and pods of a deleted Deployment through ownerReferences', async () => {
    await test.apps.createNamespacedDeployment({ namespace: 'default', body: aDeployment('owned') });
    await eventually(() => test.cluster.store.list('pods', { labelSelector: 'app=owned' }).length === 2, 10_000, 'pods');
    await test.apps.deleteNamespacedDeployment({ name: 'owned', namespace: 'default' });
    await eventually(() => test.cluster.store.list('replicasets').length === 0 && test.cluster.store.list('pods').length === 0, 10_000, 'cascade');
  });

  it('keeps dependents when deleting with the Orphan propagation policy', async () => {
    await test.apps.createNamespacedDeployment({ namespace: 'default', body: aDeployment('orphaned', { replicas: 1 }) });
    await eventually(() => test.cluster.store.list('replicasets').length === 1, 10_000, 'replica set');
    await test.apps.deleteNamespacedDeployment({ name: 'orphaned', namespace: 'default', propagationPolicy: 'Orphan' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const [replicaSet] = test.cluster.store.list('replicasets');
    expect(replicaSet?.metadata.ownerReferences).toBeUndefined();
  });
});
