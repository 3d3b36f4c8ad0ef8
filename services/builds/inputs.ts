import { badInput } from '../shared/errors.ts';

/**
 * Checks of the untrusted strings a build hands to git, buildah and tar. They all end up as
 * argv entries (never in a shell string), but argv entries can still be options (`-u…`) or
 * transports (`ext::sh -c …`), so each is held to a strict shape here.
 */

/** A placeholder name: `${NAME}` in a spec, a key of `createBuild(variables:)`. */
export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** @throws BAD_USER_INPUT unless `name` is a variable name. */
export function requireVariableName(field: string, name: string): string {
  if (!VARIABLE_NAME.test(name)) throw badInput(field, `${field} must be a variable name: letters, digits and '_', not starting with a digit, at most 64 characters`);
  return name;
}

/**
 * Names a build's commands get from their environment or that change how the shell, the loader,
 * git or buildah behave: a spec variable named so would replace them in every command (`PATH`
 * pointing elsewhere, `LD_PRELOAD`, `GIT_SSH_COMMAND`…), so none may be declared or set.
 */
const SYSTEM_VARIABLES = new Set([
  'PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'PWD', 'OLDPWD', 'SHLVL', 'HOSTNAME', 'TERM', 'LANG', 'LANGUAGE', 'TZ', 'TMPDIR', 'MAIL',
  'IFS', 'ENV', 'BASH_ENV', 'CDPATH', 'PS1', 'PS2', 'PS4', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'ALL_PROXY', 'FTP_PROXY', 'CONTAINER',
]);
/** Families of such names: Gantry's own (`GANTRY_APP` …), the dynamic loader, locales, tools and their storage, the shell's. */
const SYSTEM_PREFIXES = ['GANTRY_', 'LD_', 'LC_', 'BASH_', 'BUILDAH_', 'CONTAINERS_', 'STORAGE_', 'REGISTRY_AUTH', 'GIT_', 'SSH_', 'XDG_'];

/**
 * Why `name` may not be a build variable (it is a system one), or null. Case-insensitive:
 * `http_proxy` is read as well as `HTTP_PROXY`, and `Path` would only confuse.
 */
export function systemVariableProblem(name: string): string | null {
  const upper = name.toUpperCase();
  if (SYSTEM_VARIABLES.has(upper)) return `${name} is a system environment variable of the build's commands`;
  const prefix = SYSTEM_PREFIXES.find((p) => upper.startsWith(p));
  return prefix ? `names starting with ${prefix} are reserved for ${prefix === 'GANTRY_' ? 'the variables Gantry sets' : 'the system and the build tools'}` : null;
}

/** @throws BAD_USER_INPUT on `field` when `name` is a system variable (see {@link systemVariableProblem}). */
export function requireUserVariableName(field: string, name: string): string {
  const problem = systemVariableProblem(name);
  if (problem) throw badInput(field, `${field} cannot be set: ${problem}; choose another name`);
  return name;
}

/** A variable's value: one line of at most 1000 characters (values end up in Dockerfiles and env). */
export function requireVariableValue(field: string, value: unknown): string {
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    throw badInput(field, `${field} must be a string, number or boolean`);
  }
  const text = String(value);
  if (text.length > 1000) throw badInput(field, `${field} must be at most 1000 characters`);
  if (/[\u0000-\u001f\u007f]/.test(text)) throw badInput(field, `${field} must be one line without control characters`);
  return text;
}

/**
 * A Git ref (branch, tag or commit): git's check-ref-format rules, and never starting with '-'
 * so that git cannot read it as an option.
 */
export function requireGitRef(field: string, ref: string): string {
  const problem =
    ref.length === 0 || ref.length > 255
      ? 'must be 1 to 255 characters'
      : ref.startsWith('-')
        ? "must not start with '-'"
        : /[\u0000-\u0020\u007f~^:?*[\\]/.test(ref) || ref.includes('..') || ref.includes('@{') || ref.includes('//')
          ? 'must not contain spaces, control characters, ~ ^ : ? * [ \\, "..", "@{" or "//"'
          : ref.startsWith('/') || ref.endsWith('/') || ref.endsWith('.') || ref.endsWith('.lock') || ref.split('/').some((part) => part.startsWith('.'))
            ? 'is not a valid branch, tag or commit name'
            : null;
  if (problem) throw badInput(field, `${field} ${problem}`);
  return ref;
}

/** The repository URLs builds clone. `file://` only with GANTRY_ALLOW_FILE_REPOS=1 (development). */
export function requireCloneUrl(field: string, url: string | null, allowFile: boolean): string {
  if (!url) throw badInput(field, `${field}: the app has no repoUrl; set one with updateApp`);
  const refuse = (why: string) => badInput(field, `${field} ${why}`);
  if (url.length > 2048 || /[\u0000-\u0020\u007f]/.test(url)) throw refuse('must be at most 2048 characters without spaces or control characters');
  if (url.startsWith('-')) throw refuse("must not start with '-'");
  // scp-like syntax: user@host:path. The host must not start with '-' (ssh would read an option).
  const scp = /^([A-Za-z0-9._-]+)@([A-Za-z0-9.][A-Za-z0-9.-]*):([A-Za-z0-9._~/-]+)$/.exec(url);
  if (scp) return url;
  if (url.includes('::')) throw refuse('must not use a git remote helper ("transport::address")');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw refuse('must be an https://, ssh://, git:// or user@host:path URL');
  }
  const allowed = ['https:', 'ssh:', 'git:', ...(allowFile ? ['file:'] : [])];
  if (!allowed.includes(parsed.protocol)) {
    throw refuse(`must use ${allowed.map((p) => p.replace(':', '://')).join(', ')} or user@host:path${allowFile ? '' : ' (file:// only with GANTRY_ALLOW_FILE_REPOS=1)'}`);
  }
  if (parsed.protocol !== 'file:' && (!parsed.hostname || parsed.hostname.startsWith('-'))) throw refuse('must name a host');
  return url;
}

/** The git protocols a clone may use (GIT_ALLOW_PROTOCOL): never `ext`, `file` only in development. */
export function allowedGitProtocols(allowFile: boolean): string {
  return ['https', 'ssh', 'git', ...(allowFile ? ['file'] : [])].join(':');
}

/**
 * A path inside the build's workspace (prepare paths, tarball paths, dockerfilePath): relative,
 * no `..` component, no leading '-', plain characters only.
 * @returns the normalized path, or the reason it is refused.
 */
export function workspacePathProblem(path: string): string | null {
  if (path.length === 0 || path.length > 255) return 'must be 1 to 255 characters';
  if (path.startsWith('/')) return 'must be relative to the repository (no leading /)';
  if (path.startsWith('-')) return "must not start with '-'";
  if (!/^[A-Za-z0-9._@+/-]+$/.test(path)) return 'may only contain letters, digits and . _ @ + / -';
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length === 0) return 'must name something inside the workspace';
  if (parts.includes('..')) return 'must not contain ".."';
  return null;
}

/** Normalizes a checked workspace path (`./a//b/` → `a/b`). */
export function normalizeWorkspacePath(path: string): string {
  return path
    .split('/')
    .filter((p) => p !== '' && p !== '.')
    .join('/');
}
