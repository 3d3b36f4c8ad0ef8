/**
 * The object store: every object of every type, one global resourceVersion counter, and the
 * retained change history. It enforces storage rules only (existence, optimistic
 * concurrency, resourceVersion stamping); API semantics such as defaulting, validation and
 * graceful deletion live in the resource API on top of it.
 *
 * Objects handed out are the stored instances: treat them as immutable and clone before
 * changing them. Objects handed in are owned by the store from then on.
 */
import { randomUUID } from 'node:crypto';
import { alreadyExists, conflict, expired, notFound, STALE_OBJECT_MESSAGE } from './errors.ts';
import { ChangeHistory, type ChangeEvent, type ChangeType } from './history.ts';
import { objectKey, toKubeTime, type KubeObject } from './objects.ts';
import type { LoggedChange } from './wal.ts';
import { RESOURCE_TYPES, resolveResource, type ResourceRef, type ResourceType } from './resources.ts';
import { EVERYTHING, parseLabelSelector, type FieldSelector, type Selector } from './selectors.ts';

/** Filters for {@link ObjectStore.list}. */
export interface ListFilter {
  /** Only objects in this namespace; all namespaces when absent. */
  namespace?: string | undefined;
  /** A parsed selector or a selector string such as `app=web,tier!=db`. */
  labelSelector?: Selector | string | undefined;
  fieldSelector?: FieldSelector | undefined;
}

/** Everything the store holds, as written to and read from a snapshot file. */
export interface StoreSnapshot {
  resourceVersion: number;
  objects: Record<string, KubeObject[]>;
}

/** Receives every committed change, synchronously, in commit order. */
export type ChangeListener = (event: ChangeEvent) => void;

/** Options of {@link ObjectStore}. */
export interface ObjectStoreOptions {
  /** How many changes are retained for watch resumption. */
  historySize: number;
  /** The wall clock used for `creationTimestamp`. */
  now: () => Date;
}

/** In-memory storage with a global resourceVersion and watchable change history. */
export class ObjectStore {
  private resourceVersion = 0;
  private readonly collections = new Map<string, Map<string, KubeObject>>();
  private history: ChangeHistory;
  private readonly listeners = new Set<ChangeListener>();

  constructor(private readonly options: ObjectStoreOptions) {
    for (const type of RESOURCE_TYPES) this.collections.set(type.id, new Map());
    this.history = new ChangeHistory(options.historySize, 0);
  }

  /** The resourceVersion of the latest committed change, as a number. */
  get currentResourceVersion(): number {
    return this.resourceVersion;
  }

  /** The highest resourceVersion no longer retained in the history (watching from below it gets 410). */
  get compactedResourceVersion(): number {
    return this.history.compactedResourceVersion;
  }

  /** Returns the stored object, or undefined. */
  get(ref: ResourceRef, namespace: string | undefined, name: string): KubeObject | undefined {
    const type = resolveResource(ref);
    return this.collection(type).get(objectKey(type.namespaced ? namespace : undefined, name));
  }

  /**
   * Returns the stored object.
   * @throws ApiError 404 when it does not exist.
   */
  require(ref: ResourceRef, namespace: string | undefined, name: string): KubeObject {
    const type = resolveResource(ref);
    const object = this.get(type, namespace, name);
    if (!object) throw notFound(type, name);
    return object;
  }

  /** Returns matching objects sorted by namespace/name, like etcd key order. */
  list(ref: ResourceRef, filter: ListFilter = {}): KubeObject[] {
    const type = resolveResource(ref);
    return filterObjects(this.collection(type).values(), filter);
  }

