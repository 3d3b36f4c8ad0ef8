import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Database } from '../../db/client.ts';
import { clusters as clustersTable } from '../../db/schema/index.ts';
import type { GantryConfig } from '../../server/config.ts';
import { AppIndex } from './app-index.ts';
import { ClusterConnection } from './connection.ts';
import type { ClusterDirectory, ClusterInfo, ClusterPort, ClusterSource } from './directory.ts';
import { followPodLog } from './log-follow.ts';
import { KubeconfigError, loadKubeconfigFile, parseKubeconfig, type KubeconfigPolicy } from './kubeconfig.ts';
import { createClusterMetrics, type ClusterMetrics } from './metrics.ts';
import { openSecretBox, type SecretBox } from '../shared/secret-box.ts';
import { ClusterWriter } from './writer.ts';

/** After this long without a first sync, start-up logs that the cluster is still connecting. */
const UNREACHABLE_LOG_AFTER_MS = 10_000;

/** The cluster directory plus what only the composition root and tests need. */
export interface ClusterRegistry extends ClusterDirectory {
  connection(name: string): ClusterConnection | null;
  stop(): Promise<void>;
}

export interface StartClustersOptions {
  config: GantryConfig;
  logger: Logger;
  metricsRegistry: Registry;
  db: Database;
  /** The kubeconfig of the in-process cluster, when the composition root started one. */
  embeddedKubeconfig?: string | null;
  /**
   * How long start-up waits for the embedded cluster's first LIST of every watch (it is local
   * and fast). Other clusters are never waited for: they connect in the background.
   */
  syncTimeoutMs?: number;
  /** The process's SecretBox (shared with config secrets); opened here when absent. */
  secretBox?: SecretBox;
}

interface Entry {
  source: ClusterSource;
  connection: ClusterConnection | null;
  index: AppIndex | null;
  writer?: ClusterWriter;
  /** Made once: subscribers share publishers keyed by the port, so it must keep its identity. */
  port?: ClusterPort;
  /** Why a cluster could not be connected at all (bad stored kubeconfig). */
  failure: string | null;
}

/**
 * Connects every cluster: those in GANTRY_CLUSTERS, those registered through the API (stored
 * encrypted), and the in-process `embedded` one when the composition root started it.
 */
