import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Database } from '../../db/client.ts';
import { clusters as clustersTable } from '../../db/schema/index.ts';
import type { GantryConfig } from '../../server/config.ts';
import { AppIndex } from './app-index.ts';
import { ClusterConnection } from './connection.ts';
import type { ClusterDirectory, ClusterInfo, ClusterPort } from './directory.ts';
import { loadKubeconfigFile, parseKubeconfig } from './kubeconfig.ts';
import { createClusterMetrics, type ClusterMetrics } from './metrics.ts';
import { resolveSecretKey, SecretBox } from './secret-box.ts';
import { ClusterWriter } from './writer.ts';

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
  /** How long start-up waits for the first LIST of every watch. */
  syncTimeoutMs?: number;
}

interface Entry {
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
  const secret = resolveSecretKey(config.clusters.secretKey, join(config.dataDir, 'secret.key'));
  if (secret.generated) logger.warn({ file: join(config.dataDir, 'secret.key') }, 'GANTRY_SECRET_KEY unset: generated a key file for registered kubeconfigs');
  const box = new SecretBox(secret.key);
  const entries = new Map<string, Entry>();
  const order: string[] = [];

  const connect = async (name: string, kubeConfig: KubeConfig) => {
    const connection = new ClusterConnection({ name, kubeConfig, metrics, logger, staleAfterMs: config.clusters.watchStaleMs });
    const entry: Entry = { connection, index: new AppIndex(connection.caches), writer: new ClusterWriter(kubeConfig), failure: null };
    if (!entries.has(name)) order.push(name);
    entries.set(name, entry);
    await connection.start(options.syncTimeoutMs ?? 10_000);
    logger.info({ cluster: name, status: connection.status() }, 'cluster connected');
  };

  const pending: Promise<void>[] = [];
  if (options.embeddedKubeconfig) pending.push(connect('embedded', parseKubeconfig(options.embeddedKubeconfig)));
  for (const c of config.clusters.configured) {
    pending.push(connect(c.name, loadKubeconfigFile(c.kubeconfigPath, c.context)));
  }
  for (const row of await options.db.select().from(clustersTable)) {
    if (entries.has(row.name)) continue;
    try {
      pending.push(connect(row.name, parseKubeconfig(box.open(row.kubeconfigCiphertext))));
    } catch (error) {
      logger.error({ cluster: row.name, err: (error as Error).message }, 'registered cluster cannot be connected');
      order.push(row.name);
      entries.set(row.name, { connection: null, index: null, failure: (error as Error).message });
    }
  }
  await Promise.all(pending);

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
        snapshot: (namespace, app) => index.snapshot(namespace, app),
        watchApp: (namespace, app, listener) => index.watch(namespace, app, listener),
        apply: async (manifest) => (await writer.apply(manifest)) as Record<string, any>,
        read: async (ref) => (await writer.read(ref)) as Record<string, any> | null,
        scale: (ref, replicas) => writer.scale(ref, replicas),
        remove: (ref) => writer.delete(ref),
      });
    },
    prepareRegistration: (name, kubeconfigYaml) => {
      if (entries.has(name)) return { error: `Cluster "${name}" already exists` };
      try {
        parseKubeconfig(kubeconfigYaml);
      } catch (error) {
        return { error: (error as Error).message };
      }
      return { sealed: box.seal(kubeconfigYaml) };
    },
    connectRegistered: async (name, kubeconfigYaml) => {
      await connect(name, parseKubeconfig(kubeconfigYaml));
      return registry.get(name)!;
    },
    connection: (name) => entries.get(name)?.connection ?? null,
    stop: async () => {
      for (const e of entries.values()) e.index?.close();
      await Promise.all([...entries.values()].map((e) => e.connection?.stop()));
    },
  };
  return registry;
}
