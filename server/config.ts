import { join, resolve } from 'node:path';
import type { BuildSettings } from '../services/builds/engine.ts';

/** Everything Gantry reads from its environment, parsed and checked once at start-up. */
export interface GantryConfig {
  port: number;
  host: string;
  production: boolean;
  introspection: boolean;
  logLevel: string;
  databaseUrl: string | undefined;
  dataDir: string;
  /** PGlite's directory (`memory://` for tests that need no persistence). */
  pgliteDir: string;
  adminToken: string | undefined;
  limits: RequestLimits;
  principalLimits: PrincipalLimits;
  /** A connection that has not sent complete request headers this long after connecting or starting a request is closed. */
  headersTimeoutMs: number;
  metrics: MetricsSettings;
  shutdownTimeoutMs: number;
  clusters: ClusterSettings;
  releases: { leaseTtlMs: number; tickMs: number };
  /** Pod log collection: days kept, how often batches are written. */
  logs: { retentionDays: number; flushMs: number; leaseTtlMs: number; collect: boolean };
  builds: BuildSettings;
  /** GANTRY_PUBLIC_URL: how clients reach Gantry (webhook and download URLs); default the local listener. */
  publicUrl: string | undefined;
  monitoring: MonitoringSettings;
  vms: VmSettings;
}

/** VM hosts and the load balancer in front of them and the cluster. */
export interface VmSettings {
  /** `GANTRY_HAPROXY_SOCKET`: an existing HAProxy's admin socket (nothing is started). */
  haproxySocket: string | undefined;
  /** `GANTRY_VM_OFFLINE_SECONDS`: a host with no report this long is OFFLINE. */
  offlineAfterMs: number;
}

/** Prometheus and Alertmanager: external ones by URL, or instances Gantry starts under its data dir. */
export interface MonitoringSettings {
  /** `GANTRY_PROMETHEUS_URL`: an existing Prometheus (then nothing is started). */
  prometheusUrl: string | undefined;
  /** `GANTRY_ALERTMANAGER_URL`: an existing Alertmanager (then nothing is started). */
  alertmanagerUrl: string | undefined;
  /** `GANTRY_MANAGED_MONITORING`: `auto` starts Prometheus/Alertmanager when their binaries are installed; `1` requires them; `0` never. */
  managed: 'auto' | '0' | '1';
  /** Scrape and rule evaluation interval of the managed Prometheus, seconds. */
  scrapeIntervalSeconds: number;
  /** Bearer secret Alertmanager sends to POST /hooks/alertmanager; generated when managed and unset. */
  webhookSecret: string | undefined;
  /** Where Gantry's receiver is reachable from Alertmanager (GANTRY_PUBLIC_URL; default: this process's URL). */
  publicUrl: string | undefined;
}

/** Where Gantry's clusters come from. */
export interface ClusterSettings {
  /** `GANTRY_CLUSTERS`: name=kubeconfig-path[:context], comma-separated. */
  configured: { name: string; kubeconfigPath: string; context: string | null }[];
  /** Start the in-process cluster `embedded` (default: when none is configured). */
  embedded: boolean;
  embeddedPort: number;
  /** Simulated-to-real time ratio of the embedded cluster's controllers. */
  embeddedTimeScale: number;
  /** `GANTRY_SECRET_KEY`: encrypts registered kubeconfigs at rest. */
  secretKey: string | undefined;
  /** A watch silent this long is presumed dead and relisted. */
  watchStaleMs: number;
  /** `GANTRY_ALLOW_INSECURE_CLUSTERS=1`: plain-http kubeconfig servers on loopback are accepted. */
  allowInsecure: boolean;
  /** `GANTRY_TRUST_CLUSTER_FILES=1`: GANTRY_CLUSTERS files may use exec, auth providers and file paths. */
  trustFiles: boolean;
}

