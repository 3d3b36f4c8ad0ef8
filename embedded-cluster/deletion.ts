/**
 * Deletion with the real server's semantics: preconditions, graceful pod termination
 * (deletionTimestamp first, removal by the simulated kubelet), finalizers, namespace
 * termination, and the three propagation policies. Background removal of dependents is the
 * garbage collector's job once the owner is gone.
 */
import type { SimulationClock } from './clock.ts';
import { conflict } from './errors.ts';
import { toKubeTime, type KubeObject } from './objects.ts';
import { RESOURCE_TYPES, type ResourceType } from './resources.ts';
import type { ObjectStore } from './store.ts';

/** The `DeleteOptions` a client may send (body or query). */
export interface DeleteOptions {
  gracePeriodSeconds?: number | undefined;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground' | undefined;
  preconditions?: { uid?: string; resourceVersion?: string } | undefined;
  dryRun?: boolean | undefined;
}

/** The finalizer that holds an owner until its dependents are gone (foreground deletion). */
export const FOREGROUND_FINALIZER = 'foregroundDeletion';

function markDeleting(object: KubeObject, now: Date, graceSeconds: number, extraFinalizer?: string): KubeObject {
  const metadata = { ...object.metadata };
  metadata.deletionTimestamp = toKubeTime(new Date(now.getTime() + graceSeconds * 1000));
  metadata.deletionGracePeriodSeconds = graceSeconds;
  if (extraFinalizer && !metadata.finalizers?.includes(extraFinalizer)) metadata.finalizers = [...(metadata.finalizers ?? []), extraFinalizer];
  return { ...object, metadata };
}

/** Returns the objects whose ownerReferences name `uid`. */
export function dependentsOf(store: ObjectStore, uid: string): Array<{ type: ResourceType; object: KubeObject }> {
  const dependents: Array<{ type: ResourceType; object: KubeObject }> = [];
  for (const type of RESOURCE_TYPES) {
    if (!type.namespaced) continue;
    for (const object of store.list(type)) {
      if (object.metadata.ownerReferences?.some((ref) => ref.uid === uid)) dependents.push({ type, object });
    }
  }
  return dependents;
}

/**
 * Deletes (or starts deleting) one object and returns its state afterwards.
 * @throws ApiError 404 when missing, 409 when a precondition fails.
 */
export function deleteObject(
  store: ObjectStore,
  clock: SimulationClock,
  type: ResourceType,
  namespace: string | undefined,
  name: string,
  options: DeleteOptions,
): KubeObject {
  const current = store.require(type, namespace, name);
  const { preconditions } = options;
  if (preconditions?.uid && preconditions.uid !== current.metadata.uid) {
    throw conflict(type, name, `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${current.metadata.uid ?? ''}`);
  }
  if (preconditions?.resourceVersion && preconditions.resourceVersion !== current.metadata.resourceVersion) {
    throw conflict(type, name, `Precondition failed: ResourceVersion in precondition: ${preconditions.resourceVersion}, ResourceVersion in meta: ${current.metadata.resourceVersion ?? ''}`);
  }
  if (options.dryRun) return current;
  const now = clock.now();

  if (type.id === 'pods') return deletePod(store, current, options, now);
  if (current.metadata.deletionTimestamp) return current;

  if (type.id === 'namespaces') {
    const terminating = markDeleting(current, now, 0);
    terminating['status'] = { ...(current['status'] as object), phase: 'Terminating' };
    return store.update(type, terminating);
  }
  if (options.propagationPolicy === 'Orphan') orphanDependents(store, current);
  if (options.propagationPolicy === 'Foreground' && current.metadata.uid && dependentsOf(store, current.metadata.uid).length > 0) {
    return store.update(type, markDeleting(current, now, 0, FOREGROUND_FINALIZER));
  }
  if (current.metadata.finalizers?.length) return store.update(type, markDeleting(current, now, 0));
  return store.remove(type, namespace, name);
}

/**
 * Pods on a node terminate gracefully: they get a deletionTimestamp and the simulated
 * kubelet removes them once their containers have stopped. Unscheduled or finished pods,
 * and a zero grace period, remove them at once.
 */
function deletePod(store: ObjectStore, pod: KubeObject, options: DeleteOptions, now: Date): KubeObject {
  const spec = (pod['spec'] ?? {}) as { nodeName?: string; terminationGracePeriodSeconds?: number };
  const phase = (pod['status'] as { phase?: string } | undefined)?.phase;
  const grace = options.gracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30;
  const immediate = grace <= 0 || !spec.nodeName || phase === 'Succeeded' || phase === 'Failed';
  if (immediate && !pod.metadata.finalizers?.length) return store.remove('pods', pod.metadata.namespace, pod.metadata.name);
  if (pod.metadata.deletionTimestamp) return pod;
  return store.update('pods', markDeleting(pod, now, Math.max(grace, 0)));
}

function orphanDependents(store: ObjectStore, owner: KubeObject): void {
  const uid = owner.metadata.uid;
  if (!uid) return;
  for (const { type, object } of dependentsOf(store, uid)) {
    const ownerReferences = object.metadata.ownerReferences?.filter((ref) => ref.uid !== uid) ?? [];
    const metadata = { ...object.metadata, ownerReferences };
    if (ownerReferences.length === 0) delete (metadata as Partial<typeof metadata>).ownerReferences;
    store.update(type, { ...object, metadata });
  }
}
