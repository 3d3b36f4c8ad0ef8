import { readFileSync } from 'node:fs';
import { KubeConfig, type Cluster, type Context, type User } from '@kubernetes/client-node';
import { parse, YAMLParseError } from 'yaml';

/**
 * A kubeconfig Gantry will not use. `path` is where in the kubeconfig the problem is
 * (`users[0].user.exec`), null for the document as a whole. Messages name paths, never values:
 * a kubeconfig holds credentials, and these messages reach API responses and logs.
 */
export class KubeconfigError extends Error {
  constructor(
    readonly path: string | null,
    message: string,
  ) {
    super(message);
  }
}

/** What a kubeconfig from an untrusted source may point at. */
export interface KubeconfigPolicy {
  /** Plain `http` to a loopback address (the embedded cluster, or GANTRY_ALLOW_INSECURE_CLUSTERS=1). */
  allowHttpLoopback: boolean;
}

// Allow-lists, not deny-lists: any key client-node might one day act on (a file path, a plugin,
// a proxy) is refused until someone decides it is safe. Only inline data is accepted.
const CLUSTER_KEYS = new Set(['server', 'certificate-authority-data', 'insecure-skip-tls-verify', 'tls-server-name', 'extensions']);
const USER_KEYS = new Set(['token', 'client-certificate-data', 'client-key-data', 'extensions']);
const CONTEXT_KEYS = new Set(['cluster', 'user', 'namespace', 'extensions']);

/** Why each known dangerous key is refused; anything else unknown is "not supported". */
const REFUSED: Record<string, string> = {
  exec: 'Gantry never runs commands from a kubeconfig',
  'auth-provider': 'Gantry never runs auth-provider plugins from a kubeconfig',
  'token-file': 'Gantry never reads files named by a kubeconfig',
  tokenFile: 'Gantry never reads files named by a kubeconfig',
  'client-certificate': 'Gantry never reads files named by a kubeconfig',
  'client-key': 'Gantry never reads files named by a kubeconfig',
  'certificate-authority': 'Gantry never reads files named by a kubeconfig',
  'proxy-url': 'proxies are not supported',
  username: 'basic authentication is not supported',
  password: 'basic authentication is not supported',
  as: 'impersonation is not supported',
  'as-groups': 'impersonation is not supported',
  'as-user-extra': 'impersonation is not supported',
};
const INLINE_ONLY = 'use inline token, client-certificate-data/client-key-data, certificate-authority-data';

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Parses and checks a kubeconfig from an untrusted source (registerCluster, a stored
 * registration, GANTRY_CLUSTERS without GANTRY_TRUST_CLUSTER_FILES=1) and builds the client
 * configuration from the checked structure alone: client-node never sees the text, so loading
 * it cannot run a command or read a file (its own loader reads `token-file` while parsing).
 * @throws KubeconfigError naming the offending path.
 */
export function parseKubeconfig(text: string, context: string | null, policy: KubeconfigPolicy): KubeConfig {
  let doc: unknown;
  try {
    doc = parse(text, { maxAliasCount: 50, logLevel: 'error' });
  } catch (error) {
    // The parser's message quotes the offending line, which may hold a credential: position only.
    const at = error instanceof YAMLParseError && error.linePos ? ` (line ${error.linePos[0].line}, column ${error.linePos[0].col})` : '';
    throw new KubeconfigError(null, `kubeconfig is not valid YAML/JSON${at}`);
  }
  if (!isObj(doc)) throw new KubeconfigError(null, 'kubeconfig must be a YAML/JSON mapping');

  const clusters = list(doc, 'clusters').map((entry, i): Cluster => {
    const path = `clusters[${i}]`;
    const body = section(entry, path, 'cluster', CLUSTER_KEYS);
    const server = str(body, `${path}.cluster.server`, 'server', true)!;
    checkServer(server, `${path}.cluster.server`, policy);
    const skip = body['insecure-skip-tls-verify'];
    if (skip !== undefined && typeof skip !== 'boolean') throw new KubeconfigError(`${path}.cluster.insecure-skip-tls-verify`, `${path}.cluster.insecure-skip-tls-verify must be true or false`);
    return {
      name: name(entry, path),
      server: server.replace(/\/$/, ''),
      caData: str(body, `${path}.cluster.certificate-authority-data`, 'certificate-authority-data'),
      tlsServerName: str(body, `${path}.cluster.tls-server-name`, 'tls-server-name'),
      skipTLSVerify: skip === true,
    };
  });
  const users = list(doc, 'users').map((entry, i): User => {
    const path = `users[${i}]`;
    const body = entry.user === undefined || entry.user === null ? {} : section(entry, path, 'user', USER_KEYS);
    return {
      name: name(entry, path),
      token: str(body, `${path}.user.token`, 'token'),
      certData: str(body, `${path}.user.client-certificate-data`, 'client-certificate-data'),
      keyData: str(body, `${path}.user.client-key-data`, 'client-key-data'),
    };
  });
  const contexts = list(doc, 'contexts').map((entry, i): Context => {
    const path = `contexts[${i}]`;
    const body = section(entry, path, 'context', CONTEXT_KEYS);
    const cluster = str(body, `${path}.context.cluster`, 'cluster', true)!;
    if (!clusters.some((c) => c.name === cluster)) throw new KubeconfigError(`${path}.context.cluster`, `${path}.context.cluster names no entry of clusters`);
    const user = str(body, `${path}.context.user`, 'user');
    if (user !== undefined && !users.some((u) => u.name === user)) throw new KubeconfigError(`${path}.context.user`, `${path}.context.user names no entry of users`);
    return { name: name(entry, path), cluster, user: user as string, namespace: str(body, `${path}.context.namespace`, 'namespace') };
  });
  const current = context ?? doc['current-context'];
  if (typeof current !== 'string' || !current) throw new KubeconfigError('current-context', 'kubeconfig has no current-context');
  if (!contexts.some((c) => c.name === current)) {
    throw context ? new KubeconfigError(null, `kubeconfig has no context "${context}"`) : new KubeconfigError('current-context', 'current-context names no entry of contexts');
  }
  const kc = new KubeConfig();
  kc.loadFromOptions({ clusters, users, contexts, currentContext: current });
  return kc;
}

