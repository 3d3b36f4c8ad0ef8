/**
 * The Deployment controller: one ReplicaSet per pod template (`<deploy>-<pod-template-hash>`),
 * rolled with the RollingUpdate (maxSurge/maxUnavailable) or Recreate strategy, honouring
 * `paused`, pruning old ReplicaSets past `revisionHistoryLimit`, and reporting status.
 */
import type { ChangeEvent } from '../history.ts';
import { cloneObject, controllerOf, controllerReference, objectKey, safeHash, type KubeObject } from '../objects.ts';
import type { LabelSelector } from '../selectors.ts';
import type { Controller, ControllerContext } from './context.ts';
import { deploymentStatus, ProgressTracker, type DeploymentSpecView } from './deployment-status.ts';
import { podsControlledBy, replicaSetParts } from './replicaset.ts';
import { isPodActive } from './pod-status.ts';
import { newReplicaSetReplicas, oldReplicaSetReplicas, surgeAndUnavailable, type ReplicaCounts } from './rollout.ts';
import { WorkQueue } from './work-queue.ts';

const REVISION = 'deployment.kubernetes.io/revision';

function revisionOf(object: KubeObject): number {
  return Number(object.metadata.annotations?.[REVISION] ?? 0) || 0;
}

function countsOf(replicaSet: KubeObject): ReplicaCounts {
  const { spec, status } = replicaSetParts(replicaSet);
  return { name: replicaSet.metadata.name, desired: spec.replicas ?? 0, available: status.availableReplicas ?? 0 };
}

/** Reconciles Deployments into ReplicaSets. */
export class DeploymentController implements Controller {
  private readonly queue: WorkQueue;
  private readonly progress = new Map<string, ProgressTracker>();

  constructor(private readonly context: ControllerContext) {
    this.queue = new WorkQueue(context.clock, (key) => this.reconcile(key));
  }

  handle(event: ChangeEvent): void {
    const { object } = event;
    if (event.resource.id === 'deployments.apps') {
      if (event.type === 'DELETED') this.progress.delete(object.metadata.uid ?? '');
      else this.queue.add(objectKey(object.metadata.namespace, object.metadata.name));
    }
    if (event.resource.id === 'replicasets.apps') {
      const owner = controllerOf(object);
      if (owner?.kind === 'Deployment') this.queue.add(objectKey(object.metadata.namespace, owner.name));
    }
    // Recreate waits for old pods to be gone, which changes no ReplicaSet: watch pod removals too.
    if (event.resource.id === 'pods' && event.type === 'DELETED') {
      const replicaSetRef = controllerOf(object);
      const replicaSet = replicaSetRef?.kind === 'ReplicaSet' ? this.context.store.get('replicasets', object.metadata.namespace, replicaSetRef.name) : undefined;
      const owner = replicaSet && controllerOf(replicaSet);
      if (owner?.kind === 'Deployment') this.queue.add(objectKey(object.metadata.namespace, owner.name));
    }
  }

  resync(): void {
    for (const deployment of this.context.store.list('deployments')) this.queue.add(objectKey(deployment.metadata.namespace, deployment.metadata.name));
  }

  stop(): void {
    this.queue.stop();
  }

  private reconcile(key: string): void {
    const [namespace = '', name = ''] = key.split('/');
    const deployment = this.context.store.get('deployments', namespace, name);
    if (!deployment || deployment.metadata.deletionTimestamp) return;
    const spec = (deployment['spec'] ?? {}) as DeploymentSpecView;
    const owned = this.context.store.list('replicasets', { namespace }).filter((rs) => controllerOf(rs)?.uid === deployment.metadata.uid);
    const hash = safeHash(spec.template ?? {});
    let newSet = owned.find((rs) => rs.metadata.labels?.['pod-template-hash'] === hash);
    const oldSets = owned.filter((rs) => rs !== newSet).sort((a, b) => revisionOf(a) - revisionOf(b));

    if (!spec.paused) {
      if (newSet) newSet = this.syncRevision(deployment, newSet, oldSets);
      newSet = spec.strategy?.type === 'Recreate' ? this.recreate(deployment, spec, hash, newSet, oldSets) : this.rollingUpdate(deployment, spec, hash, newSet, oldSets);
      this.pruneHistory(deployment, spec, oldSets);
    }
    this.writeStatus(deployment, spec, newSet);
  }

