/**
 * The verbs of the Kubernetes API (get, list, create, update, patch, delete) with the real
 * server's semantics, shared by the HTTP routes and by in-process callers such as tests.
 */
import { parse as parseYaml } from 'yaml';
import { admitCreate, admitUpdate, asObjectOfType, namespaceTerminating } from './admission.ts';
import { deleteObject, type DeleteOptions } from './deletion.ts';
import { ApiError, badRequest, expired, notFound } from './errors.ts';
import { applyJsonPatch, applyMergePatch } from './patch.ts';
import { isJsonObject, objectKey, type JsonObject, type KubeObject } from './objects.ts';
import { resolveResource, type ResourceRef, type ResourceType } from './resources.ts';
import { parseFieldSelector, parseLabelSelector } from './selectors.ts';
import type { ObjectStore } from './store.ts';
import { applyStrategicMergePatch } from './strategic-merge.ts';
import type { SimulationClock } from './clock.ts';

/** Query options of a list. */
export interface ListOptions {
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
  limit?: number | undefined;
  continueToken?: string | undefined;
  resourceVersion?: string | undefined;
  resourceVersionMatch?: string | undefined;
}

/** One page of a list. */
export interface ListPage {
  items: KubeObject[];
  resourceVersion: string;
  continueToken?: string;
  remainingItemCount?: number;
}

/** The patch formats, by their content types. */
export const PATCH_TYPES = {
  'application/merge-patch+json': 'merge',
  'application/json-patch+json': 'json',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
} as const;

/** A patch format: RFC 7386 merge, RFC 6902 JSON patch, strategic merge, or server-side apply. */
export type PatchType = (typeof PATCH_TYPES)[keyof typeof PATCH_TYPES];

/** Options of writes. */
export interface WriteOptions {
  subresource?: 'status' | undefined;
  dryRun?: boolean | undefined;
  fieldManager?: string | undefined;
}

const CONTINUE_TOO_OLD =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

interface ContinueToken {
  rv: number;
  start: string;
}

function decodeContinue(token: string): ContinueToken {
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<ContinueToken>;
    if (typeof decoded.rv === 'number' && typeof decoded.start === 'string') return { rv: decoded.rv, start: decoded.start };
  } catch {
    // fall through to the error below
  }
  throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}

/** The API verbs over an {@link ObjectStore}. */
export class ResourceApi {
  constructor(
    readonly store: ObjectStore,
    private readonly clock: SimulationClock,
  ) {}

  /**
   * Returns one object.
   * @throws ApiError 404 when missing.
   */
  get(ref: ResourceRef, namespace: string | undefined, name: string): KubeObject {
    return this.store.require(ref, namespace, name);
  }

  /**
   * Returns one page of a list, consistent across pages at the first page's resourceVersion.
   * @throws ApiError 400 for bad selectors or tokens, 410 when a continue token (or an Exact resourceVersion) is too old.
   */
  list(ref: ResourceRef, namespace: string | undefined, options: ListOptions = {}): ListPage {
    const type = resolveResource(ref);
    const filter = {
      namespace: type.namespaced ? namespace : undefined,
      labelSelector: parseLabelSelector(options.labelSelector),
      fieldSelector: parseFieldSelector(options.fieldSelector),
    };
    let atVersion = this.store.currentResourceVersion;
    let start = '';
    let items: KubeObject[];
    if (options.continueToken) {
      const token = decodeContinue(options.continueToken);
      if (token.rv < this.store.compactedResourceVersion) throw expired(CONTINUE_TOO_OLD);
      atVersion = token.rv;
      start = token.start;
      items = this.store.listAt(type, atVersion, filter);
    } else if (options.resourceVersionMatch === 'Exact' && options.resourceVersion) {
      atVersion = Number(options.resourceVersion);
      if (!Number.isInteger(atVersion)) throw badRequest(`invalid resource version: ${options.resourceVersion}`);
      items = this.store.listAt(type, atVersion, filter);
    } else {
      items = this.store.list(type, filter);
    }
    if (start) items = items.filter((item) => objectKey(item.metadata.namespace, item.metadata.name) > start);
    const page: ListPage = { items, resourceVersion: String(atVersion) };
    const limit = options.limit ?? 0;
    if (limit > 0 && items.length > limit) {
      page.items = items.slice(0, limit);
      const last = page.items[page.items.length - 1];
      const lastKey = last ? objectKey(last.metadata.namespace, last.metadata.name) : start;
      page.continueToken = Buffer.from(JSON.stringify({ rv: atVersion, start: lastKey })).toString('base64url');
      page.remainingItemCount = items.length - limit;
    }
    return page;
  }