/**
 * Loads a GANTRY_CLUSTERS kubeconfig file. Checked like a registration unless `trusted`
 * (GANTRY_TRUST_CLUSTER_FILES=1): then client-node loads it as kubectl would, exec plugins,
 * auth providers and file paths included.
 * @throws Error (KubeconfigError when the file is refused) whose message names the path, not values.
 */
export function loadKubeconfigFile(path: string, context: string | null, policy: KubeconfigPolicy & { trusted: boolean }): KubeConfig {
  if (!policy.trusted) return parseKubeconfig(readFileSync(path, 'utf8'), context, policy);
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  if (context) {
    if (!kc.getContextObject(context)) throw new Error(`kubeconfig has no context "${context}"`);
    kc.setCurrentContext(context);
  }
  if (!kc.getCurrentCluster()?.server) throw new Error('kubeconfig current context names no cluster with a server URL');
  return kc;
}

function list(doc: Obj, key: string): Obj[] {
  const value = doc[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new KubeconfigError(key, `${key} must be a list`);
  return value.map((entry, i) => {
    if (!isObj(entry)) throw new KubeconfigError(`${key}[${i}]`, `${key}[${i}] must be a mapping`);
    return entry;
  });
}

function name(entry: Obj, path: string): string {
  if (typeof entry.name !== 'string' || !entry.name) throw new KubeconfigError(`${path}.name`, `${path}.name must be a non-empty string`);
  return entry.name;
}

/** The entry's `cluster`/`user`/`context` mapping, refusing every key outside `allowed`. */
function section(entry: Obj, path: string, key: string, allowed: Set<string>): Obj {
  const body = entry[key];
  if (!isObj(body)) throw new KubeconfigError(`${path}.${key}`, `${path}.${key} must be a mapping`);
  for (const k of Object.keys(body)) {
    if (allowed.has(k)) continue;
    const field = `${path}.${key}.${k}`;
    throw new KubeconfigError(field, `${field} is refused: ${REFUSED[k] ?? 'not supported'}; ${INLINE_ONLY}`);
  }
  return body;
}

function str(body: Obj, path: string, key: string, required = false): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) {
    if (required) throw new KubeconfigError(path, `${path} is missing`);
    return undefined;
  }
  if (typeof value !== 'string' || (required && !value)) throw new KubeconfigError(path, `${path} must be a non-empty string`);
  return value;
}

function checkServer(server: string, path: string, policy: KubeconfigPolicy): void {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new KubeconfigError(path, `${path} is not a URL`);
  }
  if (url.protocol === 'https:') return;
  if (url.protocol === 'http:' && policy.allowHttpLoopback && LOOPBACK.test(url.hostname)) return;
  const http = policy.allowHttpLoopback ? ' (plain http only to a loopback address)' : ' (plain http only to a loopback address, with the embedded cluster or GANTRY_ALLOW_INSECURE_CLUSTERS=1)';
  throw new KubeconfigError(path, `${path} must be an https URL${http}`);
}