  private rollingUpdate(deployment: KubeObject, spec: DeploymentSpecView, hash: string, newSet: KubeObject | undefined, oldSets: KubeObject[]): KubeObject | undefined {
    const replicas = spec.replicas ?? 1;
    const rolling = spec.strategy?.rollingUpdate;
    const { surge, unavailable } = surgeAndUnavailable(replicas, rolling?.maxSurge, rolling?.maxUnavailable);
    const oldCounts = oldSets.map(countsOf);
    const newCounts = newSet ? countsOf(newSet) : { name: '', desired: 0, available: 0 };
    const wantedNew = newReplicaSetReplicas(replicas, surge, newCounts, oldCounts);
    const current = newSet ?? this.createReplicaSet(deployment, spec, hash, oldSets);
    if (wantedNew !== newCounts.desired) this.scale(deployment, current, newCounts.desired, wantedNew);

    const oldTargets = oldReplicaSetReplicas(replicas, unavailable, { ...newCounts, desired: wantedNew }, oldCounts);
    for (const set of oldSets) {
      const target = oldTargets.get(set.metadata.name) ?? 0;
      const before = replicaSetParts(set).spec.replicas ?? 0;
      if (target !== before) this.scale(deployment, set, before, target);
    }
    return this.context.store.get('replicasets', current.metadata.namespace, current.metadata.name);
  }

  /** Recreate: every old pod must be gone before the new ReplicaSet gets any replicas. */
  private recreate(deployment: KubeObject, spec: DeploymentSpecView, hash: string, newSet: KubeObject | undefined, oldSets: KubeObject[]): KubeObject | undefined {
    for (const set of oldSets) {
      const before = replicaSetParts(set).spec.replicas ?? 0;
      if (before !== 0) this.scale(deployment, set, before, 0);
    }
    // Terminating pods still run, so they count: new pods start only once old ones are gone.
    const oldPodsRemain = oldSets.some((set) => podsControlledBy(this.context, set).some((pod) => isPodActive(pod) || pod.metadata.deletionTimestamp));
    if (oldPodsRemain) return newSet;
    const current = newSet ?? this.createReplicaSet(deployment, spec, hash, oldSets);
    const before = replicaSetParts(current).spec.replicas ?? 0;
    if (before !== (spec.replicas ?? 1)) this.scale(deployment, current, before, spec.replicas ?? 1);
    return this.context.store.get('replicasets', current.metadata.namespace, current.metadata.name);
  }

  /** A rollback reuses an old ReplicaSet: it becomes the newest revision again, as `kubectl rollout history` expects. */
  private syncRevision(deployment: KubeObject, newSet: KubeObject, oldSets: KubeObject[]): KubeObject {
    let revision = revisionOf(newSet);
    const newest = Math.max(0, ...oldSets.map(revisionOf));
    let current = newSet;
    if (revision <= newest) {
      revision = newest + 1;
      current = this.context.api.patch('replicasets', newSet.metadata.namespace, newSet.metadata.name, 'merge', { metadata: { annotations: { [REVISION]: String(revision) } } });
    }
    if (revisionOf(deployment) !== revision) {
      this.context.api.patch('deployments', deployment.metadata.namespace, deployment.metadata.name, 'merge', { metadata: { annotations: { [REVISION]: String(revision) } } });
    }
    return current;
  }

