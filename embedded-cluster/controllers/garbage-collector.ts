/**
 * The garbage collector and the namespace controller: dependents are deleted once their
 * owner is gone (Background) or before it (Foreground), and a terminating namespace is
 * emptied and then removed.
 */
import { dependentsOf, FOREGROUND_FINALIZER } from '../deletion.ts';
import type { ChangeEvent } from '../history.ts';
import type { KubeObject, OwnerReference } from '../objects.ts';
import { findResourceByKind, RESOURCE_TYPES } from '../resources.ts';
import type { Controller, ControllerContext } from './context.ts';
import { WorkQueue } from './work-queue.ts';

/** Deletes dependents of deleted owners and drains terminating namespaces. */
export class GarbageCollector implements Controller {
  private readonly owners: WorkQueue;
  private readonly namespaces: WorkQueue;

  constructor(private readonly context: ControllerContext) {
    this.owners = new WorkQueue(context.clock, (uid) => this.collectDependents(uid));
    this.namespaces = new WorkQueue(context.clock, (name) => this.drainNamespace(name), 200);
  }

  handle(event: ChangeEvent): void {
    const { object } = event;
    const uid = object.metadata.uid ?? '';
    if (event.type === 'DELETED') this.owners.add(uid);
    if (object.metadata.finalizers?.includes(FOREGROUND_FINALIZER) && object.metadata.deletionTimestamp) this.owners.add(uid);
    if (event.type === 'DELETED') {
      // A dependent going away may be what a foreground deletion is waiting for.
      for (const owner of object.metadata.ownerReferences ?? []) this.owners.add(owner.uid);
    }
    if (event.resource.id === 'namespaces' && object.metadata.deletionTimestamp && event.type !== 'DELETED') this.namespaces.add(object.metadata.name);
    const namespace = object.metadata.namespace;
    if (namespace && event.type === 'DELETED' && this.context.store.get('namespaces', undefined, namespace)?.metadata.deletionTimestamp) this.namespaces.add(namespace);
  }

  resync(): void {
    for (const type of RESOURCE_TYPES) {
      for (const object of this.context.store.list(type)) {
        if (object.metadata.ownerReferences?.some((ref) => !this.ownerExists(object, ref))) {
          for (const ref of object.metadata.ownerReferences) this.owners.add(ref.uid);
        }
        if (type.id === 'namespaces' && object.metadata.deletionTimestamp) this.namespaces.add(object.metadata.name);
      }
    }
  }

  stop(): void {
    this.owners.stop();
    this.namespaces.stop();
  }

  private ownerExists(dependent: KubeObject, ref: OwnerReference): boolean {
    const type = findResourceByKind(ref.apiVersion, ref.kind);
    if (!type) return false;
    const owner = this.context.store.get(type, type.namespaced ? dependent.metadata.namespace : undefined, ref.name);
    return owner?.metadata.uid === ref.uid;
  }

  private collectDependents(uid: string): void {
    const dependents = dependentsOf(this.context.store, uid);
    const owner = this.findOwner(uid, dependents);
    const foreground = owner?.metadata.deletionTimestamp && owner.metadata.finalizers?.includes(FOREGROUND_FINALIZER);
    if (owner && !foreground) return;
    for (const { type, object } of dependents) {
      if (object.metadata.deletionTimestamp) continue;
      const ref = object.metadata.ownerReferences?.find((item) => item.uid === uid);
      const otherOwnerAlive = object.metadata.ownerReferences?.some((item) => item.uid !== uid && this.ownerExists(object, item));
      if (otherOwnerAlive || !ref) continue;
      this.context.api.delete(type, object.metadata.namespace, object.metadata.name, { propagationPolicy: foreground ? 'Foreground' : 'Background' });
    }
    if (owner && foreground && dependentsOf(this.context.store, uid).length === 0) {
      const finalizers = owner.metadata.finalizers?.filter((item) => item !== FOREGROUND_FINALIZER) ?? [];
      const type = findResourceByKind(owner.apiVersion ?? '', owner.kind ?? '');
      if (!type) return;
      const updated = this.context.store.update(type, { ...owner, metadata: { ...owner.metadata, finalizers } });
      if (finalizers.length === 0) this.context.store.remove(type, updated.metadata.namespace, updated.metadata.name);
    }
  }

  /** The owner with this uid, if it still exists (looked up through its dependents' references). */
  private findOwner(uid: string, dependents: Array<{ object: KubeObject }>): KubeObject | undefined {
    for (const { object } of dependents) {
      const ref = object.metadata.ownerReferences?.find((item) => item.uid === uid);
      const type = ref && findResourceByKind(ref.apiVersion, ref.kind);
      const owner = ref && type ? this.context.store.get(type, type.namespaced ? object.metadata.namespace : undefined, ref.name) : undefined;
      if (owner?.metadata.uid === uid) return owner;
    }
    return undefined;
  }

  private drainNamespace(name: string): void {
    const namespace = this.context.store.get('namespaces', undefined, name);
    if (!namespace?.metadata.deletionTimestamp) return;
    let remaining = 0;
    for (const type of RESOURCE_TYPES) {
      if (!type.namespaced) continue;
      for (const object of this.context.store.list(type, { namespace: name })) {
        remaining++;
        if (!object.metadata.deletionTimestamp) this.context.api.delete(type, name, object.metadata.name, { propagationPolicy: 'Background' });
      }
    }
    if (remaining === 0) this.context.store.remove('namespaces', undefined, name);
    else this.namespaces.addAfter(name, 200);
  }
}