export async function startClusters(options: StartClustersOptions): Promise<ClusterRegistry> {
  const { config, logger } = options;
  const metrics: ClusterMetrics = createClusterMetrics(options.metricsRegistry);
  const box =
    options.secretBox ??
    openSecretBox(config.clusters.secretKey, config.dataDir, (file) => logger.warn({ file }, 'GANTRY_SECRET_KEY unset: generated a key file for secrets'));
  const entries = new Map<string, Entry>();
  const order: string[] = [];

  const policy: KubeconfigPolicy = { allowHttpLoopback: Boolean(options.embeddedKubeconfig) || config.clusters.allowInsecure };

  /** Starts the cluster's watches and returns at once; logs when it first syncs. */
  const connect = (name: string, kubeConfig: KubeConfig, source: ClusterSource): ClusterConnection => {
    const connection = new ClusterConnection({ name, kubeConfig, metrics, logger, staleAfterMs: config.clusters.watchStaleMs });
    const entry: Entry = { source, connection, index: new AppIndex(connection.caches), writer: new ClusterWriter(kubeConfig), failure: null };
    if (!entries.has(name)) order.push(name);
    entries.set(name, entry);
    connection.start();
    void connection.waitForSync(UNREACHABLE_LOG_AFTER_MS).then((synced) => {
      if (entries.get(name) !== entry) return;
      if (synced) logger.info({ cluster: name, status: connection.status() }, 'cluster connected');
      else logger.warn({ cluster: name, status: connection.status() }, 'cluster not synced yet; still trying in the background');
    });
    return connection;
  };
  const fail = (name: string, source: ClusterSource, reason: string) => {
    if (!entries.has(name)) order.push(name);
    entries.set(name, { source, connection: null, index: null, failure: reason });
  };

  if (options.embeddedKubeconfig) {
    const embedded = connect('embedded', parseKubeconfig(options.embeddedKubeconfig, null, policy), 'embedded');
    await embedded.waitForSync(options.syncTimeoutMs ?? 10_000);
  }
  for (const c of config.clusters.configured) {
    let kubeConfig: KubeConfig;
    try {
      kubeConfig = loadKubeconfigFile(c.kubeconfigPath, c.context, { ...policy, trusted: config.clusters.trustFiles });
    } catch (error) {
      await Promise.all([...entries.values()].map((e) => e.connection?.stop()));
      const hint = error instanceof KubeconfigError && error.path ? '; set GANTRY_TRUST_CLUSTER_FILES=1 to load it as kubectl would' : '';
      throw new Error(`GANTRY_CLUSTERS cluster "${c.name}": ${(error as Error).message}${hint}`);
    }
    connect(c.name, kubeConfig, 'configured');
  }
  for (const row of await options.db.select().from(clustersTable)) {
    if (entries.has(row.name)) continue;
    try {
      // Re-checked on every start: a registration stored before a rule existed must not slip past it.
      connect(row.name, parseKubeconfig(box.open(row.kubeconfigCiphertext), null, policy), 'registered');
    } catch (error) {
      const reason = error instanceof KubeconfigError ? `stored kubeconfig refused: ${error.message}` : `stored kubeconfig unreadable: ${(error as Error).message}`;
      logger.error({ cluster: row.name, reason }, 'registered cluster not connected; it stays UNREACHABLE until unregistered and registered again');
      fail(row.name, 'registered', reason);
    }
  }

  const collect = () => {
    for (const e of entries.values()) e.connection?.collectMetrics(metrics);
  };
  metrics.onCollect(collect);

  const info = (name: string, e: Entry): ClusterInfo =>
    e.connection?.info() ?? { name, status: 'UNREACHABLE', version: null, lastSyncAt: null };

  const registry: ClusterRegistry = {
    list: () => order.map((name) => info(name, entries.get(name)!)),
    get: (name) => {
      const e = entries.get(name);
      return e ? info(name, e) : null;
    },
    defaultName: () => order[0] ?? 'embedded',
    port: (name): ClusterPort | null => {
      const e = entries.get(name);
      if (!e?.connection || !e.index || !e.writer) return null;
      const { connection, index, writer } = e;
      return (e.port ??= {
        info: () => connection.info(),
        synced: () => connection.synced,
        snapshot: (namespace, app) => index.snapshot(namespace, app),
        watchApp: (namespace, app, listener) => index.watch(namespace, app, listener),
        apply: async (manifest) => (await writer.apply(manifest)) as Record<string, any>,
        read: async (ref) => (await writer.read(ref)) as Record<string, any> | null,
        scale: (ref, replicas) => writer.scale(ref, replicas),
        remove: (ref) => writer.delete(ref),
        list: async (ref, labelSelector) => (await writer.list(ref, labelSelector)) as Record<string, any>[],
        podLog: (namespace, pod) => writer.podLog(namespace, pod),
        followPodLog: (options) => followPodLog({ ...options, kubeConfig: connection.kubeConfig }),
      });
    },
    prepareRegistration: (name, kubeconfigYaml) => {
      if (entries.has(name)) return { error: `Cluster "${name}" already exists`, field: 'name' };
      try {
        parseKubeconfig(kubeconfigYaml, null, policy);
      } catch (error) {
        const path = error instanceof KubeconfigError && error.path ? `kubeconfig.${error.path}` : 'kubeconfig';
        return { error: error instanceof KubeconfigError ? `kubeconfig: ${error.message}` : 'kubeconfig cannot be used', field: path };
      }
      return { sealed: box.seal(kubeconfigYaml) };
    },
    connectRegistered: async (name, kubeconfigYaml) => {
      connect(name, parseKubeconfig(kubeconfigYaml, null, policy), 'registered');
      return registry.get(name)!;
    },
    sourceOf: (name) => entries.get(name)?.source ?? null,
    unregister: async (name) => {
      const entry = entries.get(name);
      if (!entry) return;
      entries.delete(name);
      order.splice(order.indexOf(name), 1);
      entry.index?.close();
      await entry.connection?.stop();
    },
    connection: (name) => entries.get(name)?.connection ?? null,
    stop: async () => {
      for (const e of entries.values()) e.index?.close();
      await Promise.all([...entries.values()].map((e) => e.connection?.stop()));
    },
  };
  return registry;
}