  /**
   * Returns the objects of a type as they were at `resourceVersion` (reconstructed from the
   * history), for consistent paginated lists.
   * @throws ApiError 410 when the history no longer reaches back that far.
   */
  listAt(ref: ResourceRef, resourceVersion: number, filter: ListFilter = {}): KubeObject[] {
    const type = resolveResource(ref);
    const changes = this.history.since(resourceVersion);
    if (!changes) throw expired(`too old resource version: ${resourceVersion} (${this.compactedResourceVersion + 1})`);
    const state = new Map(this.collection(type));
    for (let i = changes.length - 1; i >= 0; i--) {
      const change = changes[i];
      if (!change || change.resource !== type) continue;
      const key = objectKey(change.object.metadata.namespace, change.object.metadata.name);
      if (change.previous) state.set(key, change.previous);
      else state.delete(key);
    }
    return filterObjects(state.values(), filter);
  }

  /** Returns the changes after `resourceVersion`, or undefined when they are no longer retained. */
  changesSince(resourceVersion: number): ChangeEvent[] | undefined {
    return this.history.since(resourceVersion);
  }

  /**
   * Stores a new object, stamping uid, creationTimestamp, generation and resourceVersion.
   * @throws ApiError 409 AlreadyExists when the name is taken.
   */
  create(ref: ResourceRef, object: KubeObject): KubeObject {
    const type = resolveResource(ref);
    const collection = this.collection(type);
    const metadata = object.metadata;
    if (!type.namespaced) delete metadata.namespace;
    const key = objectKey(metadata.namespace, metadata.name);
    if (collection.has(key)) throw alreadyExists(type, metadata.name);
    metadata.uid ??= randomUUID();
    metadata.creationTimestamp ??= toKubeTime(this.options.now());
    if (object['spec'] !== undefined) metadata.generation ??= 1;
    return this.commit(type, 'ADDED', key, withTypeMeta(type, object), undefined);
  }

  /**
   * Replaces a stored object. When `object.metadata.resourceVersion` is set it must equal the
   * stored one (optimistic concurrency); identity fields are carried over from the stored object.
   * @throws ApiError 404 when missing, 409 Conflict on a stale resourceVersion.
   */
  update(ref: ResourceRef, object: KubeObject): KubeObject {
    const type = resolveResource(ref);
    const collection = this.collection(type);
    const metadata = object.metadata;
    if (!type.namespaced) delete metadata.namespace;
    const key = objectKey(metadata.namespace, metadata.name);
    const current = collection.get(key);
    if (!current) throw notFound(type, metadata.name);
    if (metadata.resourceVersion && metadata.resourceVersion !== current.metadata.resourceVersion) {
      throw conflict(type, metadata.name, STALE_OBJECT_MESSAGE);
    }
    metadata.uid = current.metadata.uid;
    metadata.creationTimestamp = current.metadata.creationTimestamp;
    const next = withTypeMeta(type, object);
    // Like the real API server, a write that changes nothing keeps the resourceVersion and sends
    // no watch event: level-triggered clients re-applying their desired state must not loop.
    if (sameContent(current, next)) return current;
    return this.commit(type, 'MODIFIED', key, next, current);
  }

  /**
   * Removes an object; watchers receive its last state with a new resourceVersion.
   * @throws ApiError 404 when missing.
   */
  remove(ref: ResourceRef, namespace: string | undefined, name: string): KubeObject {
    const type = resolveResource(ref);
    const collection = this.collection(type);
    const key = objectKey(type.namespaced ? namespace : undefined, name);
    const current = collection.get(key);
    if (!current) throw notFound(type, name);
    collection.delete(key);
    const finalState: KubeObject = { ...current, metadata: { ...current.metadata } };
    return this.commit(type, 'DELETED', key, finalState, current);
  }

  /** Registers a listener for every committed change; returns the unsubscribe function. */
  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Discards the retained history so that watching from any earlier resourceVersion gets 410. */
  expireHistory(): void {
    this.history.expire(this.resourceVersion);
  }

  /** Returns every object, for persistence. */
  snapshot(): StoreSnapshot {
    const objects: Record<string, KubeObject[]> = {};
    for (const [id, collection] of this.collections) objects[id] = [...collection.values()];
    return { resourceVersion: this.resourceVersion, objects };
  }