  /**
   * Creates an object from a request body.
   * @throws ApiError 400/403/404 (namespace), 409 AlreadyExists, 422 Invalid.
   */
  create(ref: ResourceRef, namespace: string | undefined, body: unknown, options: WriteOptions = {}): KubeObject {
    const type = resolveResource(ref);
    const object = admitCreate(type, namespace, asObjectOfType(type, body));
    if (type.namespaced) this.requireWritableNamespace(type, object);
    if (options.dryRun) return object;
    return this.store.create(type, object);
  }

  /**
   * Replaces an object (PUT), or its status with `subresource: 'status'`.
   * @throws ApiError 404, 409 Conflict on a stale resourceVersion, 422 Invalid.
   */
  update(ref: ResourceRef, namespace: string | undefined, name: string, body: unknown, options: WriteOptions = {}): KubeObject {
    const type = resolveResource(ref);
    const current = this.store.require(type, namespace, name);
    const next = asObjectOfType(type, body);
    if (!next.metadata.name) next.metadata.name = name;
    return this.commitUpdate(type, current, admitUpdate(type, current, next, options.subresource), options);
  }

  /**
   * Patches an object; server-side apply creates it when missing.
   * @throws ApiError 404, 409, 415 (strategic merge on a custom resource), 422.
   */
  patch(ref: ResourceRef, namespace: string | undefined, name: string, patchType: PatchType, body: unknown, options: WriteOptions = {}): KubeObject {
    const type = resolveResource(ref);
    const patch = patchType === 'apply' ? parseApplyBody(body) : body;
    const current = this.store.get(type, namespace, name);
    if (!current) {
      if (patchType !== 'apply') throw notFound(type, name);
      if (!options.fieldManager) throw badRequest('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
      // As a real server: a null in an applied configuration means "not set", also on creation.
      const object = asObjectOfType(type, patchType === 'apply' ? applyMergePatch({}, patch as JsonObject) : patch);
      if (object.metadata.name && object.metadata.name !== name) throw badRequest(`the name of the object (${object.metadata.name}) does not match the name on the URL (${name})`);
      object.metadata.name = name;
      return this.create(type, namespace, object, options);
    }
    const patched = this.applyPatch(type, current, patchType, patch, options);
    const next = asObjectOfType(type, patched);
    return this.commitUpdate(type, current, admitUpdate(type, current, next, options.subresource), options);
  }

  /**
   * Deletes an object with the real server's semantics (graceful pods, finalizers, propagation).
   * @throws ApiError 404, 409 on a failed precondition.
   */
  delete(ref: ResourceRef, namespace: string | undefined, name: string, options: DeleteOptions = {}): KubeObject {
    return deleteObject(this.store, this.clock, resolveResource(ref), namespace, name, options);
  }

  private applyPatch(type: ResourceType, current: KubeObject, patchType: PatchType, patch: unknown, options: WriteOptions): JsonObject {
    const base = current as unknown as JsonObject;
    let result: unknown;
    switch (patchType) {
      case 'merge':
        result = applyMergePatch(base, patch as JsonObject);
        break;
      case 'json':
        result = applyJsonPatch(base, patch);
        break;
      case 'strategic':
        if (!type.builtIn) throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`);
        result = applyStrategicMergePatch(base, patch as JsonObject);
        break;
      case 'apply':
        if (!options.fieldManager) throw badRequest('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
        // Server-side apply is approximated as "merge the applied configuration into the live object".
        result = type.builtIn ? applyStrategicMergePatch(base, patch as JsonObject) : applyMergePatch(base, patch as JsonObject);
        break;
    }
    if (!isJsonObject(result)) throw badRequest('the patch did not produce an object');
    return result;
  }

  private commitUpdate(type: ResourceType, current: KubeObject, next: KubeObject, options: WriteOptions): KubeObject {
    if (options.dryRun) return next;
    const stored = this.store.update(type, next);
    // An object whose deletion was waiting on finalizers goes away once the last one is removed.
    if (stored.metadata.deletionTimestamp && !(stored.metadata.finalizers?.length) && type.id !== 'pods' && current.metadata.finalizers?.length) {
      return this.store.remove(type, stored.metadata.namespace, stored.metadata.name);
    }
    return stored;
  }

  private requireWritableNamespace(type: ResourceType, object: KubeObject): void {
    const namespaceName = object.metadata.namespace ?? 'default';
    const namespace = this.store.get('namespaces', undefined, namespaceName);
    if (!namespace) throw notFound(resolveResource('namespaces'), namespaceName);
    if (namespace.metadata.deletionTimestamp) throw namespaceTerminating(type, object.metadata.name, namespaceName);
  }
}

/** Server-side apply bodies are YAML (JSON is valid YAML); they may arrive parsed or as text. */
function parseApplyBody(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  try {
    return parseYaml(body) as unknown;
  } catch (error) {
    throw badRequest(`error decoding YAML: ${(error as Error).message}`);
  }
}
