/**
 * Config revisions as data: validating a change and applying it to the latest revision. Pure:
 * no I/O, no clock (the caller passes `now`). Every refusal names the input field, never the value.
 */
import type { StoredFile, StoredSecret, StoredVariable } from '../../db/schema/config.ts';
import { badInput } from '../shared/errors.ts';

/** What Kubernetes accepts in a ConfigMap or Secret (etcd's object limit): the most a revision may hold. */
export const MAX_REVISION_BYTES = 1024 * 1024;
/** Where files are mounted in the app's containers. */
export const CONFIG_MOUNT_PATH = '/etc/gantry/config';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PATH_PART = /^[A-Za-z0-9._-]+$/;

/** The content of one revision, secrets sealed. */
export interface RevisionContent {
  variables: StoredVariable[];
  files: StoredFile[];
  secrets: StoredSecret[];
}

/** A change as updateConfig takes it. */
export interface ConfigChange {
  set?: readonly { name: string; value: string }[] | null;
  unset?: readonly string[] | null;
  files?: readonly { path: string; content: string }[] | null;
  removeFiles?: readonly string[] | null;
}

/**
 * A variable or secret name: it becomes an environment variable of the app's pods.
 * @throws BAD_USER_INPUT naming `field`.
 */
export function requireEnvName(field: string, name: string): string {
  if (name.length === 0 || name.length > 253 || !ENV_NAME.test(name)) {
    throw badInput(field, `${field} must be 1 to 253 characters of [A-Za-z0-9_], not starting with a digit`);
  }
  return name;
}

/**
 * A file path under the mount: relative, '/'-separated parts of letters, digits, '.', '_', '-',
 * none empty, '.' or '..'.
 * @throws BAD_USER_INPUT naming `field`.
 */
export function requireFilePath(field: string, path: string): string {
  const parts = path.split('/');
  const ok = path.length > 0 && path.length <= 253 && parts.every((p) => PATH_PART.test(p) && p !== '.' && p !== '..');
  if (!ok) {
    throw badInput(field, `${field} must be a relative path of at most 253 characters: parts of letters, digits, '.', '_' or '-', none empty, '.' or '..'`);
  }
  return path;
}

function noDuplicates(field: string, names: readonly string[], what: string): void {
  const seen = new Set<string>();
  names.forEach((name, i) => {
    if (seen.has(name)) throw badInput(`${field}[${i}]`, `${field}[${i}] repeats a ${what} given earlier in the list`);
    seen.add(name);
  });
}

/** Bytes a revision takes in its ConfigMap and Secret (names and values, UTF-8). */
export function revisionBytes(content: { variables: StoredVariable[]; files: StoredFile[] }, secretBytes: number): number {
  const text = (s: string) => Buffer.byteLength(s, 'utf8');
  const vars = content.variables.reduce((n, v) => n + text(v.name) + text(v.value), 0);
  const files = content.files.reduce((n, f) => n + text(f.path) + text(f.content), 0);
  return vars + files + secretBytes;
}

/**
 * The next revision's content: `latest` with the change applied. Variables and files are kept
 * sorted (by name, by path) so equal configurations read alike.
 * @throws BAD_USER_INPUT for bad names or paths, duplicates within a list, a name set and unset
 * at once, a variable named like a secret, or a revision over {@link MAX_REVISION_BYTES}.
 */
export function applyChange(latest: RevisionContent, change: ConfigChange, secretBytes: number): RevisionContent {
  const set = change.set ?? [];
  const unset = change.unset ?? [];
  const files = change.files ?? [];
  const removeFiles = change.removeFiles ?? [];
  set.forEach((v, i) => requireEnvName(`input.set[${i}].name`, v.name));
  unset.forEach((name, i) => requireEnvName(`input.unset[${i}]`, name));
  files.forEach((f, i) => requireFilePath(`input.files[${i}].path`, f.path));
  removeFiles.forEach((path, i) => requireFilePath(`input.removeFiles[${i}]`, path));
  noDuplicates('input.set', set.map((v) => v.name), 'variable name');
  noDuplicates('input.unset', unset, 'variable name');
  noDuplicates('input.files', files.map((f) => f.path), 'file path');
  noDuplicates('input.removeFiles', removeFiles, 'file path');
  const unsetting = new Set(unset);
  set.forEach((v, i) => {
    if (unsetting.has(v.name)) throw badInput(`input.set[${i}].name`, `input.set[${i}].name is also in input.unset`);
  });
  const removing = new Set(removeFiles);
  files.forEach((f, i) => {
    if (removing.has(f.path)) throw badInput(`input.files[${i}].path`, `input.files[${i}].path is also in input.removeFiles`);
  });
  const secretNames = new Set(latest.secrets.map((s) => s.name));
  set.forEach((v, i) => {
    if (secretNames.has(v.name)) throw badInput(`input.set[${i}].name`, `input.set[${i}].name is the name of a secret: both would be the same environment variable`);
  });
  const variables = new Map(latest.variables.map((v) => [v.name, v.value]));
  for (const name of unset) variables.delete(name);
  for (const v of set) variables.set(v.name, v.value);
  const fileMap = new Map(latest.files.map((f) => [f.path, f.content]));
  for (const path of removeFiles) fileMap.delete(path);
  for (const f of files) fileMap.set(f.path, f.content);
  // A file and a directory of the same name cannot both be mounted.
  const paths = [...fileMap.keys()];
  paths.forEach((path) => {
    if (paths.some((other) => other.startsWith(`${path}/`))) {
      const i = files.findIndex((f) => f.path === path || f.path.startsWith(`${path}/`));
      throw badInput(i >= 0 ? `input.files[${i}].path` : 'input.files', 'a file path is also used as a directory of another file');
    }
  });
  const next: RevisionContent = {
    variables: [...variables].map(([name, value]) => ({ name, value })).sort((a, b) => (a.name < b.name ? -1 : 1)),
    files: [...fileMap].map(([path, content]) => ({ path, content })).sort((a, b) => (a.path < b.path ? -1 : 1)),
    secrets: latest.secrets,
  };
  requireWithinLimit(next, secretBytes, set.length > 0 ? 'input.set' : 'input.files');
  return next;
}

/** @throws BAD_USER_INPUT naming `field` when the revision would exceed {@link MAX_REVISION_BYTES}. */
export function requireWithinLimit(content: RevisionContent, secretBytes: number, field: string): void {
  if (revisionBytes(content, secretBytes) > MAX_REVISION_BYTES) {
    throw badInput(field, `the revision would hold more than ${MAX_REVISION_BYTES} bytes (1 MiB, the limit of a ConfigMap)`);
  }
}

/** A secret set or replaced: the other secrets kept, sorted by name. */
export function withSecret(latest: RevisionContent, secret: StoredSecret): RevisionContent {
  if (latest.variables.some((v) => v.name === secret.name)) {
    throw badInput('input.name', 'input.name is the name of a variable: both would be the same environment variable');
  }
  const secrets = [...latest.secrets.filter((s) => s.name !== secret.name), secret].sort((a, b) => (a.name < b.name ? -1 : 1));
  return { ...latest, secrets };
}
