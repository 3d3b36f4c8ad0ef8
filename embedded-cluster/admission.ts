/**
 * What happens to an object between the request body and the store: identity and
 * server-owned fields are reset, defaults applied, the status/spec split of the status
 * subresource enforced, generation bumped on spec changes, and everything validated.
 */
import { randomUUID } from 'node:crypto';
import { applyDefaults, defaultJobSelector } from './defaults.ts';
import { ApiError, badRequest, invalid } from './errors.ts';
import { isJsonObject, randomSuffix, type KubeObject } from './objects.ts';
import type { ResourceType } from './resources.ts';
import { validateObject } from './validation.ts';

/** Fields of `metadata` only the server sets; a client's values are ignored. */
const SERVER_OWNED_METADATA = ['uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'selfLink', 'managedFields'];

/**
 * Checks the body is an object of the expected type and returns it typed.
 * @throws ApiError 400 when it is not an object or names another kind/apiVersion.
 */
export function asObjectOfType(type: ResourceType, body: unknown): KubeObject {
  if (!isJsonObject(body)) throw badRequest('the request body must be a JSON object');
  if (body['kind'] !== undefined && body['kind'] !== type.kind) {
    throw badRequest(`the kind in the data (${String(body['kind'])}) does not match the expected kind (${type.kind})`);
  }
  if (body['apiVersion'] !== undefined && body['apiVersion'] !== type.apiVersion) {
    throw badRequest(`the API version in the data (${String(body['apiVersion'])}) does not match the expected API version (${type.apiVersion})`);
  }
  const metadata = isJsonObject(body['metadata']) ? body['metadata'] : {};
  return { ...body, metadata: { ...metadata, name: typeof metadata['name'] === 'string' ? metadata['name'] : '' } } as KubeObject;
}

/**
 * Prepares a new object for the store.
 * @throws ApiError 400 for a namespace mismatch, 422 when invalid.
 */
export function admitCreate(type: ResourceType, namespace: string | undefined, object: KubeObject): KubeObject {
  const metadata = object.metadata;
  if (type.namespaced) {
    if (metadata.namespace && namespace && metadata.namespace !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    metadata.namespace = namespace ?? metadata.namespace ?? 'default';
  } else {
    delete metadata.namespace;
  }
  for (const field of SERVER_OWNED_METADATA) delete metadata[field];
  if (!metadata.name && metadata.generateName) metadata.name = `${metadata.generateName}${randomSuffix(5)}`;
  metadata.uid = randomUUID();
  if (type.subresources.includes('status')) delete object['status'];
  if (type.id === 'jobs.batch') defaultJobSelector(object);
  applyDefaults(type, object);
  validateObject(type, object);
  return object;
}

/** Everything except metadata and status: a change here is a spec change and bumps generation. */
function specFingerprint(object: KubeObject): string {
  const { metadata: _metadata, status: _status, ...rest } = object;
  return JSON.stringify(rest);
}

/**
 * Prepares an update of `current` to `next` (a full object, as after a PUT or a patch).
 * With `subresource: 'status'` only the status is taken from `next`; otherwise the status
 * of types with a status subresource is kept from `current`.
 * @throws ApiError 400 when the name changes, 422 when invalid or an immutable field changed.
 */
export function admitUpdate(type: ResourceType, current: KubeObject, next: KubeObject, subresource?: 'status'): KubeObject {
  if (next.metadata.name && next.metadata.name !== current.metadata.name) {
    throw badRequest(`the name of the object (${next.metadata.name}) does not match the name on the URL (${current.metadata.name})`);
  }
  if (subresource === 'status') {
    const updated: KubeObject = { ...current, metadata: { ...current.metadata }, status: next['status'] };
    if (next.metadata.resourceVersion) updated.metadata.resourceVersion = next.metadata.resourceVersion;
    return updated;
  }
  const metadata = next.metadata;
  metadata.name = current.metadata.name;
  if (type.namespaced) metadata.namespace = current.metadata.namespace;
  metadata.uid = current.metadata.uid;
  metadata.creationTimestamp = current.metadata.creationTimestamp;
  if (current.metadata.deletionTimestamp) metadata.deletionTimestamp = current.metadata.deletionTimestamp;
  else delete metadata.deletionTimestamp;
  if (current.metadata.deletionGracePeriodSeconds !== undefined) metadata.deletionGracePeriodSeconds = current.metadata.deletionGracePeriodSeconds;
  metadata.resourceVersion ||= current.metadata.resourceVersion;
  delete metadata['managedFields'];
  if (type.subresources.includes('status')) {
    if (current['status'] === undefined) delete next['status'];
    else next['status'] = current['status'];
  }
  applyDefaults(type, next);
  validateObject(type, next);
  checkImmutableFields(type, current, next);
  const generation = current.metadata.generation;
  if (generation !== undefined) {
    metadata.generation = specFingerprint(current) === specFingerprint(next) ? generation : generation + 1;
  }
  return next;
}

function checkImmutableFields(type: ResourceType, current: KubeObject, next: KubeObject): void {
  checkImmutableData(type, current, next);
  const immutable: Record<string, string[]> = {
    'deployments.apps': ['selector'],
    'replicasets.apps': ['selector'],
    'jobs.batch': ['selector', 'template', 'completions'],
  };
  const currentSpec = (current['spec'] ?? {}) as Record<string, unknown>;
  const nextSpec = (next['spec'] ?? {}) as Record<string, unknown>;
  for (const field of immutable[type.id] ?? []) {
    if (JSON.stringify(currentSpec[field]) !== JSON.stringify(nextSpec[field])) {
      throw invalid(type, current.metadata.name, [
        { reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(nextSpec[field] ?? null)}: field is immutable`, field: `spec.${field}` },
      ]);
    }
  }
}

/**
 * A ConfigMap or Secret marked `immutable: true` keeps its data and stays immutable, as in a real
 * API server (`field is immutable when \`immutable\` is set`); it can only be deleted.
 */
function checkImmutableData(type: ResourceType, current: KubeObject, next: KubeObject): void {
  if ((type.id !== 'configmaps' && type.id !== 'secrets') || current['immutable'] !== true) return;
  const fields = type.id === 'configmaps' ? ['data', 'binaryData'] : ['data'];
  const changed = fields.filter((f) => JSON.stringify(current[f] ?? {}) !== JSON.stringify(next[f] ?? {}));
  if (next['immutable'] !== true) changed.push('immutable');
  if (changed.length === 0) return;
  throw invalid(
    type,
    current.metadata.name,
    changed.map((field) => ({ reason: 'FieldValueForbidden', message: 'Forbidden: field is immutable when `immutable` is set', field })),
  );
}

/** 403 for writes into a namespace that is being deleted. */
export function namespaceTerminating(type: ResourceType, name: string, namespace: string): ApiError {
  return new ApiError(
    403,
    'Forbidden',
    `${type.group ? `${type.plural}.${type.group}` : type.plural} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
  );
}
