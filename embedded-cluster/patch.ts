/**
 * JSON merge patch (RFC 7386) and JSON patch (RFC 6902). Both work on a private deep copy
 * of the stored object, because stored objects are shared with the watch history.
 */
import { ApiError, badRequest } from './errors.ts';
import { cloneObject, isJsonObject, type JsonObject, type JsonValue } from './objects.ts';

/** Applies an RFC 7386 merge patch: objects merge recursively, `null` deletes, anything else replaces. */
export function applyMergePatch(target: JsonValue | undefined, patch: JsonValue): JsonValue {
  if (!isJsonObject(patch)) return cloneObject(patch);
  const result: JsonObject = isJsonObject(target) ? cloneObject(target) : {};
  mergeInto(result, patch);
  return result;
}

function mergeInto(target: JsonObject, patch: JsonObject): void {
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete target[key];
    } else if (isJsonObject(value)) {
      const current = target[key];
      const next: JsonObject = isJsonObject(current) ? current : {};
      mergeInto(next, value);
      target[key] = next;
    } else {
      target[key] = cloneObject(value);
    }
  }
}

/** One RFC 6902 operation. */
interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  from?: string;
  value?: JsonValue;
}

function patchFailed(message: string): ApiError {
  return new ApiError(422, 'Invalid', `the server rejected our request due to an error in our request: ${message}`);
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw badRequest(`invalid JSON pointer "${pointer}"`);
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

type Container = JsonObject | JsonValue[];

/** Walks to the parent of the pointed location; returns it with the last token. */
function locate(document: JsonValue, pointer: string): { parent: Container; token: string } {
  const tokens = parsePointer(pointer);
  const last = tokens.pop();
  if (last === undefined) throw patchFailed('cannot operate on the document root');
  let current: JsonValue = document;
  for (const token of tokens) {
    const next: JsonValue | undefined = Array.isArray(current) ? current[Number(token)] : isJsonObject(current) ? current[token] : undefined;
    if (next === undefined) throw patchFailed(`doc is missing path: "${pointer}"`);
    current = next;
  }
  if (!Array.isArray(current) && !isJsonObject(current)) throw patchFailed(`doc is missing path: "${pointer}"`);
  return { parent: current, token: last };
}

function read(document: JsonValue, pointer: string): JsonValue {
  if (pointer === '') return document;
  const { parent, token } = locate(document, pointer);
  const value = Array.isArray(parent) ? parent[Number(token)] : parent[token];
  if (value === undefined) throw patchFailed(`doc is missing path: "${pointer}"`);
  return value;
}

function arrayIndex(array: JsonValue[], token: string, forInsert: boolean): number {
  if (forInsert && token === '-') return array.length;
  const index = Number(token);
  const limit = forInsert ? array.length : array.length - 1;
  if (!/^\d+$/.test(token) || index > limit) throw patchFailed(`index out of bounds: ${token}`);
  return index;
}

function add(document: JsonValue, pointer: string, value: JsonValue): void {
  const { parent, token } = locate(document, pointer);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, token, true), 0, value);
  else parent[token] = value;
}

function remove(document: JsonValue, pointer: string): JsonValue {
  const { parent, token } = locate(document, pointer);
  if (Array.isArray(parent)) return parent.splice(arrayIndex(parent, token, false), 1)[0] ?? null;
  const value = parent[token];
  if (value === undefined) throw patchFailed(`unable to remove nonexistent key: ${token}: missing value`);
  delete parent[token];
  return value;
}

/**
 * Applies an RFC 6902 JSON patch to a copy of `target`.
 * @throws ApiError 400 for a malformed patch, 422 when an operation cannot apply.
 */
export function applyJsonPatch(target: JsonValue, operations: unknown): JsonValue {
  if (!Array.isArray(operations)) throw badRequest('json patch must be an array of operations');
  const document = cloneObject(target);
  for (const raw of operations as JsonPatchOperation[]) {
    if (!isJsonObject(raw as unknown)) throw badRequest('json patch operation must be an object');
    switch (raw.op) {
      case 'add':
        add(document, raw.path, cloneObject(raw.value ?? null));
        break;
      case 'remove':
        remove(document, raw.path);
        break;
      case 'replace':
        remove(document, raw.path);
        add(document, raw.path, cloneObject(raw.value ?? null));
        break;
      case 'move':
        add(document, raw.path, remove(document, raw.from ?? ''));
        break;
      case 'copy':
        add(document, raw.path, cloneObject(read(document, raw.from ?? '')));
        break;
      case 'test':
        if (JSON.stringify(read(document, raw.path)) !== JSON.stringify(raw.value ?? null)) {
          throw patchFailed(`testing value ${raw.path} failed: test failed`);
        }
        break;
      default:
        throw badRequest(`Unexpected kind: ${String((raw as { op?: unknown }).op)}`);
    }
  }
  return document;
}
