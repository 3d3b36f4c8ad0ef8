import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../embedded-cluster/index.ts';
import { aClusterPerTest, aDeployment, eventually, specField, statusField, type Loose, type TestCluster } from './helpers.ts';

let test: TestCluster;
aClusterPerTest((started) => (test = started));

const status = statusField;
const spec = specField;
const isReady = (pod: KubeObject) => (status(pod)['conditions'] as Loose[] | undefined)?.some((c) => c['type'] === 'Ready' && c['status'] === 'True') ?? false;
const imageOf = (pod: KubeObject) => spec(pod)['containers'][0]['image'] as string;
const deploymentOf = (name: string) => test.cluster.store.get('deployments', 'default', name);

async function rolledOut(name: string, replicas: number, image?: string): Promise<void> {
  await eventually(
    () => {
      const deployment = deploymentOf(name);
      const current = status(deployment);
      const pods = test.cluster.store.list('pods', { labelSelector: `app=${name}` });
      return (
        current['observedGeneration'] === deployment?.metadata.generation &&
        current['updatedReplicas'] === replicas &&
        current['availableReplicas'] === replicas &&
        current['replicas'] === replicas &&
        pods.length === replicas &&
        pods.every((pod) => isReady(pod) && !pod.metadata.deletionTimestamp && (!image || imageOf(pod) === image))
      );
    },
    10_000,
    `deployment ${name} to roll out`,
  );
}

