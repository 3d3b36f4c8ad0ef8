/**
 * The `/scale` subresource of Deployments and ReplicaSets: an `autoscaling/v1 Scale` view
 * of `spec.replicas`, which `kubectl scale` and autoscalers read and write.
 */
import { badRequest, conflict, STALE_OBJECT_MESSAGE } from './errors.ts';
import { applyJsonPatch, applyMergePatch } from './patch.ts';
import { isJsonObject, type JsonObject, type KubeObject } from './objects.ts';
import type { PatchType, ResourceApi } from './resource-api.ts';
import type { ResourceType } from './resources.ts';
import { formatLabelSelector, type LabelSelector } from './selectors.ts';

/** The `autoscaling/v1 Scale` object. */
export interface ScaleObject {
  kind: 'Scale';
  apiVersion: 'autoscaling/v1';
  metadata: { name: string; namespace?: string; uid?: string; resourceVersion?: string; creationTimestamp?: string };
  spec: { replicas: number };
  status: { replicas: number; selector: string };
}

/** Builds the Scale view of a workload. */
export function scaleOf(object: KubeObject): ScaleObject {
  const spec = (object['spec'] ?? {}) as { replicas?: number; selector?: LabelSelector };
  const status = (object['status'] ?? {}) as { replicas?: number };
  const { name, namespace, uid, resourceVersion, creationTimestamp } = object.metadata;
  const metadata: ScaleObject['metadata'] = { name };
  if (namespace) metadata.namespace = namespace;
  if (uid) metadata.uid = uid;
  if (resourceVersion) metadata.resourceVersion = resourceVersion;
  if (creationTimestamp) metadata.creationTimestamp = creationTimestamp;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata,
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status.replicas ?? 0, selector: formatLabelSelector(spec.selector) },
  };
}

/**
 * Writes a new Scale (from a PUT body, or the result of a patch) back to the workload.
 * @throws ApiError 400 for a malformed body, 409 on a stale resourceVersion.
 */
export function writeScale(api: ResourceApi, type: ResourceType, namespace: string | undefined, name: string, body: unknown): ScaleObject {
  if (!isJsonObject(body) || !isJsonObject(body['spec']) || typeof body['spec']['replicas'] !== 'number') {
    throw badRequest('Scale.spec.replicas must be a number');
  }
  const current = api.get(type, namespace, name);
  const requestedVersion = isJsonObject(body['metadata']) ? body['metadata']['resourceVersion'] : undefined;
  if (typeof requestedVersion === 'string' && requestedVersion && requestedVersion !== current.metadata.resourceVersion) {
    throw conflict(type, name, STALE_OBJECT_MESSAGE);
  }
  const updated = api.patch(type, namespace, name, 'merge', { spec: { replicas: body['spec']['replicas'] } });
  return scaleOf(updated);
}

/**
 * Applies a merge or JSON patch to the Scale view, then writes it.
 * @throws ApiError as {@link writeScale}.
 */
export function patchScale(api: ResourceApi, type: ResourceType, namespace: string | undefined, name: string, patchType: PatchType, patch: unknown): ScaleObject {
  const current = scaleOf(api.get(type, namespace, name)) as unknown as JsonObject;
  const patched = patchType === 'json' ? applyJsonPatch(current, patch) : applyMergePatch(current, patch as JsonObject);
  return writeScale(api, type, namespace, name, patched);
}
