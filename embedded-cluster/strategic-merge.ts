/**
 * Strategic merge patch, as kubectl (client-side apply, edit, set image) and Gantry send it
 * for built-in types. Lists of objects merge by a key (containers and env by `name`, container
 * ports by `containerPort`, …) instead of being replaced, and the `$patch`, `$retainKeys`,
 * `$setElementOrder/…` and `$deleteFromPrimitiveList/…` directives are honoured.
 */
import { badRequest } from './errors.ts';
import { cloneObject, isJsonObject, type JsonObject, type JsonValue } from './objects.ts';

/** Merge keys of the object lists in the built-in types, by field name (what the Go struct tags say). */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  imagePullSecrets: 'name',
  hostAliases: 'ip',
  ownerReferences: 'uid',
  conditions: 'type',
  topologySpreadConstraints: 'topologyKey',
  resourceClaims: 'name',
};

/** Lists of scalars that merge as sets instead of being replaced. */
const MERGED_SCALAR_LISTS = new Set(['finalizers']);

const SET_ELEMENT_ORDER = '$setElementOrder/';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList/';

/** Container ports merge on `containerPort`, Service ports on `port`: tell them apart by their items. */
function mergeKeyFor(field: string, items: JsonValue[]): string | undefined {
  if (field === 'ports') return items.some((item) => isJsonObject(item) && 'containerPort' in item) ? 'containerPort' : 'port';
  return MERGE_KEYS[field];
}

/**
 * Applies a strategic merge patch to a copy of `original`.
 * @throws ApiError 400 when the patch is not an object.
 */
export function applyStrategicMergePatch(original: JsonObject, patch: JsonValue): JsonObject {
  if (!isJsonObject(patch)) throw badRequest('strategic merge patch must be a JSON object');
  return mergeMaps(cloneObject(original), patch) ?? {};
}

/** Merges `patch` into `target` (which it may modify); undefined means "delete this map". */
function mergeMaps(target: JsonObject, patch: JsonObject): JsonObject | undefined {
  const directive = patch['$patch'];
  if (directive === 'delete') return undefined;
  if (directive === 'replace') return stripDirectives(patch);

  const orders: Array<[string, JsonValue[]]> = [];
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || key === '$retainKeys') continue;
    if (key.startsWith(SET_ELEMENT_ORDER)) {
      if (Array.isArray(value)) orders.push([key.slice(SET_ELEMENT_ORDER.length), value]);
      continue;
    }
    if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      const field = key.slice(DELETE_FROM_PRIMITIVE_LIST.length);
      const current = target[field];
      if (Array.isArray(current) && Array.isArray(value)) {
        const removed = new Set(value.map((item) => JSON.stringify(item)));
        target[field] = current.filter((item) => !removed.has(JSON.stringify(item)));
      }
      continue;
    }
    if (value === null) {
      delete target[key];
      continue;
    }
    const merged = mergeValue(key, target[key], value);
    if (merged === undefined) delete target[key];
    else target[key] = merged;
  }

  for (const [field, order] of orders) {
    const list = target[field];
    if (Array.isArray(list)) target[field] = applyElementOrder(field, list, order);
  }
  const retainKeys = patch['$retainKeys'];
  if (Array.isArray(retainKeys)) {
    for (const key of Object.keys(target)) if (!retainKeys.includes(key)) delete target[key];
  }
  return target;
}

function mergeValue(field: string, current: JsonValue | undefined, patch: JsonValue): JsonValue | undefined {
  if (isJsonObject(patch)) {
    return mergeMaps(isJsonObject(current) ? current : {}, patch);
  }
  if (Array.isArray(patch)) {
    return mergeLists(field, Array.isArray(current) ? current : [], patch);
  }
  return patch;
}

function mergeLists(field: string, current: JsonValue[], patch: JsonValue[]): JsonValue[] {
  if (patch.some((item) => isJsonObject(item) && item['$patch'] === 'replace')) {
    return patch.filter((item) => !(isJsonObject(item) && item['$patch'] === 'replace')).map(stripDirectivesDeep);
  }
  if (MERGED_SCALAR_LISTS.has(field)) {
    const seen = new Set(current.map((item) => JSON.stringify(item)));
    return [...current, ...patch.filter((item) => !seen.has(JSON.stringify(item)))];
  }
  const mergeKey = mergeKeyFor(field, [...current, ...patch]);
  if (!mergeKey || !patch.every(isJsonObject)) return patch.map(stripDirectivesDeep);

  const result = [...current];
  for (const item of patch as JsonObject[]) {
    const index = result.findIndex((existing) => isJsonObject(existing) && existing[mergeKey] === item[mergeKey]);
    if (item['$patch'] === 'delete') {
      if (index >= 0) result.splice(index, 1);
      continue;
    }
    const existing = index >= 0 ? result[index] : undefined;
    if (isJsonObject(existing)) {
      const merged = mergeMaps(existing, item);
      if (merged) result[index] = merged;
      else result.splice(index, 1);
    } else {
      result.push(stripDirectivesDeep(item));
    }
  }
  return result;
}

/** Orders list items as `$setElementOrder` says; items it does not mention keep their place at the end. */
function applyElementOrder(field: string, list: JsonValue[], order: JsonValue[]): JsonValue[] {
  const mergeKey = mergeKeyFor(field, list);
  const identity = (item: JsonValue): string =>
    JSON.stringify(mergeKey && isJsonObject(item) ? (item[mergeKey] ?? null) : item);
  const position = new Map(order.map((item, index) => [identity(item), index]));
  const ordered = list.filter((item) => position.has(identity(item)));
  ordered.sort((a, b) => (position.get(identity(a)) ?? 0) - (position.get(identity(b)) ?? 0));
  return [...ordered, ...list.filter((item) => !position.has(identity(item)))];
}

function stripDirectives(map: JsonObject): JsonObject {
  const result: JsonObject = {};
  for (const [key, value] of Object.entries(map)) if (!key.startsWith('$')) result[key] = stripDirectivesDeep(value);
  return result;
}

function stripDirectivesDeep(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(stripDirectivesDeep);
  if (isJsonObject(value)) return stripDirectives(value);
  return value;
}