/** Limits enforced identically on HTTP and WebSocket operations. */
export interface RequestLimits {
  maxDepth: number;
  maxAliases: number;
  maxCost: number;
  maxTokens: number;
  maxDirectives: number;
  /** Size of the GraphQL document text, in bytes. */
  maxDocumentBytes: number;
  /** Size of an HTTP body or WebSocket message, in bytes (document plus variables). */
  maxBodyBytes: number;
}

/** Per-token limits: what one credential may hold open or send. */
export interface PrincipalLimits {
  /** Operations in progress on one WebSocket (subscriptions, and queries or mutations still running). */
  maxSubscriptionsPerConnection: number;
  /** Open WebSocket connections authenticated with one token. */
  maxConnectionsPerToken: number;
  /** Sustained operations per second per token (HTTP and WebSocket together): the bucket's refill rate. */
  maxOperationsPerSecond: number;
  /** Operations one token may send at once before the per-second rate applies: the bucket's size. */
  operationsBurst: number;
}

/** Where /metrics is served. */
export interface MetricsSettings {
  /** Port of the metrics-only listener (0: any free port). */
  port: number;
  host: string;
  /** When set, /metrics is also served on the main port to `Authorization: Bearer <token>`. */
  token: string | undefined;
}

/** Thrown for a malformed setting; the message names the variable. */
export class ConfigError extends Error {}

/**
 * Reads the configuration. Unknown values are rejected with a message naming the variable,
 * so a typo fails the start instead of silently using a default.
 */