describe('deployment rollout', () => {
  it('creates a ReplicaSet named after the pod-template-hash and ready pods named after the ReplicaSet', async () => {
    await test.apps.createNamespacedDeployment({ namespace: 'default', body: aDeployment('web', { replicas: 3 }) });
    await rolledOut('web', 3);
    const [replicaSet] = test.cluster.store.list('replicasets');
    const hash = replicaSet?.metadata.labels?.['pod-template-hash'];
    expect(replicaSet?.metadata.name).toBe(`web-${hash}`);
    expect(replicaSet?.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'Deployment', name: 'web', controller: true });
    expect(status(replicaSet)).toMatchObject({ replicas: 3, readyReplicas: 3, availableReplicas: 3 });
    for (const pod of test.cluster.store.list('pods')) {
      expect(pod.metadata.name).toMatch(new RegExp(`^web-${hash}-[a-z0-9]{5}$`));
      expect(spec(pod)['nodeName']).toMatch(/^embedded-node-[123]$/);
      expect(status(pod)['phase']).toBe('Running');
      expect(status(pod)['containerStatuses'][0]).toMatchObject({ ready: true, restartCount: 0, state: { running: {} } });
      expect((status(pod)['conditions'] as Loose[]).map((c) => c['type'])).toEqual(expect.arrayContaining(['PodScheduled', 'Ready', 'ContainersReady', 'Initialized']));
    }
    const conditions = status(deploymentOf('web'))['conditions'] as Loose[];
    expect(conditions.find((c) => c['type'] === 'Available')).toMatchObject({ status: 'True', reason: 'MinimumReplicasAvailable' });
    expect(conditions.find((c) => c['type'] === 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable' });
  });

  it('rolls from image A to B without exceeding maxSurge or dropping below maxUnavailable', async () => {
    await test.apps.createNamespacedDeployment({ namespace: 'default', body: aDeployment('roll', { replicas: 4, image: 'registry.local/app:a' }) });
    await rolledOut('roll', 4);
    let minReady = Number.POSITIVE_INFINITY;
    let maxPods = 0;
    const unsubscribe = test.cluster.store.subscribe(() => {
      const pods = test.cluster.store.list('pods', { labelSelector: 'app=roll' }).filter((pod) => !pod.metadata.deletionTimestamp);
      minReady = Math.min(minReady, pods.filter(isReady).length);
      maxPods = Math.max(maxPods, pods.length);
    });
    await test.apps.patchNamespacedDeployment(
      { name: 'roll', namespace: 'default', body: { spec: { template: { spec: { containers: [{ name: 'app', image: 'registry.local/app:b' }] } } } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    await rolledOut('roll', 4, 'registry.local/app:b');
    unsubscribe();
    expect(minReady).toBeGreaterThanOrEqual(3);
    expect(maxPods).toBeLessThanOrEqual(5);
    const replicaSets = test.cluster.store.list('replicasets');
    expect(replicaSets.map((rs) => spec(rs)['replicas']).sort()).toEqual([0, 4]);
    expect(deploymentOf('roll')?.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
  });

  it('stops every old pod before starting new ones with the Recreate strategy', async () => {
    await test.apps.createNamespacedDeployment({ namespace: 'default', body: aDeployment('batch', { replicas: 2, image: 'registry.local/app:a', strategy: { type: 'Recreate' } }) });
    await rolledOut('batch', 2);
    let overlapped = false;
    const unsubscribe = test.cluster.store.subscribe(() => {
      const images = new Set(test.cluster.store.list('pods', { labelSelector: 'app=batch' }).map(imageOf));
      if (images.size > 1) overlapped = true;
    });
    await test.apps.patchNamespacedDeployment(
      { name: 'batch', namespace: 'default', body: { spec: { template: { spec: { containers: [{ name: 'app', image: 'registry.local/app:b' }] } } } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    await rolledOut('batch', 2, 'registry.local/app:b');
    unsubscribe();
    expect(overlapped).toBe(false);
  });

  it('scales through the scale subresource', async () => {
    await test.apps.createNamespacedDeployment({ namespace: 'default', body: aDeployment('scaled', { replicas: 1 }) });
    await rolledOut('scaled', 1);
    const scale = await test.apps.readNamespacedDeploymentScale({ name: 'scaled', namespace: 'default' });
    expect(scale).toMatchObject({ spec: { replicas: 1 }, status: { replicas: 1, selector: 'app=scaled' } });
    await test.apps.replaceNamespacedDeploymentScale({ name: 'scaled', namespace: 'default', body: { ...scale, spec: { replicas: 3 } } });
    await rolledOut('scaled', 3);
    await test.apps.patchNamespacedDeploymentScale({ name: 'scaled', namespace: 'default', body: { spec: { replicas: 2 } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    await rolledOut('scaled', 2);
  });

  it('does not roll out a new template while paused, and does once resumed', async () => {
    await test.apps.createNamespacedDeployment({ namespace: 'default', body: aDeployment('held', { replicas: 1, image: 'registry.local/app:a' }) });
    await rolledOut('held', 1);
    const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    await test.apps.patchNamespacedDeployment({ name: 'held', namespace: 'default', body: { spec: { paused: true } } }, merge);
    await test.apps.patchNamespacedDeployment({ name: 'held', namespace: 'default', body: [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'registry.local/app:b' }] });
    await eventually(() => (status(deploymentOf('held'))['conditions'] as Loose[]).some((c) => c['reason'] === 'DeploymentPaused'), 5000, 'paused condition');
    expect(test.cluster.store.list('replicasets')).toHaveLength(1);
    await test.apps.patchNamespacedDeployment({ name: 'held', namespace: 'default', body: { spec: { paused: false } } }, merge);
    await rolledOut('held', 1, 'registry.local/app:b');
  });

  it('reports ProgressDeadlineExceeded when pods never become ready', async () => {
    await test.apps.createNamespacedDeployment({ namespace: 'default', body: aDeployment('stuck', { replicas: 1, image: 'registry.local/app:1-unready', extraSpec: { progressDeadlineSeconds: 5 } }) });
    const progressing = await eventually(() => (status(deploymentOf('stuck'))['conditions'] as Loose[] | undefined)?.find((c) => c['type'] === 'Progressing' && c['reason'] === 'ProgressDeadlineExceeded'), 10_000, 'deadline');
    expect(progressing).toMatchObject({ status: 'False', message: expect.stringContaining('has timed out progressing') });
    expect(status(deploymentOf('stuck'))).toMatchObject({ availableReplicas: 0, unavailableReplicas: 1 });
  });

  it('records ScalingReplicaSet, SuccessfulCreate and pod lifecycle events with their involved objects', async () => {
    await test.apps.createNamespacedDeployment({ namespace: 'default', body: aDeployment('noisy', { replicas: 1 }) });
    await rolledOut('noisy', 1);
    const events = await eventually(() => {
      const all = test.cluster.store.list('events', { namespace: 'default' });
      return all.length >= 7 ? all : undefined;
    }, 5000, 'events');
    const summary = events.map((event) => `${(event['involvedObject'] as Loose)['kind']}:${event['reason']}`);
    expect(summary).toEqual(expect.arrayContaining(['Deployment:ScalingReplicaSet', 'ReplicaSet:SuccessfulCreate', 'Pod:Scheduled', 'Pod:Pulled', 'Pod:Created', 'Pod:Started']));
  });
});
