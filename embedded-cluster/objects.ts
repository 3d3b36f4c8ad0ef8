/**
 * The shape of objects kept by the embedded API server. Objects are stored as plain JSON
 * (exactly what goes over the wire), so there is no conversion layer between storage,
 * watch events and HTTP bodies.
 */

/** An owner reference as it appears in `metadata.ownerReferences`. */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** `metadata` of a stored object: `name` is always present once stored. */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  generateName?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  [field: string]: unknown;
}

/** Any Kubernetes object as stored: JSON with a `metadata` block. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

/** A JSON value, for patch and merge code that walks arbitrary documents. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object, the unit that merge and strategic patches operate on. */
export type JsonObject = { [key: string]: JsonValue };

/** Returns true for a plain JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Returns a deep copy; stored objects are shared and must never be mutated in place. */
export function cloneObject<T>(value: T): T {
  return structuredClone(value);
}

/**
 * Formats a timestamp the way the API server does for `metav1.Time`: RFC 3339 with second
 * precision, because clients (kubectl's AGE column, client-go) expect exactly that.
 */
export function toKubeTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Returns `namespace/name` (or `name` for cluster-scoped objects), the key used everywhere. */
export function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/** Returns the owner reference marked `controller: true`, if any. */
export function controllerOf(object: KubeObject): OwnerReference | undefined {
  return object.metadata.ownerReferences?.find((ref) => ref.controller === true);
}

/** Builds the controller owner reference that a controller puts on the objects it creates. */
export function controllerReference(owner: KubeObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion ?? '',
    kind: owner.kind ?? '',
    name: owner.metadata.name,
    uid: owner.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

const RANDOM_SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** Returns `length` random characters from the alphabet Kubernetes uses for `generateName`. */
export function randomSuffix(length = 5): string {
  let suffix = '';
  for (let i = 0; i < length; i++) {
    suffix += RANDOM_SUFFIX_ALPHABET[Math.floor(Math.random() * RANDOM_SUFFIX_ALPHABET.length)];
  }
  return suffix;
}

/**
 * Hashes a value to the short, alphabet-safe string Kubernetes uses for `pod-template-hash`
 * (FNV-1a 32-bit, encoded with the same vowel-free alphabet so it never spells words).
 */
export function safeHash(value: unknown): string {
  const text = canonicalJson(value);
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  let encoded = '';
  let rest = hash;
  do {
    encoded += RANDOM_SUFFIX_ALPHABET[rest % RANDOM_SUFFIX_ALPHABET.length];
    rest = Math.floor(rest / RANDOM_SUFFIX_ALPHABET.length);
  } while (rest > 0);
  return encoded;
}

/**
 * JSON with sorted keys and without nulls: Go clients send `creationTimestamp: null` where
 * others omit the field, and both must hash the same (kubectl rollout undo relies on it).
 */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isJsonObject(value)) {
    const entries = Object.keys(value)
      .filter((key) => value[key] !== null && value[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