export function loadConfig(env: NodeJS.ProcessEnv): GantryConfig {
  const dataDir = resolve(env.GANTRY_DATA_DIR || '.gantry');
  const production = env.NODE_ENV === 'production';
  return {
    port: int(env, 'PORT', 4000, 0, 65535),
    host: env.HOST || '0.0.0.0',
    production,
    introspection: production ? env.GANTRY_INTROSPECTION === '1' : env.GANTRY_INTROSPECTION !== '0',
    logLevel: env.GANTRY_LOG_LEVEL || (env.NODE_ENV === 'test' ? 'silent' : 'info'),
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir,
    pgliteDir: env.GANTRY_PGLITE_DIR || join(dataDir, 'pgdata'),
    adminToken: env.GANTRY_ADMIN_TOKEN || undefined,
    limits: {
      maxDepth: int(env, 'GANTRY_MAX_DEPTH', 12, 1, 1000),
      maxAliases: int(env, 'GANTRY_MAX_ALIASES', 30, 0, 10000),
      maxCost: int(env, 'GANTRY_MAX_COST', 1_000_000, 1, 1_000_000_000),
      maxTokens: int(env, 'GANTRY_MAX_TOKENS', 5000, 10, 1_000_000),
      maxDirectives: int(env, 'GANTRY_MAX_DIRECTIVES', 50, 0, 10000),
      maxDocumentBytes: int(env, 'GANTRY_MAX_DOCUMENT_BYTES', 64 * 1024, 64, 16 * 1024 * 1024),
      maxBodyBytes: int(env, 'GANTRY_MAX_BODY_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
    },
    principalLimits: {
      maxSubscriptionsPerConnection: int(env, 'GANTRY_MAX_SUBSCRIPTIONS_PER_CONNECTION', 100, 1, 1_000_000),
      maxConnectionsPerToken: int(env, 'GANTRY_MAX_CONNECTIONS_PER_TOKEN', 50, 1, 1_000_000),
      maxOperationsPerSecond: int(env, 'GANTRY_MAX_OPERATIONS_PER_SECOND', 50, 1, 1_000_000),
      operationsBurst: int(env, 'GANTRY_OPERATIONS_BURST', 200, 1, 1_000_000),
    },
    headersTimeoutMs: int(env, 'GANTRY_HEADERS_TIMEOUT_MS', 10_000, 100, 55_000),
    metrics: metricsSettings(env),
    shutdownTimeoutMs: int(env, 'GANTRY_SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    clusters: clusterSettings(env),
    logs: {
      retentionDays: int(env, 'GANTRY_LOG_RETENTION_DAYS', 7, 1, 3650),
      flushMs: int(env, 'GANTRY_LOG_FLUSH_MS', 100, 10, 10_000),
      leaseTtlMs: int(env, 'GANTRY_LOG_LEASE_SECONDS', 15, 1, 300) * 1000,
      // Off only where another process collects (or nothing should): reads and tails still work.
      collect: !flag(env, 'GANTRY_LOG_COLLECTION_OFF'),
    },
    releases: {
      leaseTtlMs: int(env, 'GANTRY_RELEASE_LEASE_SECONDS', 15, 1, 300) * 1000,
      tickMs: int(env, 'GANTRY_RELEASE_TICK_MS', 1000, 50, 60_000),
    },
    builds: buildSettings(env),
    publicUrl: publicUrl(env),
    monitoring: monitoringSettings(env),
    vms: {
      haproxySocket: env.GANTRY_HAPROXY_SOCKET ? resolve(env.GANTRY_HAPROXY_SOCKET) : undefined,
      offlineAfterMs: int(env, 'GANTRY_VM_OFFLINE_SECONDS', 15, 2, 3600) * 1000,
    },
  };
}

function httpUrl(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name];
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be an http(s) URL`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password || url.search || url.hash) {
    throw new ConfigError(`${name} must be an http(s) URL without credentials, query or fragment`);
  }
  return url.toString().replace(/\/+$/, '');
}

function monitoringSettings(env: NodeJS.ProcessEnv): MonitoringSettings {
  const managed = env.GANTRY_MANAGED_MONITORING || 'auto';
  if (managed !== 'auto' && managed !== '0' && managed !== '1') throw new ConfigError('GANTRY_MANAGED_MONITORING must be auto, 0 or 1');
  const webhookSecret = env.GANTRY_ALERTMANAGER_WEBHOOK_SECRET || undefined;
  if (webhookSecret !== undefined && (webhookSecret.length < 16 || /\s/.test(webhookSecret))) {
    throw new ConfigError('GANTRY_ALERTMANAGER_WEBHOOK_SECRET must be at least 16 characters without spaces');
  }
  return {
    prometheusUrl: httpUrl(env, 'GANTRY_PROMETHEUS_URL'),
    alertmanagerUrl: httpUrl(env, 'GANTRY_ALERTMANAGER_URL'),
    managed,
    scrapeIntervalSeconds: int(env, 'GANTRY_PROMETHEUS_SCRAPE_SECONDS', 15, 1, 300),
    webhookSecret,
    publicUrl: publicUrl(env),
  };
}

function buildSettings(env: NodeJS.ProcessEnv): BuildSettings {
  const registry = env.GANTRY_REGISTRY || undefined;
  // host[:port]: an image reference's first part (no scheme, no path).
  if (registry !== undefined && !/^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9a-fA-F:]+\])(?::\d{1,5})?$/.test(registry)) {
    throw new ConfigError('GANTRY_REGISTRY must be host[:port] of an image registry, without a scheme or path');
  }
  return {
    registry,
    concurrency: int(env, 'GANTRY_BUILD_CONCURRENCY', 2, 1, 64),
    allowFileRepos: flag(env, 'GANTRY_ALLOW_FILE_REPOS'),
    leaseTtlMs: int(env, 'GANTRY_BUILD_LEASE_SECONDS', 15, 1, 300) * 1000,
    tickMs: int(env, 'GANTRY_BUILD_TICK_MS', 1000, 50, 60_000),
    storageDriver: storageDriver(env),
    imageCacheHours: int(env, 'GANTRY_BUILD_IMAGE_CACHE_HOURS', 168, 1, 24 * 365),
  };
}

/** GANTRY_BUILD_STORAGE_DRIVER: overlay or vfs; unset = overlay where it works (probed). */
function storageDriver(env: NodeJS.ProcessEnv): 'overlay' | 'vfs' | null {
  const raw = env.GANTRY_BUILD_STORAGE_DRIVER || undefined;
  if (raw === undefined) return null;
  if (raw !== 'overlay' && raw !== 'vfs') throw new ConfigError('GANTRY_BUILD_STORAGE_DRIVER must be overlay or vfs (unset: overlay where this host can mount it)');
  return raw;
}

function publicUrl(env: NodeJS.ProcessEnv): string | undefined {
  const raw = env.GANTRY_PUBLIC_URL || undefined;
  if (raw === undefined) return undefined;
  try {
    const url = new URL(raw);
    if ((url.protocol === 'http:' || url.protocol === 'https:') && url.pathname === '/' && !url.search) return url.origin;
  } catch {
    // refused below
  }
  throw new ConfigError('GANTRY_PUBLIC_URL must be an http(s) origin such as https://gantry.example.com');
}

function metricsSettings(env: NodeJS.ProcessEnv): MetricsSettings {
  const token = env.GANTRY_METRICS_TOKEN || undefined;
  // The token is compared with what scrapers send; a short one could be guessed.
  if (token !== undefined && (token.length < 16 || /\s/.test(token))) {
    throw new ConfigError('GANTRY_METRICS_TOKEN must be at least 16 characters without spaces');
  }
  return { port: int(env, 'GANTRY_METRICS_PORT', 9464, 0, 65535), host: env.GANTRY_METRICS_HOST || '127.0.0.1', token };
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function clusterSettings(env: NodeJS.ProcessEnv): ClusterSettings {
  const configured = (env.GANTRY_CLUSTERS ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const eq = entry.indexOf('=');
      const name = entry.slice(0, eq);
      if (eq <= 0 || !DNS_LABEL.test(name)) {
        throw new ConfigError(`GANTRY_CLUSTERS entry "${entry}" must be name=kubeconfig-path[:context] with a DNS-1123 name`);
      }
      const rest = entry.slice(eq + 1);
      const colon = rest.lastIndexOf(':');
      const kubeconfigPath = colon > 0 ? rest.slice(0, colon) : rest;
      const context = colon > 0 ? rest.slice(colon + 1) : null;
      if (!kubeconfigPath) throw new ConfigError(`GANTRY_CLUSTERS entry "${entry}" has no kubeconfig path`);
      return { name, kubeconfigPath: resolve(kubeconfigPath), context };
    });
  const names = new Set<string>();
  for (const c of configured) {
    if (names.has(c.name)) throw new ConfigError(`GANTRY_CLUSTERS names cluster "${c.name}" twice`);
    names.add(c.name);
  }
  const embeddedSetting = env.GANTRY_EMBEDDED_CLUSTER ?? 'auto';
  if (!['auto', '0', '1'].includes(embeddedSetting)) throw new ConfigError('GANTRY_EMBEDDED_CLUSTER must be auto, 0 or 1');
  const timeScale = Number(env.GANTRY_EMBEDDED_TIME_SCALE ?? '1');
  if (!(timeScale > 0 && timeScale <= 100)) throw new ConfigError('GANTRY_EMBEDDED_TIME_SCALE must be a number in (0, 100]');
  return {
    configured,
    embedded: embeddedSetting === '1' || (embeddedSetting === 'auto' && configured.length === 0),
    embeddedPort: int(env, 'GANTRY_EMBEDDED_CLUSTER_PORT', 0, 0, 65535),
    embeddedTimeScale: timeScale,
    secretKey: env.GANTRY_SECRET_KEY || undefined,
    watchStaleMs: int(env, 'GANTRY_WATCH_STALE_SECONDS', 90, 1, 3600) * 1000,
    allowInsecure: flag(env, 'GANTRY_ALLOW_INSECURE_CLUSTERS'),
    trustFiles: flag(env, 'GANTRY_TRUST_CLUSTER_FILES'),
  };
}

function flag(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = env[name] ?? '';
  if (!['', '0', '1'].includes(raw)) throw new ConfigError(`${name} must be 0 or 1, got "${raw}"`);
  return raw === '1';
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}
