/**
 * The ReplicaSet controller: keeps `spec.replicas` pods (named `<rs>-<5 chars>`) owned by
 * each ReplicaSet, deletes surplus ones least-valuable first, and reports status.
 */
import type { ChangeEvent } from '../history.ts';
import { cloneObject, controllerOf, controllerReference, objectKey, randomSuffix, type KubeObject } from '../objects.ts';
import type { Controller, ControllerContext } from './context.ts';
import { isPodActive, isPodReady, podParts } from './pod-status.ts';
import { WorkQueue } from './work-queue.ts';

/** Spec and status of a ReplicaSet, as far as controllers read them. */
export interface ReplicaSetView {
  spec: { replicas?: number; template?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: unknown } };
  status: { replicas?: number; readyReplicas?: number; availableReplicas?: number; fullyLabeledReplicas?: number; observedGeneration?: number };
}

/** Returns spec and status of a ReplicaSet, typed. */
export function replicaSetParts(replicaSet: KubeObject): ReplicaSetView {
  return { spec: (replicaSet['spec'] ?? {}) as ReplicaSetView['spec'], status: (replicaSet['status'] ?? {}) as ReplicaSetView['status'] };
}

/** Returns the pods a ReplicaSet (or Job) controls. */
export function podsControlledBy(context: ControllerContext, owner: KubeObject): KubeObject[] {
  return context.store.list('pods', { namespace: owner.metadata.namespace }).filter((pod) => controllerOf(pod)?.uid === owner.metadata.uid);
}

/** Lower rank is deleted first: unscheduled, then not running, then not ready, then the newest. */
function deletionRank(pod: KubeObject): number[] {
  const { spec, status } = podParts(pod);
  const created = Date.parse(pod.metadata.creationTimestamp ?? '') || 0;
  return [spec.nodeName ? 1 : 0, status.phase === 'Running' ? 1 : 0, isPodReady(pod) ? 1 : 0, -created];
}

function compareRanks(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** Reconciles ReplicaSets against their pods. */
export class ReplicaSetController implements Controller {
  private readonly queue: WorkQueue;

  constructor(private readonly context: ControllerContext) {
    this.queue = new WorkQueue(context.clock, (key) => this.reconcile(key));
  }

  handle(event: ChangeEvent): void {
    const { object } = event;
    if (event.resource.id === 'replicasets.apps') this.queue.add(objectKey(object.metadata.namespace, object.metadata.name));
    if (event.resource.id === 'pods') {
      const owner = controllerOf(object);
      if (owner?.kind === 'ReplicaSet') this.queue.add(objectKey(object.metadata.namespace, owner.name));
    }
  }

  resync(): void {
    for (const replicaSet of this.context.store.list('replicasets')) this.queue.add(objectKey(replicaSet.metadata.namespace, replicaSet.metadata.name));
  }

  stop(): void {
    this.queue.stop();
  }

  private reconcile(key: string): void {
    const [namespace = '', name = ''] = key.split('/');
    const replicaSet = this.context.store.get('replicasets', namespace, name);
    if (!replicaSet || replicaSet.metadata.deletionTimestamp) return;
    const { spec } = replicaSetParts(replicaSet);
    const desired = spec.replicas ?? 1;
    const active = podsControlledBy(this.context, replicaSet).filter(isPodActive);

    if (active.length < desired) {
      for (let i = active.length; i < desired; i++) this.createPod(replicaSet);
    } else if (active.length > desired) {
      const surplus = [...active].sort((a, b) => compareRanks(deletionRank(a), deletionRank(b))).slice(0, active.length - desired);
      for (const pod of surplus) {
        this.context.api.delete('pods', namespace, pod.metadata.name);
        this.context.events.record(replicaSet, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`, 'replicaset-controller');
      }
    }
    this.updateStatus(replicaSet);
  }

  private createPod(replicaSet: KubeObject): void {
    const { template } = replicaSetParts(replicaSet).spec;
    const name = `${replicaSet.metadata.name}-${randomSuffix(5)}`;
    const metadata: KubeObject['metadata'] = {
      name,
      generateName: `${replicaSet.metadata.name}-`,
      namespace: replicaSet.metadata.namespace ?? 'default',
      labels: { ...template?.metadata?.labels },
      ownerReferences: [controllerReference(replicaSet)],
    };
    if (template?.metadata?.annotations) metadata.annotations = { ...template.metadata.annotations };
    this.context.api.create('pods', metadata.namespace, { apiVersion: 'v1', kind: 'Pod', metadata, spec: cloneObject(template?.spec ?? {}) });
    this.context.events.record(replicaSet, 'Normal', 'SuccessfulCreate', `Created pod: ${name}`, 'replicaset-controller');
  }

  private updateStatus(replicaSet: KubeObject): void {
    const current = this.context.store.get('replicasets', replicaSet.metadata.namespace, replicaSet.metadata.name);
    if (!current) return;
    const pods = podsControlledBy(this.context, current).filter(isPodActive);
    const ready = pods.filter(isPodReady).length;
    const status = {
      replicas: pods.length,
      fullyLabeledReplicas: pods.length,
      readyReplicas: ready,
      availableReplicas: ready,
      observedGeneration: current.metadata.generation ?? 1,
    };
    if (JSON.stringify(status) === JSON.stringify(current['status'])) return;
    this.context.store.update('replicasets', { ...current, metadata: { ...current.metadata }, status });
  }
}