  private createReplicaSet(deployment: KubeObject, spec: DeploymentSpecView, hash: string, oldSets: KubeObject[]): KubeObject {
    const revision = Math.max(0, ...oldSets.map(revisionOf)) + 1;
    const template = cloneObject(spec.template ?? {});
    template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, 'pod-template-hash': hash } };
    const selector: LabelSelector = { ...spec.selector, matchLabels: { ...spec.selector?.matchLabels, 'pod-template-hash': hash } };
    const replicas = spec.replicas ?? 1;
    const name = `${deployment.metadata.name}-${hash}`;
    const created = this.context.api.create('replicasets', deployment.metadata.namespace, {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name,
        namespace: deployment.metadata.namespace,
        labels: { ...template.metadata.labels },
        annotations: { [REVISION]: String(revision), 'deployment.kubernetes.io/desired-replicas': String(replicas), 'deployment.kubernetes.io/max-replicas': String(replicas + 1) },
        ownerReferences: [controllerReference(deployment)],
      },
      spec: { replicas: 0, selector, template },
    });
    this.context.api.patch('deployments', deployment.metadata.namespace, deployment.metadata.name, 'merge', { metadata: { annotations: { [REVISION]: String(revision) } } });
    this.progressOf(deployment).markProgress(this.context.clock.now().getTime(), `Created new replica set "${name}"`, 'NewReplicaSetCreated');
    return created;
  }

  private scale(deployment: KubeObject, replicaSet: KubeObject, from: number, to: number): void {
    this.context.api.patch('replicasets', replicaSet.metadata.namespace, replicaSet.metadata.name, 'merge', {
      metadata: { annotations: { 'deployment.kubernetes.io/desired-replicas': String((deployment['spec'] as DeploymentSpecView).replicas ?? 1) } },
      spec: { replicas: to },
    });
    const direction = to > from ? 'up' : 'down';
    this.context.events.record(deployment, 'Normal', 'ScalingReplicaSet', `Scaled ${direction} replica set ${replicaSet.metadata.name} from ${from} to ${to}`, 'deployment-controller');
  }

  /** Deletes the oldest scaled-down ReplicaSets beyond `revisionHistoryLimit`. */
  private pruneHistory(deployment: KubeObject, spec: DeploymentSpecView, oldSets: KubeObject[]): void {
    const limit = spec.revisionHistoryLimit ?? 10;
    const idle = oldSets.filter((set) => (replicaSetParts(set).spec.replicas ?? 0) === 0 && (replicaSetParts(set).status.replicas ?? 0) === 0);
    for (const set of idle.slice(0, Math.max(0, idle.length - limit))) {
      this.context.api.delete('replicasets', deployment.metadata.namespace, set.metadata.name);
    }
  }

  private progressOf(deployment: KubeObject): ProgressTracker {
    const uid = deployment.metadata.uid ?? '';
    let tracker = this.progress.get(uid);
    if (!tracker) {
      tracker = new ProgressTracker(this.context.clock.now().getTime());
      this.progress.set(uid, tracker);
    }
    return tracker;
  }

  private writeStatus(deployment: KubeObject, spec: DeploymentSpecView, newSet: KubeObject | undefined): void {
    const current = this.context.store.get('deployments', deployment.metadata.namespace, deployment.metadata.name);
    if (!current) return;
    const owned = this.context.store.list('replicasets', { namespace: current.metadata.namespace }).filter((rs) => controllerOf(rs)?.uid === current.metadata.uid);
    const tracker = this.progressOf(current);
    const result = deploymentStatus({ deployment: current, spec, newSet, owned, tracker, now: this.context.clock.now(), timeScale: this.context.clock.timeScale });
    if (result.recheckAfterMs !== undefined) this.queue.addAfter(objectKey(current.metadata.namespace, current.metadata.name), result.recheckAfterMs);
    if (JSON.stringify(result.status) === JSON.stringify(current['status'])) return;
    this.context.store.update('deployments', { ...current, metadata: { ...current.metadata }, status: result.status });
  }
}