  /** Replaces all contents with a snapshot; the history starts empty at its resourceVersion. */
  restore(snapshot: StoreSnapshot): void {
    for (const collection of this.collections.values()) collection.clear();
    for (const [id, objects] of Object.entries(snapshot.objects)) {
      const collection = this.collections.get(id);
      if (!collection) continue;
      for (const object of objects) collection.set(objectKey(object.metadata.namespace, object.metadata.name), object);
    }
    this.resourceVersion = snapshot.resourceVersion;
    this.history = new ChangeHistory(this.options.historySize, snapshot.resourceVersion);
  }

  /**
   * Re-applies logged changes over a restored snapshot (write-ahead log replay). Changes the
   * store already holds (at or below its resourceVersion) are skipped; the history restarts
   * empty at the last one.
   * @returns how many changes were applied.
   * @throws Error when a change names a resource type the store does not serve.
   */
  replay(changes: Iterable<LoggedChange>): number {
    let applied = 0;
    for (const change of changes) {
      if (change.resourceVersion <= this.resourceVersion) continue;
      const collection = this.collections.get(change.resource);
      if (!collection) throw new Error(`write-ahead log names unknown resource ${change.resource}`);
      if (change.op === 'put') collection.set(objectKey(change.object.metadata.namespace, change.object.metadata.name), change.object);
      else collection.delete(objectKey(change.namespace, change.name));
      this.resourceVersion = change.resourceVersion;
      applied++;
    }
    this.history = new ChangeHistory(this.options.historySize, this.resourceVersion);
    return applied;
  }

  private collection(type: ResourceType): Map<string, KubeObject> {
    const collection = this.collections.get(type.id);
    if (!collection) throw new Error(`no collection for ${type.id}`);
    return collection;
  }

  private commit(type: ResourceType, kind: ChangeType, key: string, object: KubeObject, previous: KubeObject | undefined): KubeObject {
    this.resourceVersion++;
    object.metadata.resourceVersion = String(this.resourceVersion);
    if (kind !== 'DELETED') this.collection(type).set(key, object);
    const event: ChangeEvent = { resourceVersion: this.resourceVersion, type: kind, resource: type, object, previous };
    this.history.append(event);
    for (const listener of this.listeners) listener(event);
    return object;
  }
}

/** Deep equality ignoring key order and metadata.resourceVersion. */
function sameContent(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject) => ({ ...o, metadata: { ...o.metadata, resourceVersion: undefined } });
  return deepEqual(strip(a), strip(b));
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((v, i) => deepEqual(v, other[i]));
  }
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Puts apiVersion and kind first, where every client expects to read them. */
function withTypeMeta(type: ResourceType, object: KubeObject): KubeObject {
  const { apiVersion: _apiVersion, kind: _kind, ...rest } = object;
  return { apiVersion: type.apiVersion, kind: type.kind, ...rest };
}

function filterObjects(objects: Iterable<KubeObject>, filter: ListFilter): KubeObject[] {
  const labels = typeof filter.labelSelector === 'string' ? parseLabelSelector(filter.labelSelector) : (filter.labelSelector ?? EVERYTHING);
  const result: KubeObject[] = [];
  for (const object of objects) {
    if (filter.namespace !== undefined && object.metadata.namespace !== filter.namespace) continue;
    if (!labels.empty && !labels.matches(object.metadata.labels)) continue;
    if (filter.fieldSelector && !filter.fieldSelector.matches(object)) continue;
    result.push(object);
  }
  return result.sort(compareByKey);
}

function compareByKey(a: KubeObject, b: KubeObject): number {
  const left = objectKey(a.metadata.namespace, a.metadata.name);
  const right = objectKey(b.metadata.namespace, b.metadata.name);
  return left < right ? -1 : left > right ? 1 : 0;
}
